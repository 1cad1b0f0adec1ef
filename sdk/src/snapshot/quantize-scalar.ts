/**
 * Scalar quantizers: floats to integer multiples of a step (error ≤ step/2), angles to n-bit
 * integers (wrapping; decoded into [-π, π)), and quaternions "smallest three": the index of the
 * largest component (2 bits) plus the other three, each in [-1/√2, 1/√2], on an odd grid of
 * 2^bits − 1 levels so zero is exact; the receiver rebuilds the largest as √(1 − Σ others²).
 * Read more: Gaffer on Games, "Snapshot Compression" (smallest three).
 */
import { integerInverse } from './schema.js';

const TWO_PI = 2 * Math.PI;
const SQRT1_2 = Math.SQRT1_2;

/** Quantizes a float to a multiple of `step`. */
export function quantizeFloat(value: number, step: number, inv = integerInverse(step)): number {
  return (inv ? Math.round(value * inv) : Math.round(value / step)) + 0; // + 0 turns -0 into 0
}

/** Dequantizes a float quantized with `step`. */
export function dequantizeFloat(q: number, step: number, inv = integerInverse(step)): number {
  return inv ? q / inv : q * step;
}

/** Quantizes an angle in radians (any range) to an integer in [0, 2^bits). */
export function quantizeAngle(radians: number, bits: number): number {
  const n = 2 ** bits;
  const q = Math.round((radians / TWO_PI) * n) % n;
  return q < 0 ? q + n : q + 0;
}

/** Dequantizes an angle to radians in [-π, π). */
export function dequantizeAngle(q: number, bits: number): number {
  const n = 2 ** bits;
  return ((q >= n / 2 ? q - n : q) * TWO_PI) / n;
}

/** Packs a quaternion (x, y, z, w; any length > 0) smallest-three into one integer of 2 + 3·bits bits. */
export function quantizeQuat(x: number, y: number, z: number, w: number, bits: number): number {
  const len = Math.sqrt(x * x + y * y + z * z + w * w);
  if (!(len > 1e-9) || len === Infinity) return NaN;
  const ax = Math.abs(x), ay = Math.abs(y), az = Math.abs(z), aw = Math.abs(w);
  let big = 3, top = aw, a = x, b = y, c = z;
  if (ax > top) { big = 0; top = ax; a = y; b = z; c = w; }
  if (ay > top) { big = 1; top = ay; a = x; b = z; c = w; }
  if (az > top) { big = 2; a = x; b = y; c = w; }
  const largest = big === 0 ? x : big === 1 ? y : big === 2 ? z : w;
  const m = (1 << (bits - 1)) - 1;
  const f = ((largest < 0 ? -m : m) / len) * Math.SQRT2; // scale to [-m, m], sign-flipped so the largest is positive
  const scale = 1 << bits;
  const qa = Math.round(a * f), qb = Math.round(b * f), qc = Math.round(c * f);
  return ((big * scale + clamp(qa, m) + m) * scale + clamp(qb, m) + m) * scale + clamp(qc, m) + m;
}

function clamp(v: number, m: number): number {
  return v > m ? m : v < -m ? -m : v;
}

/** Splits a packed quaternion into `out` = [largest index, a, b, c] (the three stored components, 0..2^bits−2). */
export function unpackQuat(packed: number, bits: number, out: number[]): number[] {
  const scale = 1 << bits;
  let h = Math.floor(packed / scale);
  out[3] = packed - h * scale;
  packed = h;
  h = Math.floor(packed / scale);
  out[2] = packed - h * scale;
  packed = h;
  h = Math.floor(packed / scale);
  out[1] = packed - h * scale;
  out[0] = h;
  return out;
}

/** Packs [largest index, a, b, c] back into one integer. */
export function packQuat(big: number, a: number, b: number, c: number, bits: number): number {
  const scale = 1 << bits;
  return ((big * scale + a) * scale + b) * scale + c;
}

const unpacked = [0, 0, 0, 0];

/** Unpacks a smallest-three quaternion into `out` as [x, y, z, w]. */
export function dequantizeQuat(packed: number, bits: number, out: number[] = [0, 0, 0, 0]): number[] {
  const m = (1 << (bits - 1)) - 1;
  unpackQuat(packed, bits, unpacked);
  const big = unpacked[0] as number;
  let sum = 0;
  for (let i = 0, j = 1; i < 4; i++) {
    if (i === big) continue;
    const v = (((unpacked[j++] as number) - m) / m) * SQRT1_2;
    out[i] = v;
    sum += v * v;
  }
  out[big] = Math.sqrt(Math.max(0, 1 - sum));
  return out;
}
