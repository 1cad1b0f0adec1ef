/**
 * Short-lived TURN credentials for coturn's `use-auth-secret` (the "TURN REST API").
 *
 * username = `<unix expiry seconds>:<user>`, credential = base64(HMAC-SHA1(secret, username)).
 * coturn recomputes the HMAC with the shared secret and refuses expired usernames, so clients
 * get working credentials without ever seeing the secret. `<user>` is a fresh CSPRNG id per
 * issued credential (per session), so coturn's per-user quotas (`user-quota`) and logs tell
 * sessions apart; one constant user name made every client the same user.
 * See https://datatracker.ietf.org/doc/html/draft-uberti-behave-turn-rest-00.
 */
import { createHmac, randomBytes } from 'node:crypto';

/** TURN servers sharing one coturn `static-auth-secret`. */
export interface TurnOptions {
  /** TURN urls, e.g. `turn:turn.example.com:3478?transport=udp`. */
  urls: string[];
  /** The coturn `static-auth-secret`; never sent to clients. */
  secret: string;
  /** Lifetime of issued credentials, seconds. Default: 3600. */
  ttlSeconds?: number;
}

/** One ICE server entry as RTCPeerConnection takes it. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** Prefix of the per-session user part of issued usernames. */
export const TURN_USER_PREFIX = 'hm';

/** A fresh per-session TURN user id: `hm` and 16 CSPRNG bytes in base64url. */
export function turnUserId(): string {
  return `${TURN_USER_PREFIX}${randomBytes(16).toString('base64url')}`;
}

/** Issues an ICE server entry with REST credentials for `user` valid until `nowMs + ttlSeconds`. */
export function turnCredentials(turn: TurnOptions, nowMs: number = Date.now(), user: string = turnUserId()): IceServer {
  const expiry = Math.floor(nowMs / 1000) + (turn.ttlSeconds ?? 3600);
  const username = `${expiry}:${user}`;
  const credential = createHmac('sha1', turn.secret).update(username).digest('base64');
  return { urls: [...turn.urls], username, credential };
}
