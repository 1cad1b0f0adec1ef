/**
 * Checks one client-to-server PeerServer frame before `peer` sees it.
 *
 * `peer` 1.0.2 parses frames with `JSON.parse` and writes `message.src` into the result, so
 * `null`, `5` or truncated JSON throw inside its handler (and kill an embedded server without an
 * `error` listener); a `LEAVE` without `dst` silently unregisters the sender while its socket
 * stays open. Only the shapes a PeerJS client sends pass: a JSON object with a known `type`,
 * a valid `dst` peer id (except for HEARTBEAT), and any `payload`. The frame forwarded to
 * `peer` is re-serialised from exactly those fields.
 */
import { isValidPeerId } from './peer-id.js';

/** Message types a PeerJS client sends to the server. */
export const CLIENT_MESSAGE_TYPES: ReadonlySet<string> = new Set(['HEARTBEAT', 'OFFER', 'ANSWER', 'CANDIDATE', 'LEAVE']);

/** Verdict on a frame: forward this text to `peer`, or refuse with a reason. */
export type FrameVerdict = { ok: true; text: string } | { ok: false; reason: string };

/** Checks a frame received as `data` (text unless `isBinary`). */
export function checkSignalingFrame(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): FrameVerdict {
  if (isBinary) return { ok: false, reason: 'Binary signaling frames are not accepted: send PeerJS JSON messages.' };
  const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'Signaling frame is not valid JSON.' };
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return { ok: false, reason: 'Signaling frame must be a JSON object.' };
  }
  const { type, dst, payload } = message as { type?: unknown; dst?: unknown; payload?: unknown };
  if (typeof type !== 'string' || !CLIENT_MESSAGE_TYPES.has(type)) {
    return { ok: false, reason: `Unknown signaling message type ${JSON.stringify(type)?.slice(0, 40) ?? 'undefined'}.` };
  }
  if (type === 'HEARTBEAT') return { ok: true, text: '{"type":"HEARTBEAT"}' };
  if (!isValidPeerId(dst)) return { ok: false, reason: `Signaling ${type} needs a "dst" peer id.` };
  return { ok: true, text: JSON.stringify({ type, dst, payload }) };
}
