/**
 * Frames over one bulk channel: encodes control messages and chunks, decodes what arrives
 * (every failure dropped and counted, never thrown out of the channel's handler), and waits
 * for the send buffer to drain with `bufferedamountlow`, never by polling.
 */
import type { BulkChannel } from '../link/side-connections.js';
import { decodeFrame, encodeFrame } from '../wire/codec.js';
import { MAX_BULK_FRAME_BYTES, MsgType } from '../wire/protocol.js';
import { encodeChunk } from './chunk-frame.js';

/** Handles one decoded frame. */
export type BulkFrameHandler = (type: number, body: unknown) => void;

/** One bulk channel as a transfer uses it. */
export class BulkWire {
  /** Frames dropped because they did not decode. */
  dropped = 0;
  private closed = false;
  private drainWaiters: (() => void)[] = [];
  private readonly backstop: ReturnType<typeof setInterval>;

  constructor(readonly bulk: BulkChannel, private readonly onFrame: BulkFrameHandler, private readonly onClose: () => void, lowWaterBytes: number) {
    const ch = bulk.channel;
    ch.bufferedAmountLowThreshold = lowWaterBytes;
    ch.addEventListener('message', (ev) => {
      if (this.closed) return;
      let frame;
      try { frame = decodeFrame(ev.data, MAX_BULK_FRAME_BYTES); } catch { this.dropped++; return; }
      try { this.onFrame(frame.type, frame.body); } catch (err) { console.error('[hostmesh] file transfer frame handler threw:', err); }
    });
    ch.addEventListener('bufferedamountlow', () => this.wake());
    // A backstop, not the mechanism: node-webrtc (@roamhq/wrtc) sometimes holds back a fresh
    // connection's events (bufferedamountlow, messages) until JS next calls into the channel;
    // one look at bufferedAmount every 250 ms releases them. Browsers never need it.
    this.backstop = setInterval(() => this.poke(), 250);
    ch.addEventListener('close', () => this.gone());
    ch.addEventListener('error', () => this.gone());
    if (ch.readyState === 'closed' || ch.readyState === 'closing') queueMicrotask(() => this.gone());
  }

  /** Bytes queued in the channel's send buffer. */
  get buffered(): number {
    return this.closed ? 0 : this.bulk.channel.bufferedAmount;
  }

  /** True once the channel closed (either side). */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends a control frame; false when the channel is gone. */
  send(type: number, body: unknown): boolean {
    return this.raw(encodeFrame(type, body));
  }

  /** Sends chunk `index`; false when the channel is gone. */
  sendChunk(index: number, payload: Uint8Array): boolean {
    return this.raw(encodeFrame(MsgType.FILE_CHUNK, encodeChunk(index, payload)));
  }

  /** Resolves when the send buffer fell to the low-water mark (`bufferedamountlow`), or the channel closed. */
  drained(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** The backstop's look at the channel (see the constructor). */
  private poke(): void {
    if (this.closed) return;
    // Reading the property is the call into the channel that releases held events, waiters or not.
    const buffered = this.bulk.channel.bufferedAmount;
    if (this.drainWaiters.length > 0 && buffered <= this.bulk.channel.bufferedAmountLowThreshold) this.wake();
  }

  /** Closes once everything queued has left (or after `maxWaitMs`), so a last frame behind a full window still arrives. */
  closeWhenSent(maxWaitMs = 2000): void {
    if (this.closed) return;
    this.bulk.channel.bufferedAmountLowThreshold = 0;
    const timer = setTimeout(() => this.close(), maxWaitMs);
    void this.drained().then(() => { clearTimeout(timer); setTimeout(() => this.close(), 100); });
  }

  /** Closes the channel and its connection (idempotent); `onClose` is not called for our own close. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.backstop);
    this.wake();
    this.bulk.close();
  }

  private raw(frame: Uint8Array): boolean {
    if (this.closed || this.bulk.channel.readyState !== 'open') return false;
    try { this.bulk.channel.send(frame); return true; } catch { this.gone(); return false; }
  }

  private wake(): void {
    const waiters = this.drainWaiters.splice(0);
    for (const w of waiters) w();
  }

  private gone(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.backstop);
    this.wake();
    this.bulk.close();
    this.onClose();
  }
}
