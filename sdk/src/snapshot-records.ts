/**
 * Snapshot entity records: one entity's full record or delta, written and read side by side.
 *
 * Full record: presence mask over schema slots (or one bit: "same as the previous full record"),
 * then each present value in absolute form (floats and ints zigzag Exp-Golomb, angles and
 * quaternions raw bits, bools one bit, strings length-prefixed), then fields outside the schema
 * (snapshot-extras.ts: names once per packet, per-field deltas).
 * Changed record: one bit "same fields changed as in the previous record", else a replace bit
 * (then a full record) and "every field changed" or a mask over the baseline's fields; then per
 * changed field the integer difference (angles wrap; a bool flip costs nothing; quaternions delta
 * their three small components when the largest one is the same). The encoder chooses the Exp-Golomb orders per packet; `RecordContext` carries them.
 * Read more: Gaffer on Games, "Snapshot Compression".
 */
import { decodeFailed, unzigzag, zigzag, type BitWriter } from './bitpack.js';
import type { BitReader } from './bit-reader.js';
import { deltaCode, maskCode } from './compiled-records.js';
import { MAX_QUANTIZED, sameExtras, type QEntity } from './quantize.js';
import { readExtras, readExtrasDelta, writeExtras, writeExtrasDelta, type ExtrasShape } from './snapshot-extras.js';
import { packQuat, unpackQuat } from './quantize-scalar.js';
import { SlotKind, type CompiledSchema, type Slot } from './schema.js';

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

/** Reads slot `slot`'s absolute value (order `k` for numbers). */
export function readAbs(r: BitReader, slot: Slot, k: number): number | string {
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

export function readDelta(r: BitReader, slot: Slot, base: number | string, k: number): number | string {
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

/** Per-packet writer/reader context: code orders and the previous full record's mask. */
export interface RecordContext {
  absK: number[];
  deltaK: number[];
  prevMask: number;
  /** Changed-field mask of the previous delta record in this packet (NaN: none yet). */
  prevChanged: number;
  /** Extras shapes seen so far in this packet (see snapshot-extras.ts). */
  shapes: ExtrasShape[];
}

/** Writes an entity's full record (presence, absolute values, extras). */
export function writeFull(w: BitWriter, schema: CompiledSchema, e: QEntity, ctx: RecordContext): void {
  const same = e.mask === ctx.prevMask;
  w.bit(same);
  if (!same) w.bits(e.mask >>> 0, schema.slots.length);
  ctx.prevMask = e.mask;
  const code = maskCode(schema, e.mask);
  if (code) code.write(w, e.v, ctx.absK);
  else for (let i = 0, m = e.mask; m !== 0; i++, m >>>= 1) if (m & 1) writeAbs(w, schema.slots[i] as Slot, e.v[i] as number | string, ctx.absK[i] ?? 0);
  w.bit(e.extras !== undefined);
  if (e.extras) writeExtras(w, e.extras, ctx.shapes);
}

/** Reads a full record; `like` (the same entity in an older tick, if known) is returned when equal, and lends equal strings. */
export function readFull(r: BitReader, schema: CompiledSchema, ctx: RecordContext, like?: QEntity): QEntity {
  const n = schema.slots.length;
  const mask = r.bit() ? ctx.prevMask : n === 32 ? r.bits(32) | 0 : r.bits(n);
  ctx.prevMask = mask;
  const v = readScratch;
  for (let i = 0; i < n; i++) v[i] = 0;
  const code = maskCode(schema, mask);
  if (code) code.read(r, v, ctx.absK, schema.slots);
  else for (let i = 0, m = mask; m !== 0; i++, m >>>= 1) if (m & 1) v[i] = readAbs(r, schema.slots[i] as Slot, ctx.absK[i] ?? 0);
  const extras = r.bit() ? readExtras(r, ctx.shapes, like?.extras) : undefined;
  if (like && like.mask === mask && like.extras === extras) {
    let same = true;
    for (let i = 0, m = mask; same && m !== 0; i++, m >>>= 1) if (m & 1 && like.v[i] !== v[i]) same = false;
    if (same) return like;
  }
  return { mask, v: v.slice(0, n), extras, view: undefined, src: undefined };
}

const readScratch: (number | string)[] = new Array<number | string>(32).fill(0);

/** True when `cur` can be sent as a delta of `base` (same fields present). */
export function deltaCompatible(cur: QEntity, base: QEntity): boolean {
  return cur.mask === base.mask && (cur.extras === undefined) === (base.extras === undefined);
}

/**
 * Writes a changed entity: [same mask as the previous delta: 1] or [0][replace: 1 + full record]
 * or [0][0][all fields: 1, or 0 + mask over the baseline's fields]; then extras and deltas.
 */
export function writeChanged(w: BitWriter, schema: CompiledSchema, cur: QEntity, base: QEntity, ctx: RecordContext): void {
  if (!deltaCompatible(cur, base)) {
    w.bits(0b10, 2);
    writeFull(w, schema, cur, ctx);
    return;
  }
  let changed = 0, all = true;
  for (let i = 0, m = base.mask; m !== 0; i++, m >>>= 1) {
    if (!(m & 1)) continue;
    if (cur.v[i] !== base.v[i]) changed |= 1 << i;
    else all = false;
  }
  // Moving entities tend to change the same fields: "same as the previous record" costs one bit.
  const same = changed === ctx.prevChanged;
  ctx.prevChanged = changed;
  if (same) w.bits(1, 1);
  else {
    w.bits(0, 2);
    if (base.mask !== 0) {
      w.bit(all);
      if (!all) for (let i = 0, m = base.mask; m !== 0; i++, m >>>= 1) if (m & 1) w.bit((changed >>> i) & 1);
    }
  }
  if (base.extras) {
    const extrasChanged = !sameExtras(cur.extras, base.extras);
    w.bit(extrasChanged);
    if (extrasChanged && cur.extras) writeExtrasDelta(w, cur.extras, base.extras, ctx.shapes);
  }
  const code = changed === 0 ? undefined : deltaCode(schema, changed);
  if (code) code.write(w, cur.v, base.v, ctx.deltaK);
  else for (let i = 0, m = changed; m !== 0; i++, m >>>= 1)
    if (m & 1) writeDelta(w, schema.slots[i] as Slot, cur.v[i] as number | string, base.v[i] as number | string, ctx.deltaK[i] ?? 0);
}

/** Reads a changed entity written by `writeChanged` against its baseline `base`. */
export function readChanged(r: BitReader, schema: CompiledSchema, base: QEntity, ctx: RecordContext): QEntity {
  let changed = 0;
  if (r.bit()) {
    changed = ctx.prevChanged;
    if (Number.isNaN(changed) || (changed & ~base.mask) !== 0) decodeFailed('a delta reuses a field mask that does not fit its entity');
  } else if (r.bit()) {
    if (ctx.absK.length !== schema.slots.length) decodeFailed('a full record comes without its code table');
    return readFull(r, schema, ctx, base);
  } else if (base.mask !== 0) {
    if (r.bit()) changed = base.mask;
    else for (let i = 0, m = base.mask; m !== 0; i++, m >>>= 1) if (m & 1 && r.bit()) changed |= 1 << i;
  }
  if (changed !== 0 && ctx.deltaK.length !== schema.slots.length) decodeFailed('a delta record comes without its code table');
  ctx.prevChanged = changed;
  const extras = base.extras && r.bit() ? readExtrasDelta(r, base.extras, ctx.shapes) : base.extras;
  const v = base.v.slice();
  const code = changed === 0 ? undefined : deltaCode(schema, changed);
  if (code) code.read(r, v, ctx.deltaK);
  else for (let i = 0, m = changed; m !== 0; i++, m >>>= 1)
    if (m & 1) v[i] = readDelta(r, schema.slots[i] as Slot, base.v[i] as number | string, ctx.deltaK[i] ?? 0);
  return { mask: base.mask, v, extras, view: undefined, src: undefined };
}
