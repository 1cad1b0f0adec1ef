/**
 * Host secrets authorise a lobby's host, checked from an `Authorization: Bearer <secret>`
 * header in constant time. A secret is `<nonce>.<mac>`: 16 CSPRNG bytes and
 * HMAC-SHA256(lobbyKey, "<code>.<nonce>"), both base64url. The MAC binds the secret to its join
 * code under the server's lobby key, so a server that forgot the lobby (a restart with the
 * in-memory store, a lobby deleted while its host was off signaling) can still tell the real
 * host, who re-registers the same code, from anyone else who knows the code.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../http/api-error.js';

function mac(lobbyKey: string, code: string, nonce: string): string {
  return createHmac('sha256', lobbyKey).update(`${code}.${nonce}`).digest('base64url');
}

/** A fresh host secret for the lobby `code`. */
export function generateHostSecret(lobbyKey: string, code: string): string {
  const nonce = randomBytes(16).toString('base64url');
  return `${nonce}.${mac(lobbyKey, code, nonce)}`;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** The bearer token of an Authorization header; throws 401 UNAUTHORIZED without one. */
export function bearerSecret(authorization: string | undefined): string {
  const match = /^Bearer\s+(\S{1,256})\s*$/i.exec(authorization ?? '');
  if (match?.[1] === undefined) {
    throw new ApiError(401, 'UNAUTHORIZED', 'Only the host may do that: send "Authorization: Bearer <hostSecret>" with the secret from the create answer.');
  }
  return match[1];
}

/** True when `secret` was issued for `code` under `lobbyKey` (by this server or one sharing its key). */
export function secretFitsCode(lobbyKey: string, code: string, secret: string): boolean {
  const [nonce, given, extra] = secret.split('.');
  if (nonce === undefined || given === undefined || extra !== undefined || !/^[A-Za-z0-9_-]{22}$/.test(nonce)) return false;
  return timingSafeEqual(digest(given), digest(mac(lobbyKey, code, nonce)));
}

/** Throws 401 UNAUTHORIZED without a bearer token, 403 UNAUTHORIZED with a wrong one. */
export function requireHostSecret(authorization: string | undefined, secret: string): void {
  if (!timingSafeEqual(digest(bearerSecret(authorization)), digest(secret))) {
    throw new ApiError(403, 'UNAUTHORIZED', 'The host secret is wrong: only the host of this lobby may do that.');
  }
}
