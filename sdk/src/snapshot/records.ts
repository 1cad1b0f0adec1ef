/**
 * Snapshot entity records: one entity's full record or delta, written and read side by side.
 *
 * Full record: presence mask over schema slots (or one bit: "same as the previous full record"),
 * then each present value in absolute form (slot-codec.ts: floats and ints zigzag Exp-Golomb, angles and
 * quaternions raw bits, bools one bit, strings length-prefixed), then fields outside the schema
 * (extras.ts: names once per packet, per-field deltas).
 * Changed record: one bit "same fields changed as in the previous record", else a replace bit
 * (then a full record) and "every field changed" or a mask over the baseline's fields; then per
 * changed field the integer difference (angles wrap; a bool flip costs nothing; quaternions delta
 * their three small components when the largest one is the same). The encoder chooses the Exp-Golomb orders per packet; `RecordContext` carries them.
 * Read more: Gaffer on Games, "Snapshot Compression".
 */
import { decodeFailed, type BitWriter } from './bitpack.js';
import type { BitReader } from './bit-reader.js';
import { deltaCode, maskCode } from './compiled/records.js';
import type { QEntity } from './qentity.js';
import { sameExtras } from './quantize.js';
import { readExtras, readExtrasDelta, writeExtras, writeExtrasDelta, type ExtrasShape } from './extras.js';
import type { CompiledSchema, Slot } from './schema.js';
import { readAbs, readDelta, writeAbs, writeDelta } from './slot-codec.js';

/** Per-packet writer/reader context: code orders and the previous full record's mask. */
export interface RecordContext {
  absK: number[];
  deltaK: number[];
  prevMask: number;
  /** Changed-field mask of the previous delta record in this packet (NaN: none yet). */
  prevChanged: number;
  /** Extras shapes seen so far in this packet (see extras.ts). */
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
