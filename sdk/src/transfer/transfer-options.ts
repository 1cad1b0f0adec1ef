/** Options of file transfer, with their defaults. */
import { MAX_BULK_FRAME_BYTES } from '../wire/protocol.js';
import { CHUNK_HEADER_BYTES } from './chunk-frame.js';

/** Options of file transfers (`session.setFileOptions`). */
export interface FileTransferOptions {
  /** Receiver: the largest file accepted, bytes; larger offers are refused with TRANSFER_TOO_LARGE. Default: 64 MiB. */
  maxFileBytes: number;
  /** Receiver: incoming transfers at once (offered, running or waiting for a resume); more are refused. Default: 8. */
  maxIncoming: number;
  /** Receiver: time to accept an offer before it is refused, ms. Default: 30000. */
  consentTimeoutMs: number;
  /** Receiver: how long a dropped transfer is kept for its sender to resume, ms. Default: 30000. */
  resumeWindowMs: number;
  /** Sender: most bytes queued in the channel's send buffer (`bufferedAmount`). Default: 1 MiB. */
  windowBytes: number;
  /** Sender: most bytes sent and not yet acknowledged by the receiver. Default: 4 MiB. */
  unackedBytes: number;
  /** Sender: chunk payload size, bytes (at most 16 KiB minus the 9-byte header). Default: 16375. */
  chunkBytes: number;
  /** Sender: reconnects (each resuming from the last acknowledged chunk) before giving up. Default: 5. */
  maxResumes: number;
  /** Sender: no acknowledgement for this long while data is outstanding counts as a dropped link, ms. Default: 15000. */
  stallTimeoutMs: number;
  /** Time to open a file connection to a member, ms. Default: 10000. */
  connectTimeoutMs: number;
}

/** Largest chunk payload: the whole frame (type byte, chunk header, payload) within MAX_BULK_FRAME_BYTES. */
export const MAX_CHUNK_BYTES = MAX_BULK_FRAME_BYTES - 1 - CHUNK_HEADER_BYTES;

/** Default file transfer options. */
export const fileTransferDefaults: FileTransferOptions = {
  maxFileBytes: 64 * 1024 * 1024,
  maxIncoming: 8,
  consentTimeoutMs: 30_000,
  resumeWindowMs: 30_000,
  windowBytes: 1024 * 1024,
  unackedBytes: 4 * 1024 * 1024,
  chunkBytes: MAX_CHUNK_BYTES,
  maxResumes: 5,
  stallTimeoutMs: 15_000,
  connectTimeoutMs: 10_000,
};

/** Receiver: acknowledge after this many chunks (and at the end). */
export const ACK_EVERY_CHUNKS = 16;
