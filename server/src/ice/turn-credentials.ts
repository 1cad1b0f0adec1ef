/**
 * Short-lived TURN credentials for coturn's `use-auth-secret` (the "TURN REST API").
 *
 * username = `<unix expiry seconds>:<user>`, credential = base64(HMAC-SHA1(secret, username)).
 * coturn recomputes the HMAC with the shared secret and refuses expired usernames, so clients
 * get working credentials without ever seeing the secret.
 * See https://datatracker.ietf.org/doc/html/draft-uberti-behave-turn-rest-00.
 */
import { createHmac } from 'node:crypto';

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

/** User part of every issued username. */
export const TURN_USER = 'hostmesh';

/** Issues an ICE server entry with REST credentials valid until `nowMs + ttlSeconds`. */
export function turnCredentials(turn: TurnOptions, nowMs: number = Date.now()): IceServer {
  const expiry = Math.floor(nowMs / 1000) + (turn.ttlSeconds ?? 3600);
  const username = `${expiry}:${TURN_USER}`;
  const credential = createHmac('sha1', turn.secret).update(username).digest('base64');
  return { urls: [...turn.urls], username, credential };
}
