/**
 * The SNAPSHOT frame body: a 12-byte header the session adds to each snapshot packet, then the
 * packet itself. The header carries what differs per client and per send: the newest input seq
 * of that client the state includes (for reconciliation) and the host's clock at send (for
 * interpolation timing).
 */
import { HostmeshError } from '../core/errors.js';
import { MAX_UNRELIABLE_BYTES } from './protocol.js';

/** Header bytes before each snapshot packet. */
export const SNAPSHOT_HEADER_BYTES = 12;

/** Budget for the snapshot codec's packets: one unreliable frame minus type byte and header. */
export const SNAPSHOT_PACKET_BUDGET = MAX_UNRELIABLE_BYTES - 1 - SNAPSHOT_HEADER_BYTES;

/** Prefixes `packet` with the header. */
export function wrapSnapshot(packet: Uint8Array, inputAck: number, hostTimeMs: number): Uint8Array {
  const out = new Uint8Array(SNAPSHOT_HEADER_BYTES + packet.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, inputAck >>> 0, true);
  view.setFloat64(4, hostTimeMs, true);
  out.set(packet, SNAPSHOT_HEADER_BYTES);
  return out;
}

/** Splits a SNAPSHOT body into header fields and packet; throws DECODE_FAILED when too short. */
export function unwrapSnapshot(body: Uint8Array): { inputAck: number; hostTimeMs: number; packet: Uint8Array } {
  if (body.length <= SNAPSHOT_HEADER_BYTES) throw new HostmeshError('DECODE_FAILED', 'Dropped a SNAPSHOT frame too short to hold its header.');
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const hostTimeMs = view.getFloat64(4, true);
  if (!Number.isFinite(hostTimeMs)) throw new HostmeshError('DECODE_FAILED', 'Dropped a SNAPSHOT frame with a bad host time.');
  return { inputAck: view.getUint32(0, true), hostTimeMs, packet: body.subarray(SNAPSHOT_HEADER_BYTES) };
}
