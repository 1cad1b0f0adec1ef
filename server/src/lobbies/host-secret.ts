/**
 * Host secrets: 32 CSPRNG bytes (base64url) that authorise a lobby's host, checked from an
 * `Authorization: Bearer <secret>` header in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../http/api-error.js';

/** A fresh host secret. */
export function generateHostSecret(): string {
  return randomBytes(32).toString('base64url');
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Throws 401 UNAUTHORIZED without a bearer token, 403 UNAUTHORIZED with a wrong one. */
export function requireHostSecret(authorization: string | undefined, secret: string): void {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (match?.[1] === undefined) {
    throw new ApiError(401, 'UNAUTHORIZED', 'Only the host may do that: send "Authorization: Bearer <hostSecret>" with the secret from the create answer.');
  }
  if (!timingSafeEqual(digest(match[1]), digest(secret))) {
    throw new ApiError(403, 'UNAUTHORIZED', 'The host secret is wrong: only the host of this lobby may do that.');
  }
}
