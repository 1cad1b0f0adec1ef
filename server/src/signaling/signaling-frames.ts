/**
 * Checks one client-to-server PeerServer frame before `peer` sees it.
 *
 * `peer` 1.0.2 parses frames with `JSON.parse` and writes `message.src` into the result, so
 * `null`, `5` or truncated JSON throw inside its handler (and kill an embedded server without an
 * `error` listener); a `LEAVE` without `dst` silently unregisters the sender while its socket
 * stays open. Only the shapes a PeerJS client sends pass: a JSON object at most
 * `MAX_FRAME_DEPTH` deep (checked before parsing, see json-depth.ts) with a known `type`, a
 * valid `dst` peer id (except for HEARTBEAT), and any `payload`. The frame forwarded to `peer`
 * is re-serialised from exactly those fields. Total: any input gives a verdict, never a throw.
 */
import { nestsDeeperThan } from './json-depth.js';
import { isValidPeerId } from './peer-id.js';
import { checkIceSignal, MAX_ICE_SDP_CHARS } from '../../../sdk/src/wire/ice-signal.js';
import { ICE_SIGNAL_TYPE } from '../../../sdk/src/wire/protocol.js';

/** Message types a client sends to the server: PeerJS's, and hostmesh's ICE-restart envelope. */
export const CLIENT_MESSAGE_TYPES: ReadonlySet<string> = new Set(['HEARTBEAT', 'OFFER', 'ANSWER', 'CANDIDATE', 'LEAVE', ICE_SIGNAL_TYPE]);

/** Largest ICE-restart envelope frame, bytes (an SDP plus the envelope's few fields). */
export const MAX_ICE_FRAME_BYTES = MAX_ICE_SDP_CHARS + 2048;

/** Deepest nesting a signaling frame may have (a PeerJS OFFER nests 3 deep). */
export const MAX_FRAME_DEPTH = 16;

/** Verdict on a frame: forward this text to `peer` (addressed to `dst`), relay an ICE envelope's rebuilt `ice` payload ourselves, or refuse with a reason. */
export type FrameVerdict = { ok: true; text: string; dst: string | null; ice?: unknown } | { ok: false; reason: string };

function textOf(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

/** Checks a frame received as `data` (text unless `isBinary`). */
export function checkSignalingFrame(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): FrameVerdict {
  try {
    return check(data, isBinary);
  } catch {
    return { ok: false, reason: 'Signaling frame could not be read: send PeerJS JSON messages.' };
  }
}

function check(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): FrameVerdict {
  if (isBinary) return { ok: false, reason: 'Binary signaling frames are not accepted: send PeerJS JSON messages.' };
  const text = textOf(data);
  if (nestsDeeperThan(text, MAX_FRAME_DEPTH)) {
    return { ok: false, reason: `Signaling frame nests deeper than ${MAX_FRAME_DEPTH} levels: send PeerJS messages as they are.` };
  }
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
    const shown = typeof type === 'string' ? JSON.stringify(type.slice(0, 40)) : typeof type;
    return { ok: false, reason: `Unknown signaling message type ${shown}: send HEARTBEAT, OFFER, ANSWER, CANDIDATE or LEAVE.` };
  }
  if (type === 'HEARTBEAT') return { ok: true, text: '{"type":"HEARTBEAT"}', dst: null };
  if (!isValidPeerId(dst)) return { ok: false, reason: `Signaling ${type} needs a "dst" peer id (1 to 64 characters of A-Z, a-z, 0-9, _ and -).` };
  if (type === ICE_SIGNAL_TYPE) {
    if (text.length > MAX_ICE_FRAME_BYTES) return { ok: false, reason: `Signaling ${type} envelope is over ${MAX_ICE_FRAME_BYTES} bytes: send one SDP or candidate per envelope.` };
    const ice = checkIceSignal(payload);
    if (!ice) return { ok: false, reason: `Signaling ${type} envelope has the wrong shape: send { connectionId, gen, kind: 'offer' | 'answer' | 'candidate' | 'request', sdp | candidate }.` };
    return { ok: true, text: '', dst, ice };
  }
  return { ok: true, text: JSON.stringify({ type, dst, payload }), dst };
}
