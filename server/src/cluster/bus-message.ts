/**
 * Parsing of what arrives on a node's channel. Only nodes publish there, but a shared Redis is
 * not a trust boundary to lean on: anything that is not one of the two known shapes, within
 * size, is refused (undefined), never thrown.
 */
import { isValidPeerId } from '../signaling/peer-id.js';
import type { BusMessage } from './cluster.js';

/** Largest bus message accepted, bytes (a signaling frame is at most 64 KiB, plus the envelope). */
export const MAX_BUS_MESSAGE_BYTES = 80 * 1024;

/** The message in `payload`, or undefined when it is not a valid one. */
export function parseBusMessage(payload: Buffer | string): BusMessage | undefined {
  if (payload.length > MAX_BUS_MESSAGE_BYTES) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(payload.toString());
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  if (m.kind === 'signal' && isValidPeerId(m.dst) && typeof m.text === 'string') return { kind: 'signal', dst: m.dst, text: m.text };
  if (m.kind === 'hosted' && isValidPeerId(m.host) && typeof m.code === 'string' && /^[0-9A-Z]{4,16}$/.test(m.code)) return { kind: 'hosted', host: m.host, code: m.code };
  return undefined;
}
