/**
 * Snapshot packet format: the header and the entity records, written and read side by side.
 *
 * A packet is bit-packed (see bitpack.ts) and decodes alone:
 *   header   version(4) schema fingerprint(8) tick(varuint) [baseline age] [part index/count]
 *            index-gap code order, Exp-Golomb orders per slot, counts of removed/changed/added
 *   removed  baseline indexes as gaps (both sides sort the baseline's ids, so an index names an id)
 *   changed  index gap, then either the changed slots' deltas (a bit mask, or one bit for "all")
 *            or, when the entity's set of fields changed, its full record
 *   added    id front-coded against the previous added id (shared prefix length + suffix),
 *            then the full record: presence mask (or "same as previous"), absolute values
 * Deltas are integer differences of quantized values (angles wrap, bools flip for free,
 * quaternions delta their three small components when the largest stays the same).
 * Read more: Gaffer on Games, "Snapshot Compression"; Quake 3 network model (delta vs acked).
 */
import { BitReader, BitWriter, decodeFailed, unzigzag, zigzag } from './bitpack.js';
import { MAX_QUANTIZED, packQuat, sameExtras, unpackQuat, type QEntity } from './quantize.js';
import { SlotKind, type CompiledSchema, type Entity, type Slot, type Value } from './schema.js';

/** Wire format version (4 bits). */
export const FORMAT_VERSION = 1;
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
  for (const table of [h.absK, h.deltaK]) {
    w.bit(table !== null);
    if (table) schema.slots.forEach((s, i) => (table === h.absK ? usesAbsK(s.kind) : usesDeltaK(s.kind)) && w.bits(table[i] ?? 0, 4));
  }
  if (multi) w.big(0, 36);
  else for (const n of [h.removed, h.changed, h.added]) w.eg(n, 0);
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
  const tables: (number[] | null)[] = [];
  for (let t = 0; t < 2; t++) {
    if (!r.bit()) { tables.push(null); continue; }
    const table = new Array<number>(schema.slots.length).fill(0);
    schema.slots.forEach((s, i) => { if (t === 0 ? usesAbsK(s.kind) : usesDeltaK(s.kind)) table[i] = r.bits(4); });
    tables.push(table);
  }
  const counts = multi ? [r.bits(12), r.bits(12), r.bits(12)] : [r.eg(0), r.eg(0), r.eg(0)];
  const [removed = 0, changed = 0, added = 0] = counts;
  if (baseTick < 0 && removed + changed > 0) decodeFailed('a full snapshot lists removed or changed entities');
  if (removed + changed + added > r.remaining()) decodeFailed('it declares more records than it has bits');
  return { tick, baseTick, partIndex, partCount, gapK, absK: tables[0] ?? null, deltaK: tables[1] ?? null, removed, changed, added };
}

function writeAbs(w: BitWriter, slot: Slot, value: number | string, k: number): void {
  switch (slot.kind) {
    case SlotKind.FLOAT: case SlotKind.INT: return w.eg(zigzag(value as number), k);
    case SlotKind.ANGLE: return w.bits(value as number, slot.bits);
    case SlotKind.BOOL: return w.bits(value as number, 1);
    case SlotKind.STRING: return w.string(value as string);
    default: return w.big(value as number, 2 + 3 * slot.bits);
  }
}

function checkRange(q: number): number {
  if (q <= -MAX_QUANTIZED || q >= MAX_QUANTIZED) decodeFailed('a value is out of range');
  return q;
}

function readAbs(r: BitReader, slot: Slot, k: number): number | string {
  switch (slot.kind) {
    case SlotKind.FLOAT: case SlotKind.INT: return checkRange(unzigzag(r.eg(k)));
    case SlotKind.ANGLE: return r.bits(slot.bits);
    case SlotKind.BOOL: return r.bits(1);
    case SlotKind.STRING: {
      const s = r.string(slot.maxLength === Infinity ? Infinity : slot.maxLength * 3);
      if (s.length > slot.maxLength) decodeFailed(`string field '${slot.name}' is longer than its maxLength`);
      return s;
    }
    default: {
      const q = r.big(2 + 3 * slot.bits);
      if (!quatValid(q, slot.bits)) decodeFailed('a quaternion component is out of range');
      return q;
    }
  }
}

const qa = [0, 0, 0, 0], qb = [0, 0, 0, 0];

function quatValid(packed: number, bits: number): boolean {
  const max = (1 << bits) - 2;
  unpackQuat(packed, bits, qa);
  return (qa[1] as number) <= max && (qa[2] as number) <= max && (qa[3] as number) <= max;
}

/** Signed wrapped difference of two n-bit angles, in [-n/2, n/2). */
export function angleDiff(a: number, b: number, bits: number): number {
  const n = 2 ** bits;
  let d = (a - b) % n;
  if (d >= n / 2) d -= n;
  else if (d < -n / 2) d += n;
  return d;
}

/** Writes slot `slot`'s delta from `base` to `value`. */
export function writeDelta(w: BitWriter, slot: Slot, value: number | string, base: number | string, k: number): void {
  switch (slot.kind) {
    case SlotKind.FLOAT: case SlotKind.INT: return w.eg(zigzag((value as number) - (base as number)), k);
    case SlotKind.ANGLE: return w.eg(zigzag(angleDiff(value as number, base as number, slot.bits)), k);
    case SlotKind.BOOL: return;
    case SlotKind.STRING: return w.string(value as string);
    default: {
      const diffs = quatDiffs(value as number, base as number, slot.bits);
      w.bit(diffs !== null);
      if (diffs) for (const d of diffs) w.eg(zigzag(d), k);
      else w.big(value as number, 2 + 3 * slot.bits);
    }
  }
}

const diffScratch = [0, 0, 0];

/** Component differences of two packed quaternions with the same largest index, else null. */
export function quatDiffs(value: number, base: number, bits: number): number[] | null {
  unpackQuat(value, bits, qa);
  unpackQuat(base, bits, qb);
  if (qa[0] !== qb[0]) return null;
  diffScratch[0] = (qa[1] as number) - (qb[1] as number);
  diffScratch[1] = (qa[2] as number) - (qb[2] as number);
  diffScratch[2] = (qa[3] as number) - (qb[3] as number);
  return diffScratch;
}

function readDelta(r: BitReader, slot: Slot, base: number | string, k: number): number | string {
  switch (slot.kind) {
    case SlotKind.FLOAT: case SlotKind.INT: return checkRange((base as number) + unzigzag(r.eg(k)));
    case SlotKind.ANGLE: {
      const n = 2 ** slot.bits;
      const v = ((base as number) + unzigzag(r.eg(k))) % n;
      return v < 0 ? v + n : v;
    }
    case SlotKind.BOOL: return 1 - (base as number);
    case SlotKind.STRING: return readAbs(r, slot, 0);
    default: {
      if (!r.bit()) return readAbs(r, slot, 0);
      const max = (1 << slot.bits) - 2;
      unpackQuat(base as number, slot.bits, qb);
      const a = (qb[1] as number) + unzigzag(r.eg(k));
      const b = (qb[2] as number) + unzigzag(r.eg(k));
      const c = (qb[3] as number) + unzigzag(r.eg(k));
      if (a < 0 || b < 0 || c < 0 || a > max || b > max || c > max) decodeFailed('a quaternion delta is out of range');
      return packQuat(qb[0] as number, a, b, c, slot.bits);
    }
  }
}

function writeExtras(w: BitWriter, extras: Readonly<Entity>): void {
  const keys = Object.keys(extras);
  w.eg(keys.length - 1, 0);
  for (const key of keys) {
    w.string(key);
    const v = extras[key] as Value;
    if (typeof v === 'number') {
      if (Number.isSafeInteger(v) && Math.abs(v) < MAX_QUANTIZED && !Object.is(v, -0)) { w.bits(0, 2); w.eg(zigzag(v), 4); }
      else { w.bits(1, 2); w.float64(v); }
    } else if (typeof v === 'string') { w.bits(2, 2); w.string(v); }
    else { w.bits(3, 2); w.bit(v); }
  }
}

function readExtras(r: BitReader): Entity {
  const count = r.eg(0) + 1;
  if (count > r.remaining()) decodeFailed('it declares more fields than it has bits');
  const out: Entity = {};
  for (let i = 0; i < count; i++) {
    const key = r.string(MAX_NAME_BYTES);
    if (key === '__proto__') decodeFailed("a field is named '__proto__'");
    const tag = r.bits(2);
    out[key] = tag === 0 ? unzigzag(r.eg(4)) : tag === 1 ? r.float64() : tag === 2 ? r.string() : r.bit();
  }
  return out;
}

/** Per-packet writer/reader context: code orders and the previous full record's mask. */
export interface RecordContext {
  absK: number[];
  deltaK: number[];
  prevMask: number;
}

/** Writes an entity's full record (presence, absolute values, extras). */
export function writeFull(w: BitWriter, schema: CompiledSchema, e: QEntity, ctx: RecordContext): void {
  const same = e.mask === ctx.prevMask;
  w.bit(same);
  if (!same) w.bits(e.mask >>> 0, schema.slots.length);
  ctx.prevMask = e.mask;
  for (let i = 0, m = e.mask; m !== 0; i++, m >>>= 1) if (m & 1) writeAbs(w, schema.slots[i] as Slot, e.v[i] as number | string, ctx.absK[i] ?? 0);
  w.bit(e.extras !== undefined);
  if (e.extras) writeExtras(w, e.extras);
}

/** Reads a full record. */
export function readFull(r: BitReader, schema: CompiledSchema, ctx: RecordContext): QEntity {
  const n = schema.slots.length;
  const mask = r.bit() ? ctx.prevMask : n === 32 ? r.bits(32) | 0 : r.bits(n);
  ctx.prevMask = mask;
  const v = new Array<number | string>(n).fill(0);
  for (let i = 0, m = mask; m !== 0; i++, m >>>= 1) if (m & 1) v[i] = readAbs(r, schema.slots[i] as Slot, ctx.absK[i] ?? 0);
  const extras = r.bit() ? readExtras(r) : undefined;
  return { mask, v, extras, view: undefined };
}

/** True when `cur` can be sent as a delta of `base` (same fields present). */
export function deltaCompatible(cur: QEntity, base: QEntity): boolean {
  return cur.mask === base.mask && (cur.extras === undefined) === (base.extras === undefined);
}

/** Writes a delta record body (caller ensured `deltaCompatible`). */
export function writeDeltaBody(w: BitWriter, schema: CompiledSchema, cur: QEntity, base: QEntity, ctx: RecordContext): void {
  let changed = 0, present = 0, all = true;
  for (let i = 0, m = base.mask; m !== 0; i++, m >>>= 1) {
    if (!(m & 1)) continue;
    present++;
    if (cur.v[i] !== base.v[i]) changed |= 1 << i;
    else all = false;
  }
  if (present > 0) {
    w.bit(all);
    if (!all) for (let i = 0, m = base.mask; m !== 0; i++, m >>>= 1) if (m & 1) w.bit((changed >>> i) & 1);
  }
  if (base.extras) {
    const extrasChanged = !sameExtras(cur.extras, base.extras);
    w.bit(extrasChanged);
    if (extrasChanged && cur.extras) writeExtras(w, cur.extras);
  }
  for (let i = 0, m = changed; m !== 0; i++, m >>>= 1)
    if (m & 1) writeDelta(w, schema.slots[i] as Slot, cur.v[i] as number | string, base.v[i] as number | string, ctx.deltaK[i] ?? 0);
}

/** Reads a delta record body against `base`. */
export function readDeltaBody(r: BitReader, schema: CompiledSchema, base: QEntity, ctx: RecordContext): QEntity {
  let changed = 0;
  if (base.mask !== 0) {
    if (r.bit()) changed = base.mask;
    else for (let i = 0, m = base.mask; m !== 0; i++, m >>>= 1) if (m & 1 && r.bit()) changed |= 1 << i;
  }
  const extras = base.extras && r.bit() ? readExtras(r) : base.extras;
  const v = base.v.slice();
  for (let i = 0, m = changed; m !== 0; i++, m >>>= 1)
    if (m & 1) v[i] = readDelta(r, schema.slots[i] as Slot, base.v[i] as number | string, ctx.deltaK[i] ?? 0);
  return { mask: base.mask, v, extras, view: undefined };
}
