/**
 * Keeps a PeerJS peer registered with the signaling server through outages. PeerJS drops its
 * socket on any server error or close and never retries by itself; a naive retry on
 * 'disconnected' spins hundreds of times a second while the server is down. The keeper
 * retries with capped exponential back-off and jitter (same id and token, so the server's id
 * reservation lets it back in), and gives each attempt `openTimeoutMs` to be answered with
 * OPEN (a server that took the socket but never answers is dropped and retried). It gives up
 * only when the id is taken by someone else or the key is refused: that cannot heal. Links
 * (RTCPeerConnections) are never touched: signaling is only needed to open new ones.
 */
import type { Peer as PeerType } from 'peerjs';
import type { SignalingState } from './network.js';

/** Back-off of signaling reconnects. */
export interface SignalingRetryOptions {
  /** First delay before reconnecting to signaling, ms (doubles per failed attempt). Default: 500. */
  signalingRetryMinMs: number;
  /** Longest delay between reconnect attempts, ms. Default: 10000. */
  signalingRetryMaxMs: number;
  /** Time an attempt has to be answered, ms. Default: 10000. */
  openTimeoutMs: number;
}

/** Default back-off. */
export const signalingRetryDefaults: SignalingRetryOptions = { signalingRetryMinMs: 500, signalingRetryMaxMs: 10_000, openTimeoutMs: 10_000 };

/** PeerJS error types after which retrying cannot help. */
const FATAL = new Set(['unavailable-id', 'invalid-key', 'invalid-id']);

/** The delay before reconnect attempt `n` (0-based): min·2ⁿ capped at max, times a jitter in [0.5, 1). */
export function retryDelayMs(n: number, opts: Pick<SignalingRetryOptions, 'signalingRetryMinMs' | 'signalingRetryMaxMs'>, random: () => number = Math.random): number {
  const base = Math.min(opts.signalingRetryMaxMs, opts.signalingRetryMinMs * 2 ** Math.min(n, 30));
  return Math.round(base * (0.5 + random() / 2));
}

/** Reconnects `peer` to signaling after drops; reports every state change. */
export class SignalingKeeper {
  private current: SignalingState = 'open';
  private failures = 0;
  private fatal = false;
  private stopped = false;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private watchdog: ReturnType<typeof setTimeout> | undefined;

  /** `counter.reconnectAttempts` counts the attempts; `onState` hears every change. */
  constructor(private readonly peer: PeerType, private readonly opts: SignalingRetryOptions, private readonly counter: { reconnectAttempts: number }, private readonly onState: (state: SignalingState) => void) {
    peer.on('open', () => {
      this.failures = 0;
      clearTimeout(this.watchdog);
      this.set('open');
    });
    peer.on('error', (err) => { if (FATAL.has(err.type)) this.fatal = true; });
    peer.on('disconnected', () => this.dropped());
  }

  /** Where signaling stands. */
  get state(): SignalingState {
    return this.current;
  }

  /** Stops retrying (the network is being destroyed). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    clearTimeout(this.watchdog);
    this.current = 'closed';
  }

  private dropped(): void {
    if (this.stopped) return;
    clearTimeout(this.watchdog);
    if (this.fatal) { this.set('lost'); return; }
    this.set('reconnecting');
    clearTimeout(this.retry);
    this.retry = setTimeout(() => this.attempt(), retryDelayMs(this.failures++, this.opts));
  }

  private attempt(): void {
    if (this.stopped || !this.peer.disconnected) return;
    this.counter.reconnectAttempts++;
    try { this.peer.reconnect(); } catch { return; /* destroyed */ }
    // No OPEN in time (the server kept the socket but never answered): drop it and go again.
    this.watchdog = setTimeout(() => { if (!this.stopped && !this.peer.open && !this.peer.disconnected) this.peer.disconnect(); }, this.opts.openTimeoutMs);
  }

  private set(state: SignalingState): void {
    if (this.current === state || this.stopped) return;
    this.current = state;
    this.onState(state);
  }
}
