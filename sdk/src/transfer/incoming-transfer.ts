/**
 * The receiving side of one file transfer. It is created from a valid FILE_OFFER and waits
 * for the game's consent (`accept()` / `refuse()`, refused after `consentTimeoutMs`). Chunks
 * must come in order, each of the offered size and matching its CRC-32; the assembled file must
 * match the offer's SHA-256 (hashed as the chunks arrive). Anything else ends the transfer with
 * TRANSFER_CORRUPT on both sides. A dropped channel keeps what was verified for
 * `resumeWindowMs`; the sender's resume picks up from there on a new channel.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { Emitter } from '../core/emitter.js';
import { HostmeshError } from '../core/errors.js';
import { MsgType } from '../wire/protocol.js';
import type { BulkWire } from './bulk-wire.js';
import { decodeChunk } from './chunk-frame.js';
import { chunkCount, type FileOffer } from './file-offer.js';
import type { TransferEvents, TransferState } from './outgoing-transfer.js';
import { ProgressMeter } from './progress.js';
import { ACK_EVERY_CHUNKS, type FileTransferOptions } from './transfer-options.js';

/** A received file. */
export interface ReceivedFile {
  /** File name as the sender gave it (cleaned). */
  name: string;
  /** MIME type, or ''. */
  type: string;
  /** The file's bytes. */
  bytes: Uint8Array;
  /** The file as a Blob (where Blob exists: browsers, Node 18+). */
  blob(): Blob;
}

type Hasher = ReturnType<typeof sha256.create>;

/** One file on its way to us from a member. */
export class IncomingTransfer extends Emitter<TransferEvents> {
  /** Where the transfer stands ('offered' until accepted). */
  state: TransferState = 'offered';
  private readonly parts: Uint8Array[] = [];
  private bytes = 0;
  private readonly hasher: Hasher = sha256.create();
  private readonly chunkTotal: number;
  private readonly meter: ProgressMeter;
  private wire: BulkWire | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private settle: { resolve: (f: ReceivedFile) => void; reject: (e: HostmeshError) => void } | undefined;
  private result: Promise<ReceivedFile> | undefined;

  /** Made by the session's file transfers. @internal */
  constructor(
    /** The sending member's id. */ readonly from: string,
    private readonly offer: FileOffer,
    wire: BulkWire,
    private readonly opts: FileTransferOptions,
    private readonly release: () => void,
  ) {
    super();
    this.chunkTotal = chunkCount(offer.size, offer.chunk);
    this.meter = new ProgressMeter(offer.size);
    this.wire = wire;
    this.timer = setTimeout(() => this.refuse(), opts.consentTimeoutMs);
  }

  /** Transfer id (the sender's). */
  get id(): string { return this.offer.id; }
  /** File name (cleaned: no path). */
  get name(): string { return this.offer.name; }
  /** MIME type, or ''. */
  get type(): string { return this.offer.type; }
  /** File size in bytes, as offered. */
  get size(): number { return this.offer.size; }

  /** True when `offer` is this transfer's (same id, size, hash and chunk size): a resume. @internal */
  matches(offer: FileOffer): boolean {
    return offer.id === this.offer.id && offer.size === this.offer.size && offer.chunk === this.offer.chunk
      && offer.hash.every((b, i) => b === this.offer.hash[i]);
  }

  /** Accepts the file; resolves with it once complete and verified. */
  accept(): Promise<ReceivedFile> {
    if (this.result) return this.result;
    this.result = new Promise<ReceivedFile>((resolve, reject) => { this.settle = { resolve, reject }; });
    this.result.catch(() => { /* reported as 'error' too */ });
    if (this.state !== 'offered') { this.settle?.reject(new HostmeshError('TRANSFER_CANCELLED', 'This transfer already ended.')); return this.result; }
    clearTimeout(this.timer);
    this.state = 'sending';
    this.wire?.send(MsgType.FILE_ACCEPT, { from: 0 });
    return this.result;
  }

  /** Refuses the offer; the sender gets TRANSFER_REFUSED. */
  refuse(): void {
    if (this.state !== 'offered') return;
    this.wire?.send(MsgType.FILE_REFUSE, { code: 'TRANSFER_REFUSED', message: `The receiver refused ${this.name}.` });
    this.finish(new HostmeshError('TRANSFER_REFUSED', `We refused ${this.name}.`));
  }

  /** Stops the transfer; the sender gets TRANSFER_CANCELLED. */
  cancel(): void {
    if (this.state === 'done' || this.state === 'failed') return;
    this.wire?.send(MsgType.FILE_CANCEL, { code: 'TRANSFER_CANCELLED', message: 'The receiver cancelled the transfer.' });
    this.finish(new HostmeshError('TRANSFER_CANCELLED', `The transfer of ${this.name} was cancelled by the receiver.`));
  }

  /** Called by the manager: the sender came back on `wire` to resume. @internal */
  resume(wire: BulkWire): void {
    this.wire?.close();
    this.wire = wire;
    clearTimeout(this.timer);
    if (this.state === 'offered') return; // not accepted yet: consent still pending
    this.state = 'sending';
    wire.send(MsgType.FILE_ACCEPT, { from: this.parts.length });
  }

  /** Called by the manager: the channel closed. @internal */
  dropped(wire: BulkWire): void {
    if (wire !== this.wire || this.state === 'done' || this.state === 'failed') return;
    this.wire = undefined;
    if (this.state === 'offered') { this.finish(new HostmeshError('TRANSFER_FAILED', 'The sender went away before we answered.')); return; }
    this.state = 'interrupted';
    this.emit('interrupted');
    this.timer = setTimeout(() => this.finish(new HostmeshError('TRANSFER_FAILED', `The sender did not resume ${this.name} within ${this.opts.resumeWindowMs} ms.`)), this.opts.resumeWindowMs);
  }

  /** Called by the manager: a frame on the current channel. @internal */
  frame(wire: BulkWire, type: number, body: unknown): void {
    if (wire !== this.wire || this.state !== 'sending') return;
    if (type === MsgType.FILE_CHUNK) this.chunk(body as Uint8Array);
    else if (type === MsgType.FILE_DONE) this.complete();
    else if (type === MsgType.FILE_CANCEL) this.finish(new HostmeshError('TRANSFER_CANCELLED', `The sender cancelled ${this.name}.`));
  }

  /** Ends the transfer with `err` (the session closed, the sender left). @internal */
  fail(err: HostmeshError): void {
    this.finish(err);
  }

  private chunk(body: Uint8Array): void {
    const c = decodeChunk(body);
    const index = this.parts.length;
    const expected = index === this.chunkTotal - 1 ? this.offer.size - index * this.offer.chunk : this.offer.chunk;
    if (!c || c.index !== index || index >= this.chunkTotal || c.payload.length !== expected || !c.intact) {
      this.corrupt(c ? `chunk ${c.index} (expected ${index}) ${c.intact ? 'was out of order or the wrong size' : 'failed its CRC-32 check'}` : 'a chunk was truncated');
      return;
    }
    this.parts.push(c.payload);
    this.hasher.update(c.payload);
    this.bytes += c.payload.length;
    const n = this.parts.length;
    if (n % ACK_EVERY_CHUNKS === 0 || n === this.chunkTotal) this.wire?.send(MsgType.FILE_ACK, { n });
    this.emit('progress', this.meter.update(this.bytes));
  }

  private complete(): void {
    if (this.parts.length !== this.chunkTotal || this.bytes !== this.offer.size) { this.corrupt('the sender finished early'); return; }
    const digest = this.hasher.digest();
    if (!digest.every((b, i) => b === this.offer.hash[i])) { this.corrupt('the file does not match its SHA-256'); return; }
    this.wire?.send(MsgType.FILE_ACK, { n: this.chunkTotal, fin: true });
    // The chunks are joined on first use of `bytes`: a game that only wants the Blob never holds two copies.
    const parts = this.parts.splice(0);
    const total = this.bytes;
    const { name, type } = this.offer;
    let joined: Uint8Array | undefined;
    const file: ReceivedFile = {
      name, type,
      get bytes() { return (joined ??= join(parts, total)); },
      blob: () => new Blob((joined ? [joined] : parts) as Uint8Array<ArrayBuffer>[], { type }),
    };
    this.state = 'done';
    this.settle?.resolve(file);
    this.cleanup();
  }

  private corrupt(detail: string): void {
    const message = `${this.name} from player ${this.from} failed its integrity check: ${detail}. Ask for it again.`;
    this.wire?.send(MsgType.FILE_CANCEL, { code: 'TRANSFER_CORRUPT', message });
    this.finish(new HostmeshError('TRANSFER_CORRUPT', message));
  }

  private finish(err: HostmeshError): void {
    if (this.state === 'done' || this.state === 'failed') return;
    this.state = 'failed';
    this.parts.length = 0;
    this.settle?.reject(err);
    this.emit('error', err);
    this.cleanup();
  }

  private cleanup(): void {
    clearTimeout(this.timer);
    const wire = this.wire;
    this.wire = undefined;
    if (wire) setTimeout(() => wire.close(), 100); // let the last frame leave
    this.release();
  }
}

function join(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
