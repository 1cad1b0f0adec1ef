/**
 * Bit-level reader for snapshot packets: the inverse of BitWriter (bitpack.ts). Every read is
 * checked against the packet's length and throws HostmeshError('DECODE_FAILED') instead of
 * reading past it; callers check declared lengths against `remaining()` before allocating.
 */
import { decodeFailed } from './bitpack.js';

const TWO32 = 2 ** 32;
const decoder = new TextDecoder('utf-8', { fatal: true });

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
let strScratch = new Uint8Array(256);

/** Reads bits written by `BitWriter`; every read past the end throws DECODE_FAILED. */
export class BitReader {
  private buf = new Uint8Array(1540);
  private end = 0;
  /** Bits read so far. */
  pos = 0;

  /** Starts reading `packet` (copied into a zero-padded buffer, so reads never leave it). */
  reset(packet: Uint8Array): this {
    if (packet.length + 4 > this.buf.length) this.buf = new Uint8Array(packet.length + 4);
    this.buf.set(packet);
    this.buf.fill(0, packet.length, packet.length + 4);
    this.end = packet.length * 8;
    this.pos = 0;
    return this;
  }

  /** Bits left. */
  remaining(): number {
    return this.end - this.pos;
  }

  /** Reads `n` (0..32) bits as an unsigned integer. */
  bits(n: number): number {
    if (n > 25) {
      const lo = this.bits(16);
      return this.bits(n - 16) * 65536 + lo;
    }
    const p = this.pos;
    if (p + n > this.end) decodeFailed('it ends too early');
    this.pos = p + n;
    const b = this.buf, i = p >>> 3;
    const w = ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24)) >>> (p & 7);
    return w & ((1 << n) - 1);
  }

  /** Reads one bit as a boolean. */
  bit(): boolean {
    return this.bits(1) === 1;
  }

  /** Reads `n` (0..53) bits. */
  big(n: number): number {
    if (n <= 32) return this.bits(n);
    const lo = this.bits(32);
    return this.bits(n - 32) * TWO32 + lo;
  }

  /** Reads an Exp-Golomb code of order `k`. */
  eg(k: number): number {
    const p = this.pos, b = this.buf, i = p >>> 3;
    const win = ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24)) >>> (p & 7);
    if ((win & 0x1ffffff) !== 0) {
      const z = 31 - Math.clz32(win & -win);
      const total = 2 * z + 1 + k;
      if (total <= 25 && p + total <= this.end) {
        this.pos = p + total;
        return ((win >>> (z + 1)) & ((1 << (z + k)) - 1)) + (1 << (z + k)) - (1 << k);
      }
      // A longer code whose zero run fits the window: skip the run and the one, then read the rest at once.
      if (p + z + 1 <= this.end && z + k <= 52) {
        this.pos = p + z + 1;
        const n = z + k;
        return 2 ** n + this.big(n) - 2 ** k;
      }
    }
    let z = 0;
    while (this.bits(1) === 0) if (++z > 52 - k) decodeFailed('a variable-length integer is too long');
    const n = z + k;
    return 2 ** n + this.big(n) - 2 ** k;
  }

  /** Reads a value written by `BitWriter.varuint`. */
  varuint(): number {
    const n = this.bits(6);
    if (n > 53) decodeFailed('a length field is out of range');
    return n <= 1 ? n : 2 ** (n - 1) + this.big(n - 1);
  }

  /** Reads a float64. */
  float64(): number {
    u32[0] = this.bits(32);
    u32[1] = this.bits(32);
    return f64[0] as number;
  }

  /** Reads a string like `string()`, returning `prev` itself when the bytes spell it (ASCII): equal strings are shared, not rebuilt. */
  stringLike(prev: string | undefined): string {
    if (prev === undefined) return this.string();
    const at = this.pos, len = this.eg(3);
    if (len === prev.length && len * 8 <= this.remaining() && this.asciiEquals(prev, 0, len)) return prev;
    this.pos = at;
    return this.string();
  }

  /** Reads `n` bytes (the caller checked they are there) if they are the ASCII units `s[from..from+n)`; else leaves the position anywhere and returns false. */
  asciiEquals(s: string, from: number, n: number): boolean {
    let i = 0;
    for (; i + 3 <= n; i += 3) {
      const c0 = s.charCodeAt(from + i), c1 = s.charCodeAt(from + i + 1), c2 = s.charCodeAt(from + i + 2);
      if ((c0 | c1 | c2) > 0x7f || this.bits(24) !== (c0 | (c1 << 8) | (c2 << 16))) return false;
    }
    for (; i < n; i++) {
      const c = s.charCodeAt(from + i);
      if (c > 0x7f || this.bits(8) !== c) return false;
    }
    return true;
  }

  /** Reads a byte array written by `BitWriter.byteArray`, of at most `maxBytes` bytes. */
  byteArray(maxBytes: number): Uint8Array {
    const len = this.eg(5);
    if (len > maxBytes) decodeFailed('a packed value is longer than allowed');
    if (len * 8 > this.remaining()) decodeFailed('a packed value is longer than the packet');
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) out[i] = this.bits(8);
    return out;
  }

  /** Reads a string written by `BitWriter.string`, of at most `maxBytes` bytes. */
  string(maxBytes = Infinity): string {
    const len = this.eg(3);
    if (len > maxBytes) decodeFailed('a string is longer than allowed');
    if (len * 8 > this.remaining()) decodeFailed('a string is longer than the packet');
    if (len > strScratch.length) strScratch = new Uint8Array(len);
    let high = 0, i = 0;
    for (; i + 3 <= len; i += 3) {
      const w = this.bits(24);
      strScratch[i] = w;
      strScratch[i + 1] = w >>> 8;
      strScratch[i + 2] = w >>> 16;
      high |= w;
    }
    for (; i < len; i++) high |= strScratch[i] = this.bits(8);
    const ascii = (high & 0x808080) === 0;
    const bytes = strScratch.subarray(0, len);
    if (ascii) return len <= 1024 ? String.fromCharCode.apply(null, bytes as unknown as number[]) : decoder.decode(bytes);
    try {
      return decoder.decode(bytes);
    } catch {
      return decodeFailed('a string is not valid UTF-8');
    }
  }
}
