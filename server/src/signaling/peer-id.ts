/**
 * Signaling ids and tokens: the only shapes the server accepts, so an id can be logged,
 * put in a URL or a ticket without escaping.
 */
import { randomBytes } from 'node:crypto';

/** Longest accepted peer id, characters. */
export const MAX_PEER_ID_LENGTH = 64;

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** True when `value` is a valid peer id: [A-Za-z0-9_-], 1 to 64 characters. */
export function isValidPeerId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

/** True when `value` is a valid PeerServer token: [A-Za-z0-9_-], 1 to 128 characters. */
export function isValidPeerToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN_PATTERN.test(value);
}

/** A fresh CSPRNG peer id (32 hex digits; also valid for the PeerJS client's own id check). */
export function generatePeerId(): string {
  return randomBytes(16).toString('hex');
}
