/**
 * The in-memory transport adapter: two connected ends, each with a reliable and an unreliable
 * channel that satisfy DataChannelLike, so a Link (and everything above it) runs without
 * WebRTC in unit tests and benchmarks (STYLE.md rule 11).
 *
 * Delivery is asynchronous like a real data channel: a send is queued, counted in
 * `bufferedAmount`, and delivered as an ArrayBuffer copy on a later microtask (or after
 * `latencyMs` on a timer, in send order). `pause()` stops a channel draining so its `bufferedAmount` grows
 * (congestion); `resume()` drains it and fires `bufferedamountlow`. The unreliable channels may
 * drop a share of messages (`unreliableLoss`, with an injectable `random`). `silence()` makes an
 * end stop delivering anything it sends, with no close event: a frozen or killed peer whose
 * connection never reports closing, for heartbeat timeout tests. `dispose()` on either end
 * closes all four channels, and each fires 'close' once, like RTCPeerConnection.close().
 */
import type { ChannelMessageEvent, DataChannelLike, LinkChannels } from './channel.js';

/** Options of `memoryChannelPair`. */
export interface MemoryChannelOptions {
  /** Delay before a message is delivered, ms; 0 delivers on a microtask. Default: 0. */
  latencyMs: number;
  /** Share of unreliable messages silently dropped, 0..1. Default: 0. */
  unreliableLoss: number;
  /** Random source for loss decisions, [0, 1). Default: Math.random. */
  random: () => number;
}

const defaults = { latencyMs: 0, unreliableLoss: 0 } as const;

type Listener = (ev: ChannelMessageEvent) => void;

/** One end of one in-memory data channel. */
export class MemoryChannel implements DataChannelLike {
  /** 'open' until closed, then 'closed'. */
  readyState: 'open' | 'closing' | 'closed' = 'open';
  /** Bytes sent and not yet delivered. */
  bufferedAmount = 0;
  /** `bufferedamountlow` fires when bufferedAmount falls to this. */
  bufferedAmountLowThreshold = 0;
  /** Kept for API parity; messages are always delivered as ArrayBuffer. */
  binaryType = 'arraybuffer';
  /** Messages handed to `send` (including dropped ones). */
  sent = 0;
  /** Messages dropped by simulated loss or silence. */
  dropped = 0;
  /** The other end; set by memoryChannelPair. */
  peer: MemoryChannel | undefined;
  /** When true, everything sent from this end vanishes (see `silence`). */
  silent = false;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly queue: { bytes: ArrayBuffer; lost: boolean }[] = [];
  private paused = false;
  private drainScheduled = false;

  constructor(readonly reliable: boolean, private readonly opts: MemoryChannelOptions) {}

  /** Queues one message for the other end; throws like RTCDataChannel when not open. */
  send(data: Uint8Array): void {
    if (this.readyState !== 'open') throw new Error(`InvalidStateError: send() on a ${this.readyState} memory channel`);
    this.sent++;
    if (this.silent) {
      this.dropped++;
      return;
    }
    const bytes = data.slice().buffer;
    const lost = !this.reliable && this.opts.unreliableLoss > 0 && this.opts.random() < this.opts.unreliableLoss;
    this.bufferedAmount += bytes.byteLength;
    this.queue.push({ bytes, lost });
    // With latency, each message gets its own timer; equal delays fire in send order.
    if (this.opts.latencyMs > 0) setTimeout(() => this.drain(1), this.opts.latencyMs);
    else this.scheduleDrain();
  }

  /** Stops delivering: sends accumulate in bufferedAmount until `resume()`. */
  pause(): void {
    this.paused = true;
  }

  /** Delivers everything queued and continues normally. */
  resume(): void {
    this.paused = false;
    this.scheduleDrain();
  }

  /** Closes this channel and its other end; each fires 'close' once. */
  close(): void {
    this.closeOne();
    this.peer?.closeOne();
  }

  /** Standard EventTarget registration. */
  addEventListener(type: string, cb: Listener): void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(cb);
  }

  /** Standard EventTarget removal. */
  removeEventListener(type: string, cb: (ev: never) => void): void {
    this.listeners.get(type)?.delete(cb as Listener);
  }

  /** Number of listeners currently registered (all event types); for leak checks. */
  listenerCount(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  private fire(type: string, ev: ChannelMessageEvent = { data: undefined }): void {
    for (const cb of [...(this.listeners.get(type) ?? [])]) cb(ev);
  }

  private closeOne(): void {
    if (this.readyState !== 'open') return;
    this.readyState = 'closing';
    this.queue.length = 0;
    this.bufferedAmount = 0;
    queueMicrotask(() => {
      this.readyState = 'closed';
      this.fire('close');
    });
  }

  private scheduleDrain(): void {
    if (this.drainScheduled || this.paused) return;
    this.drainScheduled = true;
    queueMicrotask(() => {
      this.drainScheduled = false;
      this.drain(Infinity);
    });
  }

  private drain(max: number): void {
    const wasAbove = this.bufferedAmount > this.bufferedAmountLowThreshold;
    for (let n = 0; n < max && !this.paused && this.readyState === 'open' && this.queue.length > 0; n++) {
      const { bytes, lost } = this.queue.shift()!;
      this.bufferedAmount -= bytes.byteLength;
      const peer = this.peer;
      if (lost || this.silent) this.dropped++;
      else if (peer && peer.readyState === 'open') peer.fire('message', { data: bytes });
    }
    if (wasAbove && this.readyState === 'open' && this.bufferedAmount <= this.bufferedAmountLowThreshold) this.fire('bufferedamountlow');
  }
}

/** One end of an in-memory link: LinkChannels plus test controls. */
export interface MemoryLinkChannels extends LinkChannels {
  /** Reliable, ordered in-memory channel. */
  reliable: MemoryChannel;
  /** Unordered in-memory channel that may drop messages. */
  unreliable: MemoryChannel;
  /** Makes this end go silent: nothing it sends arrives, and no close event fires anywhere. */
  silence(): void;
  /** True once dispose() was called on this end. */
  readonly disposed: boolean;
}

/** Two connected in-memory link ends, `a` and `b`. */
export interface MemoryChannelPair {
  /** One end. */
  a: MemoryLinkChannels;
  /** The other end. */
  b: MemoryLinkChannels;
}

/** Creates two connected in-memory LinkChannels (reliable + unreliable each). */
export function memoryChannelPair(options: Partial<MemoryChannelOptions> = {}): MemoryChannelPair {
  const opts: MemoryChannelOptions = { ...defaults, random: Math.random, ...options };
  const make = () => ({ reliable: new MemoryChannel(true, opts), unreliable: new MemoryChannel(false, opts) });
  const x = make();
  const y = make();
  x.reliable.peer = y.reliable;
  y.reliable.peer = x.reliable;
  x.unreliable.peer = y.unreliable;
  y.unreliable.peer = x.unreliable;
  const end = (ch: { reliable: MemoryChannel; unreliable: MemoryChannel }): MemoryLinkChannels => {
    let disposed = false;
    return {
      ...ch,
      silence() {
        ch.reliable.silent = true;
        ch.unreliable.silent = true;
      },
      get disposed() {
        return disposed;
      },
      dispose() {
        disposed = true;
        ch.reliable.close();
        ch.unreliable.close();
      },
    };
  };
  return { a: end(x), b: end(y) };
}
