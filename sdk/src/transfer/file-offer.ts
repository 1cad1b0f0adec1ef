/** The FILE_OFFER a sender opens each bulk channel with, and its check on the receiving side. */
import { MAX_CHUNK_BYTES } from './transfer-options.js';

/** What a sender says about the file it offers. */
export interface FileOffer {
  /** Transfer id, chosen by the sender (the same on each resume). */
  id: string;
  /** File name (cleaned: no path, at most 255 characters). */
  name: string;
  /** MIME type, or '' when unknown. */
  type: string;
  /** Size in bytes. */
  size: number;
  /** SHA-256 of the whole file (32 bytes). */
  hash: Uint8Array;
  /** Chunk payload size, bytes. */
  chunk: number;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A name safe to show and to save: no path, no control characters, at most 255 characters. */
export function cleanFileName(name: unknown): string {
  const s = typeof name === 'string' ? name : '';
  // eslint-disable-next-line no-control-regex
  const base = s.split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 255);
  return base.length > 0 && base !== '.' && base !== '..' ? base : 'file';
}

/** Reads a FILE_OFFER body; undefined when it is not one a hostmesh sender makes. */
export function readOffer(body: unknown): FileOffer | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  const { id, size, hash, chunk } = b;
  if (typeof id !== 'string' || !ID.test(id)) return undefined;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return undefined;
  if (!(hash instanceof Uint8Array) || hash.length !== 32) return undefined;
  if (typeof chunk !== 'number' || !Number.isInteger(chunk) || chunk < 1024 || chunk > MAX_CHUNK_BYTES) return undefined;
  const type = typeof b.type === 'string' && b.type.length <= 128 && /^[\x20-\x7e]*$/.test(b.type) ? b.type : '';
  return { id, name: cleanFileName(b.name), type, size, hash, chunk };
}

/** Number of chunks of a file of `size` bytes in chunks of `chunk` bytes. */
export function chunkCount(size: number, chunk: number): number {
  return Math.ceil(size / chunk);
}
