/**
 * A check that bytes are one plain msgpack value, run on every frame body before msgpackr sees
 * it. msgpackr's decoder also understands its own extensions (records, shared structures,
 * references that build cycles, bundled strings, typed arrays, errors): a 356-byte frame with a
 * reference cycle once cost a host a second of event loop when it re-encoded it. This walk
 * accepts only the msgpack spec's own types (nil, bool, int, float, str, bin, array, map) plus
 * two fixed-size extensions msgpackr writes for plain values (`undefined` and the spec's
 * timestamp), caps the nesting depth, and needs every declared length to fit in the bytes
 * given, so what passes decodes to a tree no larger than its input. It is one pass with an
 * explicit stack: no recursion a deep frame could overflow. Spec: github.com/msgpack/msgpack.
 */
import { HostmeshError } from '../core/errors.js';

/** Deepest nesting of arrays and maps a frame body may have. */
export const MAX_BODY_DEPTH = 32;

const stack = new Int32Array(MAX_BODY_DEPTH + 1);

function fail(why: string): never {
  throw new HostmeshError('DECODE_FAILED', `Dropped a frame that is not plain msgpack: ${why}.`);
}

/** Throws DECODE_FAILED unless `bytes` holds exactly one plain msgpack value nested at most `maxDepth` deep. */
export function checkPlainMsgpack(bytes: Uint8Array, maxDepth = MAX_BODY_DEPTH): void {
  const len = bytes.length;
  const depthCap = Math.min(maxDepth, MAX_BODY_DEPTH);
  let pos = 0;
  let depth = 0;
  stack[0] = 1;
  const u8 = () => { if (pos + 1 > len) fail('truncated'); return bytes[pos++]!; };
  const u16 = () => { if (pos + 2 > len) fail('truncated'); const v = (bytes[pos]! << 8) | bytes[pos + 1]!; pos += 2; return v; };
  const u32 = () => { if (pos + 4 > len) fail('truncated'); const v = ((bytes[pos]! << 24) >>> 0) + ((bytes[pos + 1]! << 16) | (bytes[pos + 2]! << 8) | bytes[pos + 3]!); pos += 4; return v; };
  while (depth >= 0) {
    if (stack[depth] === 0) { depth--; continue; }
    stack[depth]!--;
    const b = u8();
    let skip = 0;
    let children = -1;
    if (b <= 0x7f || b >= 0xe0) { /* fixint */ }
    else if (b <= 0x8f) children = (b & 0x0f) * 2;
    else if (b <= 0x9f) children = b & 0x0f;
    else if (b <= 0xbf) skip = b & 0x1f;
    else {
      switch (b) {
        case 0xc0: case 0xc2: case 0xc3: break;
        case 0xc4: case 0xd9: skip = u8(); break;
        case 0xc5: case 0xda: skip = u16(); break;
        case 0xc6: case 0xdb: skip = u32(); break;
        case 0xcc: case 0xd0: skip = 1; break;
        case 0xcd: case 0xd1: skip = 2; break;
        case 0xca: case 0xce: case 0xd2: skip = 4; break;
        case 0xcb: case 0xcf: case 0xd3: skip = 8; break;
        case 0xdc: children = u16(); break;
        case 0xdd: children = u32(); break;
        case 0xde: children = u16() * 2; break;
        case 0xdf: children = u32() * 2; break;
        case 0xd4: // fixext 1: msgpackr's `undefined` is type 0, data 0
          if (u8() !== 0x00 || u8() !== 0x00) fail('an extension type');
          break;
        case 0xd6: case 0xd7: // fixext 4 / 8: the timestamp extension (type -1) only
          if (u8() !== 0xff) fail('an extension type');
          skip = b === 0xd6 ? 4 : 8;
          break;
        case 0xc7: // ext 8 with 12 bytes: the 96-bit timestamp only
          if (u8() !== 12 || u8() !== 0xff) fail('an extension type');
          skip = 12;
          break;
        default: fail(b === 0xc1 ? 'the never-used byte 0xc1' : 'an extension type');
      }
    }
    if (skip > 0) {
      pos += skip;
      if (pos > len) fail('truncated');
    }
    if (children > 0) {
      // Every element takes at least one byte: a count past what is left cannot be honest.
      if (children > len - pos) fail('a container declares more elements than its bytes hold');
      if (++depth > depthCap) fail(`nested deeper than ${depthCap}`);
      stack[depth] = children;
    }
  }
  if (pos !== len) fail('bytes after the value');
}
