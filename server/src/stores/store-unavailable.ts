/**
 * The error a shared store throws when it cannot be reached (Redis down, a timeout). The API
 * answers it with 503 SERVICE_UNAVAILABLE and a Retry-After: the client may try again.
 */

/** A shared store could not be reached; retryable. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
