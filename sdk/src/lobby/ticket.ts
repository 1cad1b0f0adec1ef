/**
 * Admission tickets. The server signs a ticket when a joiner passes the lobby's admission
 * (capacity, password, rate limit); the host verifies it with the lobby's host secret before
 * admitting the peer, so a peer that skipped admission is refused.
 *
 * Format: `<expiryUnixMs>.<base64url(HMAC-SHA256(hostSecret, "code|peerId|expiry"))>`.
 * Pure JS HMAC (@noble/hashes) because WebCrypto is missing on plain-http LAN pages.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

const encoder = new TextEncoder();

function mac(secret: string, code: string, peerId: string, expiryMs: number): string {
  const sig = hmac(sha256, encoder.encode(secret), encoder.encode(`${code}|${peerId}|${expiryMs}`));
  let bin = '';
  for (const byte of sig) bin += String.fromCharCode(byte);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Signs a ticket that admits `peerId` to lobby `code` until `expiryMs`. */
export function signTicket(secret: string, code: string, peerId: string, expiryMs: number): string {
  return `${expiryMs}.${mac(secret, code, peerId, expiryMs)}`;
}

/** True when `ticket` admits `peerId` to lobby `code` at time `nowMs`. */
export function verifyTicket(secret: string, code: string, peerId: string, ticket: unknown, nowMs: number): boolean {
  if (typeof ticket !== 'string' || ticket.length > 128) return false;
  const dot = ticket.indexOf('.');
  const expiryText = ticket.slice(0, dot);
  const expiryMs = Number(expiryText);
  if (dot <= 0 || !/^\d{1,16}$/.test(expiryText) || !Number.isSafeInteger(expiryMs) || expiryMs < nowMs) return false;
  const expected = mac(secret, code, peerId, expiryMs);
  const given = ticket.slice(dot + 1);
  if (given.length !== expected.length) return false;
  let diff = 0;
  for (let i = 0; i < given.length; i++) diff |= given.charCodeAt(i) ^ expected.charCodeAt(i);
  return diff === 0;
}
