/**
 * A session's file transfers: sends files to members (`send`), and takes bulk channels that
 * members open to us. A new channel must open with a FILE_OFFER within a few seconds; a valid
 * offer becomes an IncomingTransfer the game accepts or refuses (`offer` event), or resumes the
 * dropped transfer it names. Oversize files and too many transfers at once are refused before
 * the game is asked. When a member leaves, its transfers end; when the session closes, all do.
 */
import { Emitter } from '../core/emitter.js';
import { HostmeshError } from '../core/errors.js';
import type { Network } from '../link/network.js';
import type { BulkChannel } from '../link/side-connections.js';
import { MsgType } from '../wire/protocol.js';
import { BulkWire } from './bulk-wire.js';
import { cleanFileName, readOffer } from './file-offer.js';
import { fileSource, type FileData } from './file-source.js';
import { IncomingTransfer } from './incoming-transfer.js';
import { OutgoingTransfer } from './outgoing-transfer.js';
import { MAX_CHUNK_BYTES, fileTransferDefaults, type FileTransferOptions } from './transfer-options.js';

/** Options of one `sendFile`. */
export interface SendFileOptions {
  /** File name shown to the receiver. Default: the File's name, else 'file'. */
  name?: string;
  /** MIME type. Default: the Blob's type, else ''. */
  type?: string;
}

/** Events of a session's file transfers. */
export interface FileTransferEvents {
  /** A member offers us a file: call `accept()` (resolves with the file) or `refuse()`. */
  offer: [transfer: IncomingTransfer];
}

/** What file transfers need from the session. */
export interface FileTransferContext {
  /** The network (bulk channels). */
  net: Network;
  /** Our player id. */
  selfId: string;
  /** Ids of the other members now. */
  others(): string[];
  /** True while `id` is a member. */
  isMember(id: string): boolean;
}

const OFFER_WAIT_MS = 10_000;

/** Sends and receives files for one session. */
export class FileTransfers extends Emitter<FileTransferEvents> {
  private opts: FileTransferOptions = { ...fileTransferDefaults };
  private readonly incoming = new Map<string, IncomingTransfer>(); // by `${from}:${id}`
  private readonly outgoing = new Set<OutgoingTransfer>();
  private pendingChannels = 0;
  private closed = false;

  constructor(private readonly ctx: FileTransferContext) {
    super();
    ctx.net.on('bulk', (bulk) => this.take(bulk));
  }

  /** Changes options for transfers started from now on. Throws INVALID_ARGUMENT on a bad value. */
  setOptions(options: Partial<FileTransferOptions>): void {
    const next = { ...this.opts, ...options };
    for (const [k, v] of Object.entries(next)) {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new HostmeshError('INVALID_ARGUMENT', `setFileOptions(): ${k} must be a number of at least 0.`);
    }
    if (!Number.isInteger(next.chunkBytes) || next.chunkBytes < 1024 || next.chunkBytes > MAX_CHUNK_BYTES) {
      throw new HostmeshError('INVALID_ARGUMENT', `setFileOptions(): chunkBytes must be an integer from 1024 to ${MAX_CHUNK_BYTES}.`);
    }
    this.opts = next;
  }

  /** Sends `data` to member `to`, or to every other member ('all'): one transfer per receiver. */
  send(to: string, data: FileData, options: SendFileOptions = {}): OutgoingTransfer[] {
    if (this.closed) throw new HostmeshError('SESSION_CLOSED');
    const source = fileSource(data);
    if (!source) throw new HostmeshError('INVALID_ARGUMENT', 'sendFile(to, data): data must be a Blob, a File, a Uint8Array or an ArrayBuffer.');
    const targets = to === 'all' ? this.ctx.others() : [to];
    if (to !== 'all' && (to === this.ctx.selfId || !this.ctx.isMember(to))) {
      throw new HostmeshError('INVALID_ARGUMENT', `sendFile(): no other player has id ${to}. Use an id from session.players, or 'all'.`);
    }
    const blobName = typeof File !== 'undefined' && data instanceof File ? data.name : undefined;
    const name = cleanFileName(options.name ?? blobName);
    const type = (options.type ?? (typeof Blob !== 'undefined' && data instanceof Blob ? data.type : '')).slice(0, 128);
    return targets.map((id) => {
      const t = new OutgoingTransfer(randomId(), id, name, type, source, this.ctx, { ...this.opts });
      this.outgoing.add(t);
      t.done.then(() => this.outgoing.delete(t), () => this.outgoing.delete(t));
      return t;
    });
  }

  /** Transfers in either direction that have not ended. */
  active(): { incoming: IncomingTransfer[]; outgoing: OutgoingTransfer[] } {
    return { incoming: [...this.incoming.values()], outgoing: [...this.outgoing] };
  }

  /** Ends every transfer with or from `id` (it left the session). */
  memberLeft(id: string): void {
    for (const t of this.incoming.values()) if (t.from === id) t.fail(new HostmeshError('TRANSFER_FAILED', `Player ${id} left before ${t.name} arrived.`));
    for (const t of this.outgoing) if (t.to === id) t.cancel();
  }

  /** Ends every transfer (the session closed). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of [...this.incoming.values()]) t.fail(new HostmeshError('SESSION_CLOSED'));
    for (const t of [...this.outgoing]) t.cancel();
    this.clear();
  }

  /** A member opened a bulk channel to us: it must start with a FILE_OFFER. */
  private take(bulk: BulkChannel): void {
    if (this.closed || this.pendingChannels >= 2 * this.opts.maxIncoming) { bulk.close(); return; }
    this.pendingChannels++;
    let transfer: IncomingTransfer | undefined;
    let waiting = true;
    const settle = () => { if (waiting) { waiting = false; this.pendingChannels--; clearTimeout(timer); } };
    const timer = setTimeout(() => { settle(); wire.close(); }, OFFER_WAIT_MS);
    const wire = new BulkWire(bulk, (type, body) => {
      if (transfer) { transfer.frame(wire, type, body); return; }
      if (!waiting) return;
      settle();
      const offer = type === MsgType.FILE_OFFER ? readOffer(body) : undefined;
      if (!offer || this.closed) { wire.close(); return; }
      const key = `${bulk.remoteId}:${offer.id}`;
      const known = this.incoming.get(key);
      if (known) {
        if (!known.matches(offer)) { refuse(wire, 'TRANSFER_REFUSED', 'A different file is already on its way under this id.'); return; }
        transfer = known;
        known.resume(wire);
        return;
      }
      if (offer.size > this.opts.maxFileBytes) {
        refuse(wire, 'TRANSFER_TOO_LARGE', `${offer.name} is ${offer.size} bytes; this player accepts files up to ${this.opts.maxFileBytes} bytes.`);
        return;
      }
      if (this.incoming.size >= this.opts.maxIncoming) {
        refuse(wire, 'TRANSFER_REFUSED', `This player is receiving ${this.incoming.size} files already; try again when one finishes.`);
        return;
      }
      transfer = new IncomingTransfer(bulk.remoteId, offer, wire, { ...this.opts }, () => { if (this.incoming.get(key) === transfer) this.incoming.delete(key); });
      this.incoming.set(key, transfer);
      this.emit('offer', transfer);
    }, () => { settle(); transfer?.dropped(wire); }, 64 * 1024);
  }
}

function refuse(wire: BulkWire, code: 'TRANSFER_REFUSED' | 'TRANSFER_TOO_LARGE', message: string): void {
  wire.send(MsgType.FILE_REFUSE, { code, message });
  setTimeout(() => wire.close(), 100);
}

function randomId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
