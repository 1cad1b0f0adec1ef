/**
 * One file chunk on a bulk channel: the FILE_CHUNK body `[u32 index][u32 crc32][bytes]`. The
 * CRC-32 (IEEE, the zlib polynomial) catches a corrupted chunk where it arrives; the file's
 * SHA-256 in its offer proves the whole file at the end (FACTS.md: Web Crypto cannot hash a
 * stream, and is missing on plain-http pages, so both are computed in JS).
 */

/** Bytes before a chunk's payload. */
export const CHUNK_HEADER_BYTES = 8;

const table = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Encodes chunk `index` with its checksum. */
export function encodeChunk(index: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(CHUNK_HEADER_BYTES + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, index);
  view.setUint32(4, crc32(payload));
  out.set(payload, CHUNK_HEADER_BYTES);
  return out;
}

/** A decoded chunk: its index, its payload, and whether the checksum matched. */
export interface Chunk {
  /** Chunk index from 0. */
  index: number;
  /** The chunk's bytes (a view into the frame). */
  payload: Uint8Array;
  /** False when the payload does not match its CRC-32. */
  intact: boolean;
}

/** Decodes a FILE_CHUNK body; undefined when it is too short to hold the header. */
export function decodeChunk(body: Uint8Array): Chunk | undefined {
  if (body.length < CHUNK_HEADER_BYTES) return undefined;
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const payload = body.subarray(CHUNK_HEADER_BYTES);
  return { index: view.getUint32(0), payload, intact: crc32(payload) === view.getUint32(4) };
}
