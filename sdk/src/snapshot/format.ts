/**
 * Snapshot packet format and header, written and read side by side (records: records.ts).
 *
 * A packet is bit-packed (see bitpack.ts) and decodes alone:
 *   header   version(4) schema fingerprint(8) tick(varuint) [baseline age] [part index/count]
 *            index-gap code order, Exp-Golomb orders per slot, counts of removed/changed/added
 *   removed  baseline indexes as gaps (both sides sort the baseline's ids, so an index names an id)
 *   changed  index gap, then the changed slots' deltas (one bit when the same fields changed as in
 *            the previous record, else a mask or "all") or, when its set of fields changed, a full record
 *   added    id front-coded against the previous added id (shared prefix length + suffix),
 *            then the full record: presence mask (or "same as previous"), absolute values, extras
 *   extras   fields outside the schema against a per-packet table of shapes (extras.ts)
 * Deltas are integer differences of quantized values (angles wrap, bools flip for free,
 * quaternions delta their three small components when the largest stays the same).
 * Read more: Gaffer on Games, "Snapshot Compression"; Quake 3 network model (delta vs acked).
 */
import { decodeFailed, type BitWriter } from './bitpack.js';
import type { BitReader } from './bit-reader.js';
import { SlotKind, type CompiledSchema, type Slot } from './schema.js';

/** Wire format version (4 bits). */
export const FORMAT_VERSION = 3;
/** Most parts one snapshot may be split into. */
export const MAX_PARTS = 256;
/** Most records of each section in one part of a multi-part snapshot. */
export const MAX_SECTION_RECORDS = 4095;
/** Longest field name or entity id accepted on decode, bytes. */
export const MAX_NAME_BYTES = 1024;

/** A decoded packet header. */
export interface PacketHeader {
  tick: number;
  /** Baseline tick, or -1 for a full snapshot. */
  baseTick: number;
  partIndex: number;
  partCount: number;
  gapK: number;
  absK: number[] | null;
  deltaK: number[] | null;
  removed: number;
  changed: number;
  added: number;
}

/** True when a slot kind uses an Exp-Golomb order for absolute values. */
export function usesAbsK(kind: number): boolean {
  return kind === SlotKind.FLOAT || kind === SlotKind.INT;
}

/** True when a slot kind uses an Exp-Golomb order for deltas. */
export function usesDeltaK(kind: number): boolean {
  return kind !== SlotKind.BOOL && kind !== SlotKind.STRING;
}

/** Writes a header; in multi-part mode returns the bit position of the part fields and counts to patch. */
export function writeHeader(w: BitWriter, schema: CompiledSchema, h: PacketHeader, multi: boolean): number {
  w.bits(FORMAT_VERSION, 4);
  w.bits(schema.fingerprint, 8);
  w.varuint(h.tick);
  w.bit(h.baseTick >= 0);
  if (h.baseTick >= 0) w.eg(h.tick - h.baseTick - 1, 0);
  w.bit(multi);
  const patchAt = w.pos;
  if (multi) w.bits(0, 16);
  w.bits(h.gapK, 4);
  const slots = schema.slots;
  w.bit(h.absK !== null);
  if (h.absK) for (let i = 0; i < slots.length; i++) if (usesAbsK((slots[i] as Slot).kind)) w.bits(h.absK[i] ?? 0, 4);
  w.bit(h.deltaK !== null);
  if (h.deltaK) for (let i = 0; i < slots.length; i++) if (usesDeltaK((slots[i] as Slot).kind)) w.bits(h.deltaK[i] ?? 0, 4);
  if (multi) w.big(0, 36);
  else {
    w.eg(h.removed, 0);
    w.eg(h.changed, 0);
    w.eg(h.added, 0);
  }
  return patchAt;
}

/** Fills in the part fields and counts of a multi-part header written at `patchAt`. */
export function patchHeader(w: BitWriter, patchAt: number, countsAt: number, h: PacketHeader): void {
  w.patch(patchAt, h.partCount - 1, 8);
  w.patch(patchAt + 8, h.partIndex, 8);
  w.patch(countsAt, h.removed, 12);
  w.patch(countsAt + 12, h.changed, 12);
  w.patch(countsAt + 24, h.added, 12);
}

/** Reads a header, validating it against the schema. */
export function readHeader(r: BitReader, schema: CompiledSchema): PacketHeader {
  if (r.bits(4) !== FORMAT_VERSION) decodeFailed('unknown format version');
  if (r.bits(8) !== schema.fingerprint) decodeFailed('it was encoded with a different schema; host and clients must use the same schema');
  const tick = r.varuint();
  const baseTick = r.bit() ? tick - r.eg(0) - 1 : -1;
  if (baseTick < -1) decodeFailed('its baseline tick is negative');
  let partCount = 1, partIndex = 0;
  const multi = r.bit();
  if (multi) {
    partCount = r.bits(8) + 1;
    partIndex = r.bits(8);
    if (partIndex >= partCount) decodeFailed('its part index is out of range');
  }
  const gapK = r.bits(4);
  const slots = schema.slots;
  let absK: number[] | null = null, deltaK: number[] | null = null;
  if (r.bit()) {
    absK = new Array<number>(slots.length).fill(0);
    for (let i = 0; i < slots.length; i++) if (usesAbsK((slots[i] as Slot).kind)) absK[i] = r.bits(4);
  }
  if (r.bit()) {
    deltaK = new Array<number>(slots.length).fill(0);
    for (let i = 0; i < slots.length; i++) if (usesDeltaK((slots[i] as Slot).kind)) deltaK[i] = r.bits(4);
  }
  const removed = multi ? r.bits(12) : r.eg(0), changed = multi ? r.bits(12) : r.eg(0), added = multi ? r.bits(12) : r.eg(0);
  if (baseTick < 0 && removed + changed > 0) decodeFailed('a full snapshot lists removed or changed entities');
  if (removed + changed + added > r.remaining()) decodeFailed('it declares more records than it has bits');
  return { tick, baseTick, partIndex, partCount, gapK, absK, deltaK, removed, changed, added };
}
