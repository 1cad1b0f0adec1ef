/**
 * Frame codec: `[type byte][body]`. Bodies are msgpack (msgpackr, no in-band records, so every
 * frame decodes alone, even after a loss), except SNAPSHOT whose body is the snapshot codec's
 * own bytes. All decoding goes through `decodeFrame`, which turns any failure into a typed
 * DECODE_FAILED error for the caller to count and drop. A body must be plain msgpack
 * (msgpack-guard.ts) before msgpackr decodes it: none of msgpackr's own extensions (records,
 * shared structures, reference cycles) ever reach the decoder from a remote peer.
 */
import { Packr } from 'msgpackr';
import { HostmeshError } from '../core/errors.js';
import { checkPlainMsgpack } from './msgpack-guard.js';
import { MsgType } from './protocol.js';

// One Packr per channel kind; neither defines records in-band (STYLE.md rule 6).
const reliablePackr = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true });
const unreliablePackr = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true });

/** Frame types whose body is raw bytes, not msgpack. */
const RAW_BODY = new Set<number>([MsgType.SNAPSHOT, MsgType.FILE_CHUNK]);

/** A decoded frame. */
export interface Frame {
  /** Message type code. */
  type: number;
  /** Decoded msgpack body, or the raw body bytes for raw types. */
  body: unknown;
}

/** Encodes a message as a frame for the given channel kind. */
export function encodeFrame(type: number, body: unknown, reliable = true): Uint8Array {
  const packed = RAW_BODY.has(type) ? (body as Uint8Array) : (reliable ? reliablePackr : unreliablePackr).pack(body);
  const out = new Uint8Array(packed.length + 1);
  out[0] = type;
  out.set(packed, 1);
  return out;
}

/** Decodes a frame, rejecting frames over `maxBytes`; any failure is a DECODE_FAILED error. */
export function decodeFrame(data: unknown, maxBytes: number, reliable = true): Frame {
  const bytes = toBytes(data);
  if (!bytes || bytes.length < 1) throw new HostmeshError('DECODE_FAILED', 'Dropped an empty or non-binary frame.');
  if (bytes.length > maxBytes) {
    throw new HostmeshError('DECODE_FAILED', `Dropped a ${bytes.length}-byte frame over the ${maxBytes}-byte limit.`);
  }
  const type = bytes[0]!;
  const rest = bytes.subarray(1);
  if (RAW_BODY.has(type)) return { type, body: rest };
  if (rest.length === 0) return { type, body: undefined };
  try {
    checkPlainMsgpack(rest);
    return { type, body: (reliable ? reliablePackr : unreliablePackr).unpack(rest) };
  } catch (err) {
    throw new HostmeshError('DECODE_FAILED', `Dropped a malformed frame of type ${type}: ${(err as Error).message}`, { cause: err });
  }
}

/** Throws INVALID_ARGUMENT, naming `what`, unless `body` encodes as plain msgpack that a peer will accept. */
export function checkSendable(body: unknown, what: string): void {
  let packed: Uint8Array;
  try {
    packed = reliablePackr.pack(body);
  } catch (err) {
    throw new HostmeshError('INVALID_ARGUMENT', `${what} cannot be encoded: ${(err as Error).message}. Send plain objects, arrays, strings, numbers, booleans, null or Uint8Array.`, { cause: err });
  }
  try {
    checkPlainMsgpack(packed);
  } catch (err) {
    throw new HostmeshError('INVALID_ARGUMENT', `${what} would be refused by the other players (${(err as Error).message.replace(/^Dropped a frame that is not plain msgpack: /, '').replace(/\.$/, '')}). Send plain objects, arrays, strings, numbers, booleans, null or Uint8Array, nested at most 32 deep.`, { cause: err });
  }
}

function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}
