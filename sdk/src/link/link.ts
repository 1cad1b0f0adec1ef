/**
 * A link to one remote peer: a reliable-ordered channel plus a truly unreliable one
 * (negotiated, ordered:false, maxRetransmits:0) on the same RTCPeerConnection.
 *
 * Handshake: each side sends HELLO { v } on the reliable channel once its unreliable channel
 * exists; the link is ready when the remote's HELLO arrives (so nothing unreliable is sent to
 * a channel the remote has not created yet). Heartbeat: PING/PONG on the unreliable channel
 * give RTT, jitter and loss; any inbound frame proves liveness; silence past `timeoutMs`
 * closes the link with reason 'timeout', or, when the connection can be brought back in place
 * (`channels.recovery`: an ICE restart), **stalls** it: `stalled` fires, the recovery starts,
 * heartbeats go on. Once the remote is heard again the link pings at once and fires `resumed` on
 * the same link when a pong to that ping proves our frames reach it too (after a long outage the
 * sender's SCTP can sit out its retransmission back-off for many seconds: then the link closes with
 * 'timeout' after `resumeProbeMs(heartbeat)` instead, so the session rejoins on a new link); a stall
 * longer than `iceRestartTimeoutMs` closes it with 'timeout'. Unreliable sends are latest-wins: dropped and
 * counted when the channel is congested. `close(reason)` is idempotent and fires once.
 * Receiving is total: a frame over the inbound rate budget (rate-budget.ts) is dropped before
 * it is decoded, a malformed one is counted and dropped, and nothing a remote peer sends can
 * throw out of the channel's message handler; replies (PONG) are sized from what is allowed,
 * never from what was received.
 */
import type { ChannelMessageEvent, LinkChannels } from './channel.js';
import { decodeFrame, encodeFrame } from '../wire/codec.js';
import { Emitter } from '../core/emitter.js';
import { HostmeshError } from '../core/errors.js';
import { LinkMeter, type LinkStats } from './link-stats.js';
import { InboundBudget } from './rate-budget.js';
import { linkDefaults, type LinkCloseReason, type LinkEvents, type LinkOptions } from './link-options.js';

export type { LinkCloseReason, LinkEvents, LinkOptions, SendScheduler } from './link-options.js';
export { linkDefaults } from './link-options.js';
import { MAX_RELIABLE_BYTES, MAX_UNRELIABLE_BYTES, MsgType, PROTOCOL_VERSION } from '../wire/protocol.js';

/** One remote peer over two data channels. */
export class Link extends Emitter<LinkEvents> {
  /** The remote peer's id. */
  readonly remoteId: string;
  private readonly opts: LinkOptions;
  private readonly meter = new LinkMeter();
  private readonly pending: Uint8Array[] = [];
  private readonly cleanups: (() => void)[] = [];
  private isReady = false;
  private closed = false;
  private lastInboundMs_: number;
  private pingSeq = 0;
  private budget: InboundBudget | undefined;
  private stalledAtMs: number | undefined;
  /** While stalled: when the remote was heard again, and the first ping sent after that. */
  private heardAtMs: number | undefined;
  private probeSeq = 0;

  constructor(remoteId: string, private readonly channels: LinkChannels, options: Partial<LinkOptions> = {}) {
    super();
    this.remoteId = remoteId;
    this.opts = { ...linkDefaults, now: () => performance.now(), ...options } as LinkOptions;
    this.lastInboundMs_ = this.opts.now();
    if (this.opts.budgets) this.budget = new InboundBudget(this.opts.budgets, this.lastInboundMs_);
    const { reliable, unreliable } = channels;
    reliable.binaryType = 'arraybuffer';
    unreliable.binaryType = 'arraybuffer';
    reliable.bufferedAmountLowThreshold = this.opts.reliableHighWaterBytes / 2;
    this.listen(reliable, 'message', (ev) => this.receive((ev as ChannelMessageEvent).data, true));
    this.listen(unreliable, 'message', (ev) => this.receive((ev as ChannelMessageEvent).data, false));
    this.listen(reliable, 'bufferedamountlow', () => this.flush());
    this.listen(reliable, 'close', () => this.close('channel-closed'));
    const handshake = setTimeout(() => {
      if (!this.isReady) this.close('timeout', new HostmeshError('PEER_UNREACHABLE', 'The other player did not finish the connection handshake in time. Try again.'));
    }, this.opts.handshakeTimeoutMs);
    const beat = setInterval(() => this.heartbeat(), this.opts.heartbeatIntervalMs);
    this.cleanups.push(() => clearTimeout(handshake), () => clearInterval(beat));
    this.sendReliable(MsgType.HELLO, { v: PROTOCOL_VERSION });
    // Frames that arrived before this link existed (the remote's HELLO can beat our 'open').
    const early = channels.early?.splice(0) ?? [];
    if (early.length > 0) queueMicrotask(() => { for (const data of early) this.receive(data, true); });
  }

  /** True once the handshake completed and until close. */
  get ready(): boolean {
    return this.isReady && !this.closed;
  }

  /** When the last frame from the remote arrived, on the link's clock (`now`), ms. */
  get lastInboundMs(): number {
    return this.lastInboundMs_;
  }

  /** True while the remote is silent past the timeout and the connection is being brought back in place. */
  get stalled(): boolean {
    return this.stalledAtMs !== undefined && !this.closed;
  }

  /** True after close. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Resolves when ready; rejects if the link closes first. */
  whenReady(): Promise<void> {
    if (this.ready) return Promise.resolve();
    if (this.closed) return Promise.reject(new HostmeshError('PEER_UNREACHABLE'));
    return new Promise((resolve, reject) => {
      const offReady = this.on('ready', () => { offClose(); resolve(); });
      const offClose = this.on('close', (reason, error) => {
        offReady();
        reject(error ?? new HostmeshError('PEER_UNREACHABLE', `The connection closed during the handshake (${reason}). Try again.`));
      });
    });
  }

  /** Sends on the reliable channel; throws MESSAGE_TOO_LARGE over MAX_RELIABLE_BYTES. */
  sendReliable(type: number, body: unknown): void {
    if (this.closed) return;
    const frame = encodeFrame(type, body, true);
    if (frame.length > MAX_RELIABLE_BYTES) {
      throw new HostmeshError('MESSAGE_TOO_LARGE', `A reliable message of ${frame.length} bytes is over the ${MAX_RELIABLE_BYTES}-byte limit. Send less data, or split it.`);
    }
    const deliver = () => this.writeReliable(frame);
    if (this.opts.conditioner) this.opts.conditioner.schedule(true, deliver);
    else deliver();
  }

  /** Sends on the unreliable channel; returns false when dropped. Throws MESSAGE_TOO_LARGE over the packet budget. */
  sendUnreliable(type: number, body: unknown): boolean {
    const frame = encodeFrame(type, body, false);
    if (frame.length > MAX_UNRELIABLE_BYTES) {
      throw new HostmeshError('MESSAGE_TOO_LARGE', `An unreliable message of ${frame.length} bytes is over the ${MAX_UNRELIABLE_BYTES}-byte single-packet budget. Send less data, or use the reliable channel.`);
    }
    if (!this.ready) {
      this.meter.drops++;
      return false;
    }
    const deliver = () => this.writeUnreliable(frame);
    if (this.opts.conditioner) this.opts.conditioner.schedule(false, deliver);
    else return this.writeUnreliable(frame);
    return true;
  }

  /** Bytes queued on the unreliable channel and not yet sent. */
  get unreliableBufferedAmount(): number {
    return this.channels.unreliable.bufferedAmount;
  }

  /** Lifts the inbound rate budget (a client's link to its host, the session's authority). */
  unlimit(): void {
    this.budget = undefined;
  }

  /** Current measurements. */
  stats(): LinkStats {
    this.meter.iceRestarts = this.channels.recovery?.attempts ?? 0;
    this.meter.iceRestored = this.channels.recovery?.restored ?? 0;
    return this.meter.snapshot(this.opts.now(), 2 * this.opts.heartbeatIntervalMs);
  }

  /** Closes the link once: says BYE when the close is ours, releases timers, listeners and the connection. */
  close(reason: LinkCloseReason = 'local', error?: HostmeshError): void {
    if (this.closed) return;
    const sayBye = reason === 'local' && this.isReady;
    this.closed = true;
    this.isReady = false;
    this.stalledAtMs = undefined;
    this.heardAtMs = undefined;
    if (sayBye) {
      // Straight to the channel, ahead of anything queued in memory: the queue is dropped below.
      try { this.channels.reliable.send(encodeFrame(MsgType.BYE, { r: reason })); } catch { /* channel already closing */ }
    }
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.pending.length = 0;
    const dispose = () => { try { this.channels.dispose(); } catch { /* already gone */ } };
    // Let a queued BYE leave before the connection is torn down.
    if (reason === 'local') setTimeout(dispose, 50); else dispose();
    this.emit('close', reason, ...(error ? [error] : []));
    this.clear();
  }

  private listen(target: LinkChannels['reliable'], type: 'message' | 'bufferedamountlow' | 'close', cb: (ev: unknown) => void): void {
    target.addEventListener(type as 'open', cb as () => void);
    this.cleanups.push(() => target.removeEventListener(type, cb as (ev: never) => void));
  }

  private writeReliable(frame: Uint8Array): void {
    if (this.closed) return;
    const ch = this.channels.reliable;
    if (this.pending.length > 0 || ch.bufferedAmount > this.opts.reliableHighWaterBytes) {
      this.pending.push(frame);
      return;
    }
    this.write(ch, frame);
  }

  private writeUnreliable(frame: Uint8Array): boolean {
    const ch = this.channels.unreliable;
    if (this.closed || ch.readyState !== 'open' || ch.bufferedAmount > this.opts.unreliableHighWaterBytes) {
      this.meter.drops++;
      return false;
    }
    return this.write(ch, frame);
  }

  private write(ch: LinkChannels['reliable'], frame: Uint8Array): boolean {
    try {
      ch.send(frame);
      this.meter.bytesOut += frame.length;
      return true;
    } catch (err) {
      if (ch === this.channels.unreliable) {
        this.meter.drops++;
        return false;
      }
      this.close('error', new HostmeshError('PEER_UNREACHABLE', `Sending to the other player failed: ${(err as Error).message}`, { cause: err }));
      return false;
    }
  }

  private flush(): void {
    const ch = this.channels.reliable;
    while (this.pending.length > 0 && ch.bufferedAmount <= this.opts.reliableHighWaterBytes && !this.closed) {
      this.write(ch, this.pending.shift()!);
    }
  }

  private receive(data: unknown, reliable: boolean): void {
    if (this.closed) return;
    const now = this.opts.now();
    const bytes = byteLength(data);
    this.lastInboundMs_ = now;
    if (this.stalledAtMs !== undefined && this.heardAtMs === undefined) this.heard(now);
    this.meter.bytesIn += bytes;
    if (this.budget && !this.budget.admit(reliable, bytes, now)) {
      this.meter.rateLimited++;
      if (this.budget.floodDetected(now)) this.emit('flood');
      return;
    }
    try {
      this.handle(data, reliable);
    } catch (err) {
      // Our own handling failed on this frame (a bug, not the peer's right): count it, carry on.
      this.meter.decodeErrors++;
      this.emit('decodeError', err instanceof HostmeshError ? err : new HostmeshError('DECODE_FAILED', `A frame could not be handled: ${(err as Error).message}`, { cause: err }));
    }
  }

  private handle(data: unknown, reliable: boolean): void {
    let frame;
    try {
      frame = decodeFrame(data, reliable ? MAX_RELIABLE_BYTES : MAX_UNRELIABLE_BYTES, reliable);
    } catch (err) {
      this.meter.decodeErrors++;
      this.emit('decodeError', err as HostmeshError);
      return;
    }
    const body = frame.body as Record<string, unknown> | undefined;
    switch (frame.type) {
      case MsgType.HELLO:
        if (this.isReady) return;
        if (body?.v !== PROTOCOL_VERSION) {
          this.close('protocol', new HostmeshError('PROTOCOL_MISMATCH', `The other player speaks hostmesh protocol ${String(body?.v)}, this one ${PROTOCOL_VERSION}. Update both to the same version.`));
          return;
        }
        this.isReady = true;
        this.emit('ready');
        return;
      case MsgType.PING:
        // Only numbers are echoed, so a PONG is a few dozen bytes whatever the PING held.
        if (this.isReady && typeof body?.s === 'number' && typeof body.t === 'number') this.sendUnreliable(MsgType.PONG, { s: body.s, t: body.t, h: this.opts.now() });
        return;
      case MsgType.PONG: {
        const now = this.opts.now();
        if (typeof body?.s !== 'number' || this.meter.pongReceived(body.s, now) === undefined) return;
        if (this.heardAtMs !== undefined && body.s >= this.probeSeq) this.resume();
        if (typeof body.t === 'number' && typeof body.h === 'number') this.emit('pong', body.t, body.h, now);
        return;
      }
      case MsgType.BYE:
        this.close('remote');
        return;
      default:
        if (!this.isReady) return;
        this.emit('message', frame.type, frame.body, reliable);
    }
  }

  /** The remote is silent past the timeout: true while the link may stay open and try to come back in place. */
  private stall(now: number): boolean {
    const recovery = this.channels.recovery;
    if (!recovery || this.opts.iceRestartTimeoutMs <= 0) return false;
    if (this.stalledAtMs === undefined) {
      this.stalledAtMs = now;
      this.meter.stalls++;
      try { recovery.start(); } catch { /* the timeout below still bounds the stall */ }
      this.emit('stalled');
      return true;
    }
    return now - this.stalledAtMs <= this.opts.iceRestartTimeoutMs;
  }

  /** A stalled link heard the remote: probe whether our frames reach it too. */
  private heard(now: number): void {
    this.heardAtMs = now;
    this.probeSeq = this.pingSeq + 1;
    if (this.isReady) this.ping(now);
  }

  private resume(): void {
    this.stalledAtMs = undefined;
    this.heardAtMs = undefined;
    this.meter.recoveries++;
    try { this.channels.recovery?.stop(); } catch { /* nothing to stop */ }
    this.emit('resumed');
  }

  private heartbeat(): void {
    const now = this.opts.now();
    this.meter.tick(now);
    if (this.isReady && now - this.lastInboundMs_ > this.opts.timeoutMs && !this.stall(now)) {
      this.close('timeout', new HostmeshError('TIMEOUT', `The other player has been silent for over ${this.opts.timeoutMs} ms and is treated as gone.`));
      return;
    }
    if (this.heardAtMs !== undefined && now - this.heardAtMs > resumeProbeMs(this.opts.heartbeatIntervalMs)) {
      this.close('timeout', new HostmeshError('TIMEOUT', 'The other player is heard again but our frames still do not reach it; the connection is given up for a new one.'));
      return;
    }
    if (!this.isReady) return;
    this.ping(now);
  }

  private ping(now: number): void {
    const seq = ++this.pingSeq;
    this.meter.pingSent(seq, now);
    this.sendUnreliable(MsgType.PING, { s: seq, t: now });
  }
}

/** How long a stalled link that hears its remote again waits for a pong proving the way back works, ms. */
export function resumeProbeMs(heartbeatIntervalMs: number): number {
  return Math.max(1500, 3 * heartbeatIntervalMs);
}

function byteLength(data: unknown): number {
  return data instanceof ArrayBuffer ? data.byteLength : ArrayBuffer.isView(data) ? data.byteLength : 0;
}
