/**
 * Strict parsing of the signaling WebSocket URL's query (`?key=K&id=ID&token=T`).
 *
 * `peer` reads the query with `Object.fromEntries(searchParams)`, so the LAST of duplicated
 * parameters wins, while `URLSearchParams.get` returns the FIRST: `?id=decoy&token=T&id=X` once
 * passed our checks on `decoy` and registered `X` (taking over its offers). So a parameter may
 * appear at most once, `key`, `id` and `token` must all be there with their fixed patterns, and
 * anything else is refused before `peer` reads the same URL.
 */
import { isValidPeerId, isValidPeerToken } from './peer-id.js';

/** Longest accepted signaling URL (path and query), characters. */
export const MAX_CONNECT_URL_CHARS = 1024;

/** Most query parameters accepted (PeerJS sends key, id, token and version). */
const MAX_PARAMS = 8;

/** The parsed query, or the sentence to refuse with. */
export type ConnectQuery = { ok: true; key: string; id: string; token: string } | { ok: false; reason: string };

/** Parses `url` (a request URL such as `/peerjs/peerjs?key=k&id=i&token=t`). */
export function parseConnectQuery(url: string | undefined): ConnectQuery {
  if (url === undefined || url.length > MAX_CONNECT_URL_CHARS) {
    return { ok: false, reason: `The signaling URL is missing or longer than ${MAX_CONNECT_URL_CHARS} characters: connect with ?key, id and token only.` };
  }
  let params: URLSearchParams;
  try {
    params = new URL(url, 'http://localhost').searchParams;
  } catch {
    return { ok: false, reason: 'The signaling URL could not be parsed: connect with ?key, id and token.' };
  }
  const seen = new Set<string>();
  for (const name of params.keys()) {
    if (seen.has(name)) return { ok: false, reason: `Query parameter "${name.slice(0, 20)}" appears more than once: send each of key, id and token once.` };
    seen.add(name);
    if (seen.size > MAX_PARAMS) return { ok: false, reason: 'Too many query parameters: send key, id and token only.' };
  }
  const key = params.get('key');
  const id = params.get('id');
  const token = params.get('token');
  if (key === null || id === null || token === null) return { ok: false, reason: 'The signaling URL needs key, id and token query parameters.' };
  if (!isValidPeerId(id)) return { ok: false, reason: 'Invalid peer id: use 1 to 64 characters of A-Z, a-z, 0-9, _ and -.' };
  if (!isValidPeerToken(token)) return { ok: false, reason: 'Invalid token: use 1 to 128 characters of A-Z, a-z, 0-9, _ and -.' };
  return { ok: true, key, id, token };
}
