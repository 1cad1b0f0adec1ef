/**
 * Bit-level writer for snapshot packets (the reader is bit-reader.ts), and the integer codes both use.
 *
 * Values are packed least-significant bit first into bytes, with no alignment: a boolean costs
 * one bit, a small delta a handful. Variable-length integers use Exp-Golomb codes of order k
 * (z zero bits, a one, then z + k low bits): small values are short, any value up to 2^53
 * still fits, and the encoder picks k per packet to match the data. Signed values are zigzag
 * mapped first (0, -1, 1, -2 ... -> 0, 1, 2, 3 ...). The reader checks every read against the
 * packet's length and throws HostmeshError('DECODE_FAILED') instead of reading past it, and
 * callers check declared lengths against `remaining()` before allocating anything.
 * Read more: Gaffer on Games, "Reading and Writing Packets"; Wikipedia, "Exponential-Golomb coding".
 */
import { HostmeshError } from '../core/errors.js';

const TWO32 = 2 ** 32;
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Zigzag-maps a signed safe integer to an unsigned one. */
export function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

/** Inverse of `zigzag`. */
export function unzigzag(u: number): number {
  return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
}

/** Number of bits needed to write `v` (0 for 0); exact for v < 2^53. */
export function bitLength(v: number): number {
  return v < TWO32 ? 32 - Math.clz32(v) : 64 - Math.clz32(Math.floor(v / TWO32));
}

/** Cost in bits of `v` as an Exp-Golomb code of order `k`. */
export function egBits(v: number, k: number): number {
  return 2 * bitLength(v + 2 ** k) - 1 - k;
}

/** Throws DECODE_FAILED with `why`. */
export function decodeFailed(why: string): never {
  throw new HostmeshError('DECODE_FAILED', `Malformed snapshot packet: ${why}. It was dropped.`);
}

const encoder = new TextEncoder();
const SLAB_BYTES = 1 << 16;
let slab = new Uint8Array(SLAB_BYTES), slabAt = 0;
const LONE_SURROGATE = /\p{Surrogate}/u;

/** Appends bits to a growable buffer (a 32-bit accumulator flushed a word at a time). */
export class BitWriter {
  private buf: Uint8Array;
  private bytes = 0;
  private acc = 0;
  private accBits = 0;

  constructor(initialBytes = 1536) {
    this.buf = new Uint8Array(initialBytes);
  }

  /** Bits written so far. */
  get pos(): number {
    return this.bytes * 8 + this.accBits;
  }

  /** Clears the writer for reuse. */
  reset(): void {
    this.bytes = this.acc = this.accBits = 0;
  }

  /** Rewinds to bit `pos` (≤ the current position), forgetting what came after it. */
  truncate(pos: number): void {
    if (pos < this.bytes * 8) {
      const at = (pos >>> 5) << 2, b = this.buf;
      this.acc = (b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16) | ((b[at + 3] as number) << 24);
      this.bytes = at;
    }
    this.accBits = pos - this.bytes * 8;
    this.acc = this.accBits === 0 ? 0 : this.acc & (0xffffffff >>> (32 - this.accBits));
  }

  /** Overwrites `n` already written bits at bit `pos`. */
  patch(pos: number, value: number, n: number): void {
    const flushed = this.bytes * 8;
    for (let i = 0; i < n; i++, pos++, value >>>= 1) {
      const on = value & 1;
      if (pos >= flushed) {
        const m = 1 << (pos - flushed);
        this.acc = on ? this.acc | m : this.acc & ~m;
      } else {
        const m = 1 << (pos & 7), b = pos >>> 3;
        this.buf[b] = on ? (this.buf[b] as number) | m : (this.buf[b] as number) & ~m;
      }
    }
  }

  private flush(word: number): void {
    if (this.bytes + 4 > this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    const b = this.buf, at = this.bytes;
    b[at] = word;
    b[at + 1] = word >>> 8;
    b[at + 2] = word >>> 16;
    b[at + 3] = word >>> 24;
    this.bytes = at + 4;
  }

  /** Writes the low `n` (0..32) bits of the unsigned `value` (value < 2^n). */
  bits(value: number, n: number): void {
    const ab = this.accBits;
    if (ab + n < 32) {
      this.acc |= value << ab;
      this.accBits = ab + n;
      return;
    }
    this.flush(this.acc | (value << ab));
    const used = 32 - ab;
    this.acc = used < 32 ? value >>> used : 0;
    this.accBits = ab + n - 32;
  }

  /** Writes one bit. */
  bit(on: boolean | number): void {
    this.bits(on ? 1 : 0, 1);
  }

  /** Writes the low `n` (0..53) bits of a non-negative safe integer. */
  big(value: number, n: number): void {
    if (n <= 32) return this.bits(value, n);
    const hi = Math.floor(value / TWO32);
    this.bits(value - hi * TWO32, 32);
    this.bits(hi, n - 32);
  }

  /** Writes `v` (0 ≤ v < 2^53) as an Exp-Golomb code of order `k` (0..15). */
  eg(v: number, k: number): void {
    const w = v + (1 << k);
    if (w < 0x10000) {
      const n = 32 - Math.clz32(w), z = n - 1 - k;
      return this.bits((((w ^ (1 << (n - 1))) << 1) | 1) << z, z + n);
    }
    if (w < 0x80000000) {
      // Up to 31 significant bits: the zero run, then the one and the bits below the top one, in two writes.
      const n = 32 - Math.clz32(w), z = n - 1 - k;
      if (z > 0) this.bits(0, z);
      return this.bits((((w ^ (1 << (n - 1))) << 1) | 1) >>> 0, n);
    }
    const n = bitLength(w);
    const z = n - 1 - k;
    if (z + n <= 32) return this.bits((2 * (w - 2 ** (n - 1)) + 1) * 2 ** z, z + n);
    this.big(0, z);
    this.bits(1, 1);
    this.big(w - 2 ** (n - 1), n - 1);
  }

  /** Writes a non-negative safe integer as a 6-bit length and its bits below the top one. */
  varuint(v: number): void {
    const n = bitLength(v);
    this.bits(n, 6);
    if (n > 1) this.big(v - 2 ** (n - 1), n - 1);
  }

  /** Writes a float64. */
  float64(v: number): void {
    f64[0] = v;
    this.bits(u32[0] as number, 32);
    this.bits(u32[1] as number, 32);
  }

  /** Writes a string (from UTF-16 unit `from` on) as its UTF-8 byte length (Exp-Golomb k=3) and bytes. */
  string(str: string, from = 0): void {
    const len = str.length - from;
    let ascii = len <= 64;
    for (let i = from; ascii && i < str.length; i++) if (str.charCodeAt(i) > 0x7f) ascii = false;
    if (ascii) {
      this.eg(len, 3);
      let i = from;
      for (; i + 3 <= str.length; i += 3) this.bits(str.charCodeAt(i) | (str.charCodeAt(i + 1) << 8) | (str.charCodeAt(i + 2) << 16), 24);
      for (; i < str.length; i++) this.bits(str.charCodeAt(i), 8);
      return;
    }
    const s = from === 0 ? str : str.slice(from);
    if (LONE_SURROGATE.test(s))
      throw new HostmeshError('INVALID_ARGUMENT', `The string '${s.slice(0, 40)}' has a lone UTF-16 surrogate and cannot be sent; fix the id or value.`);
    const bytes = encoder.encode(s);
    this.eg(bytes.length, 3);
    for (let i = 0; i < bytes.length; i++) this.bits(bytes[i] as number, 8);
  }

  /** Writes a byte array as its length (Exp-Golomb k=5) and bytes. */
  byteArray(bytes: Uint8Array): void {
    this.eg(bytes.length, 5);
    let i = 0;
    for (; i + 3 <= bytes.length; i += 3) this.bits((bytes[i] as number) | ((bytes[i + 1] as number) << 8) | ((bytes[i + 2] as number) << 16), 24);
    for (; i < bytes.length; i++) this.bits(bytes[i] as number, 8);
  }

  /** Bytes written so far (a copy, carved from a shared slab: allocating a buffer per packet costs more than writing it). */
  finish(): Uint8Array {
    const len = this.bytes + ((this.accBits + 7) >>> 3);
    if (slabAt + len > slab.length) { slab = new Uint8Array(Math.max(SLAB_BYTES, len)); slabAt = 0; }
    const out = slab.subarray(slabAt, slabAt + len);
    slabAt += len;
    if (this.bytes > 64) out.set(this.buf.subarray(0, this.bytes));
    else for (let i = 0; i < this.bytes; i++) out[i] = this.buf[i] as number; // a short loop beats making a subarray
    for (let i = this.bytes, a = this.acc; i < out.length; i++, a >>>= 8) out[i] = a;
    return out;
  }
}
