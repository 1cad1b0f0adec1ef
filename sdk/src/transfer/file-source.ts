/**
 * What a sender reads a file from: a Blob (browsers, Node 20) or bytes. Slices are read on
 * demand, one chunk at a time, so sending never holds more of the file than its window. The
 * file's SHA-256 is computed once, up front, by reading it through in 1 MiB slices.
 */
import { sha256 } from '@noble/hashes/sha2.js';

/** What `sendFile` takes: a Blob (File) or bytes. */
export type FileData = Blob | Uint8Array | ArrayBuffer;

/** A readable file of known size. */
export interface FileSource {
  /** Size in bytes. */
  readonly size: number;
  /** Reads bytes [start, end). */
  read(start: number, end: number): Promise<Uint8Array>;
}

/** Wraps `data` as a FileSource; undefined when it is none of the accepted kinds. */
export function fileSource(data: unknown): FileSource | undefined {
  if (data instanceof Uint8Array) return { size: data.length, read: async (s, e) => data.subarray(s, e) };
  if (data instanceof ArrayBuffer) return fileSource(new Uint8Array(data));
  if (typeof Blob !== 'undefined' && data instanceof Blob) {
    return { size: data.size, read: async (s, e) => new Uint8Array(await data.slice(s, e).arrayBuffer()) };
  }
  return undefined;
}

const HASH_SLICE_BYTES = 1024 * 1024;

/** SHA-256 of the whole source, read in slices (yielding between them). */
export async function hashSource(source: FileSource): Promise<Uint8Array> {
  const h = sha256.create();
  for (let at = 0; at < source.size; at += HASH_SLICE_BYTES) {
    h.update(await source.read(at, Math.min(source.size, at + HASH_SLICE_BYTES)));
    await new Promise((r) => setTimeout(r, 0)); // let snapshots and input through
  }
  return h.digest();
}
