/**
 * API errors: every failure is `{ error: { code, message } }` with a 4xx status, a stable code
 * from sdk/src/errors.ts and a sentence that says what to do. Also maps express's body-parser
 * errors, so malformed input never becomes a 500.
 */
import type { ErrorRequestHandler, Response } from 'express';
import { ErrorAdvice, type ErrorCode } from '../../../sdk/src/core/errors.js';
import type { ApiErrorBody } from '../../../sdk/src/wire/lobby-api.js';
import type { Logger } from '../log.js';
import { StoreUnavailableError } from '../stores/store-unavailable.js';

/** An error the API answers with `status` and `{ error: { code, message } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string = ErrorAdvice[code],
    /** Seconds, for a `Retry-After` header. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A 400 BAD_REQUEST with `message`. */
export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BAD_REQUEST', message);
}

/** Writes `err` as a JSON error answer. */
export function sendApiError(res: Response, err: ApiError): void {
  if (err.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(err.retryAfterSeconds));
  const body: ApiErrorBody = { error: { code: err.code, message: err.message } };
  res.status(err.status).json(body);
}

/** The answer while the shared store (Redis) is unreachable: 503, retryable. */
export function storeUnavailable(): ApiError {
  return new ApiError(503, 'SERVICE_UNAVAILABLE', 'The server cannot reach its shared store (Redis) right now. Running games are not affected; try again in a few seconds.', 2);
}

/** The error code an error is answered with (for metrics). */
export function answerCode(err: unknown): string {
  if (err instanceof ApiError) return err.code;
  if (err instanceof StoreUnavailableError) return 'SERVICE_UNAVAILABLE';
  const type = (err as { type?: unknown } | null)?.type;
  if (type === 'entity.too.large') return 'PAYLOAD_TOO_LARGE';
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? 'BAD_REQUEST' : 'SERVER_ERROR';
}

/** Express error handler: ApiErrors as they are, body-parser errors as 4xx, anything else 500. */
export function apiErrorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    if (err instanceof ApiError) {
      sendApiError(res, err);
      return;
    }
    if (err instanceof StoreUnavailableError) {
      log.warn(`store unavailable: ${err.message}`);
      sendApiError(res, storeUnavailable());
      return;
    }
    const type = (err as { type?: unknown } | null)?.type;
    const status = (err as { status?: unknown } | null)?.status;
    if (type === 'entity.too.large') {
      sendApiError(res, new ApiError(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large (limit 8 KiB). Send less data.'));
    } else if (type === 'entity.parse.failed') {
      sendApiError(res, badRequest('The request body is not valid JSON. Send a JSON object with Content-Type: application/json.'));
    } else if (typeof status === 'number' && status >= 400 && status < 500) {
      sendApiError(res, badRequest(`The request could not be read (${String(type ?? status)}). Send UTF-8 JSON with Content-Type: application/json.`));
    } else {
      log(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      sendApiError(res, new ApiError(500, 'SERVER_ERROR'));
    }
  };
}
