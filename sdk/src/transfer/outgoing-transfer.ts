/**
 * The sending side of one file transfer to one member. It hashes the file (SHA-256), opens a
 * bulk channel (a connection of its own), offers the file and waits for consent, then sends
 * chunks while two windows allow: the channel's `bufferedAmount` (woken by
 * `bufferedamountlow`) and the bytes the receiver has not acknowledged yet, so a receiver that
 * stops acknowledging stops the sender and its memory stays bounded. A link that drops (or
 * stalls) is reopened and the transfer resumes from the receiver's last acknowledged chunk,
 * up to `maxResumes` times. Refusal, an oversize file, corruption and cancellation are final.
 */
import { Emitter } from '../core/emitter.js';
import { HostmeshError, type ErrorCode } from '../core/errors.js';
import type { Network } from '../link/network.js';
import { MsgType } from '../wire/protocol.js';
import { BulkWire } from './bulk-wire.js';
import { chunkCount } from './file-offer.js';
import { hashSource, type FileSource } from './file-source.js';
import { ProgressMeter, type TransferProgress } from './progress.js';
import type { FileTransferOptions } from './transfer-options.js';

/** Events of a transfer (either side). */
export interface TransferEvents {
  /** More bytes are done (sender: acknowledged by the receiver). */
  progress: [progress: TransferProgress];
  /** The link dropped; the transfer waits to resume from the last acknowledged chunk. */
  interrupted: [];
  /** The transfer failed or was cancelled (final). */
  error: [error: HostmeshError];
}

/** Where a transfer stands. */
export type TransferState = 'preparing' | 'offered' | 'sending' | 'interrupted' | 'done' | 'failed';

const YIELD_EVERY_CHUNKS = 16;

const FINAL: ReadonlySet<ErrorCode> = new Set(['TRANSFER_REFUSED', 'TRANSFER_TOO_LARGE', 'TRANSFER_CORRUPT', 'TRANSFER_CANCELLED', 'SESSION_CLOSED']);

/** What an outgoing transfer needs from the session. */
export interface OutgoingContext {
  /** The network that opens bulk channels. */
  net: Network;
  /** True while `id` is a member of the session. */
  isMember(id: string): boolean;
}

/** One file on its way to one member. */
export class OutgoingTransfer extends Emitter<TransferEvents> {
  /** Resolves when the receiver has the whole file, verified; rejects with a HostmeshError. */
  readonly done: Promise<void>;
  /** Where the transfer stands. */
  state: TransferState = 'preparing';
  /** Times the link was reopened to resume. */
  resumes = 0;
  /** Chunks handed to the channel, resumes included (a resume sends again only what was not acknowledged). */
  chunksSent = 0;
  /** Most bytes seen in the channel's send buffer (bounded by `windowBytes` plus one chunk). */
  maxBufferedBytes = 0;
  private wire: BulkWire | undefined;
  private cancelled: HostmeshError | undefined;
  private readonly meter: ProgressMeter;

  /** Made by `session.sendFile()`. @internal */
  constructor(
    /** Transfer id. */ readonly id: string,
    /** The receiving member. */ readonly to: string,
    /** File name. */ readonly name: string,
    /** MIME type. */ readonly type: string,
    private readonly source: FileSource,
    private readonly ctx: OutgoingContext,
    private readonly opts: FileTransferOptions,
  ) {
    super();
    this.meter = new ProgressMeter(source.size);
    this.done = this.run();
    this.done.then(() => { this.state = 'done'; }, (err: HostmeshError) => { this.state = 'failed'; this.emit('error', err); });
    this.done.catch(() => { /* reported as 'error'; awaiting `done` still rejects */ });
  }

  /** File size in bytes. */
  get size(): number {
    return this.source.size;
  }

  /** Stops the transfer; the receiver is told (TRANSFER_CANCELLED). */
  cancel(): void {
    if (this.state === 'done' || this.state === 'failed' || this.cancelled) return;
    this.cancelled = new HostmeshError('TRANSFER_CANCELLED', `The transfer of ${this.name} was cancelled by the sender.`);
    this.wire?.send(MsgType.FILE_CANCEL, { code: 'TRANSFER_CANCELLED', message: 'The sender cancelled the transfer.' });
    this.wake?.();
  }

  private wake: (() => void) | undefined;

  private async run(): Promise<void> {
    const hash = await hashSource(this.source);
    for (;;) {
      if (this.cancelled) throw this.cancelled;
      try {
        await this.attempt(hash);
        return;
      } catch (err) {
        const e = err instanceof HostmeshError ? err : new HostmeshError('TRANSFER_FAILED', String(err));
        if (this.cancelled) throw this.cancelled;
        if (FINAL.has(e.code)) throw e;
        if (this.resumes >= this.opts.maxResumes || !this.ctx.isMember(this.to)) {
          throw new HostmeshError('TRANSFER_FAILED', `The transfer of ${this.name} to player ${this.to} could not finish after ${this.resumes} resumes (${e.message}). Send it again.`, { cause: e });
        }
        this.resumes++;
        this.state = 'interrupted';
        this.emit('interrupted');
        await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** this.resumes)));
      }
    }
  }

  /** One bulk channel's worth of the transfer: resolves when the receiver confirmed the file. */
  private async attempt(hash: Uint8Array): Promise<void> {
    const { opts, source } = this;
    const bulk = await this.ctx.net.openBulk(this.to, opts.connectTimeoutMs);
    const count = chunkCount(source.size, opts.chunkBytes);
    await new Promise<void>((resolve, reject) => {
      let next = -1; // next chunk to send; -1 until the receiver accepted
      let acked = 0;
      let doneSent = false;
      let pumping = false;
      let finished = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const arm = (ms: number, err: () => HostmeshError) => { clearTimeout(timer); timer = setTimeout(() => end(err()), ms); };
      const end = (err?: HostmeshError) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        this.wake = undefined;
        // Let a last frame (our FILE_CANCEL behind a full window, or the receiver's final ack) arrive before the connection goes.
        wire.closeWhenSent();
        if (err) reject(err); else resolve();
      };
      const pump = async () => {
        if (pumping || finished || next < 0) return;
        pumping = true;
        try {
          while (!finished && !this.cancelled && next < count) {
            if (wire.buffered > opts.windowBytes) { await wire.drained(); continue; }
            if ((next - acked) * opts.chunkBytes >= opts.unackedBytes) break; // the next ack pumps again
            const start = next * opts.chunkBytes;
            const bytes = await source.read(start, Math.min(source.size, start + opts.chunkBytes));
            if (finished) break;
            if (!wire.sendChunk(next, bytes)) break; // closed: the close handler decides
            next++;
            this.chunksSent++;
            // Reads of bytes resolve at once, so without this the loop would hold the event loop
            // for a whole window: give the game's timers (snapshot ticks) a turn every 256 KiB.
            if (this.chunksSent % YIELD_EVERY_CHUNKS === 0) await new Promise((r) => setTimeout(r, 0));
            this.maxBufferedBytes = Math.max(this.maxBufferedBytes, wire.buffered);
          }
          if (!finished && next === count && !doneSent) doneSent = wire.send(MsgType.FILE_DONE, {});
        } finally {
          pumping = false;
        }
        if (this.cancelled) end(this.cancelled);
      };
      const stalled = () => new HostmeshError('TIMEOUT', `Player ${this.to} acknowledged nothing for ${opts.stallTimeoutMs} ms.`);
      const wire: BulkWire = new BulkWire(bulk, (type, body) => {
        const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
        if (type === MsgType.FILE_ACCEPT && next < 0) {
          const from = b.from;
          if (typeof from !== 'number' || !Number.isInteger(from) || from < 0 || from > count) { end(new HostmeshError('TRANSFER_FAILED', 'The receiver answered with a chunk index outside the file.')); return; }
          next = acked = from;
          this.state = 'sending';
          arm(opts.stallTimeoutMs, stalled);
          void pump();
        } else if (type === MsgType.FILE_ACK && next >= 0) {
          const n = b.n;
          if (typeof n !== 'number' || !Number.isInteger(n) || n < acked || n > next) return;
          acked = n;
          arm(opts.stallTimeoutMs, stalled);
          this.emit('progress', this.meter.update(Math.min(source.size, n * opts.chunkBytes)));
          if (b.fin === true && n === count && doneSent) end();
          else void pump();
        } else if (type === MsgType.FILE_REFUSE || type === MsgType.FILE_CANCEL) {
          end(remoteError(b, type === MsgType.FILE_REFUSE ? 'TRANSFER_REFUSED' : 'TRANSFER_CANCELLED'));
        }
      }, () => end(new HostmeshError('PEER_UNREACHABLE', 'The file connection closed.')), opts.windowBytes / 2);
      this.wire = wire;
      this.wake = () => { if (this.cancelled) end(this.cancelled); };
      if (this.state !== 'sending') this.state = 'offered';
      // The receiver may take its consent time, plus a margin for the connection.
      arm(opts.consentTimeoutMs + 5000, () => new HostmeshError('TRANSFER_REFUSED', `Player ${this.to} did not accept ${this.name} in time.`));
      wire.send(MsgType.FILE_OFFER, { id: this.id, name: this.name, type: this.type, size: source.size, hash, chunk: opts.chunkBytes });
      // Cancelled while this connection was opening: tell the receiver at once.
      if (this.cancelled) { wire.send(MsgType.FILE_CANCEL, { code: 'TRANSFER_CANCELLED', message: 'The sender cancelled the transfer.' }); end(this.cancelled); }
    });
  }
}

/** The error a receiver's FILE_REFUSE or FILE_CANCEL stands for. */
function remoteError(b: Record<string, unknown>, fallback: ErrorCode): HostmeshError {
  const allowed: ErrorCode[] = ['TRANSFER_REFUSED', 'TRANSFER_TOO_LARGE', 'TRANSFER_CORRUPT', 'TRANSFER_CANCELLED'];
  const code = allowed.find((c) => c === b.code) ?? fallback;
  const message = typeof b.message === 'string' ? b.message.slice(0, 300) : undefined;
  return new HostmeshError(code, message);
}
