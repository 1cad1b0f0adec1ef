/**
 * One schema slot's value on the wire, absolute or as a delta from a baseline value: floats and
 * ints zigzag Exp-Golomb (order `k`), angles raw bits or a wrapped difference, bools one bit (a
 * delta is a flip and costs nothing), strings length-prefixed, quaternions raw "smallest three"
 * or, when the largest component is the same, three small component differences. Both the
 * general record code (records.ts) and the compiled writers and readers (compiled/records.ts)
 * call these; every value read is range-checked, so a hostile packet fails as DECODE_FAILED.
 */
import { decodeFailed, unzigzag, zigzag, type BitWriter } from './bitpack.js';
import type { BitReader } from './bit-reader.js';
import { MAX_QUANTIZED } from './qentity.js';
import { packQuat, unpackQuat } from './quantize-scalar.js';
import { SlotKind, type Slot } from './schema.js';

/** Writes slot `slot`'s absolute value (order `k` for numbers). */
export function writeAbs(w: BitWriter, slot: Slot, value: number | string, k: number): void {
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

/** Reads slot `slot`'s delta from `base`. */
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
