/** The signaling keeper's back-off, watchdog and give-up, on a fake PeerJS peer and fake timers. */
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Peer } from 'peerjs';
import { retryDelayMs, SignalingKeeper } from '../../sdk/src/link/signaling-keeper.js';
import type { SignalingState } from '../../sdk/src/link/network.js';

/** Just what the keeper reads of a PeerJS peer. */
class FakePeer extends EventEmitter {
  open = true;
  disconnected = false;
  reconnects = 0;
  /** What the next reconnect does: 'open', 'fail' (socket closes), 'hang' (never answered). */
  next: 'open' | 'fail' | 'hang' = 'fail';
  drop(): void { this.open = false; this.disconnected = true; this.emit('disconnected'); }
  disconnect(): void { if (!this.disconnected) this.drop(); }
  reconnect(): void {
    this.reconnects++;
    this.disconnected = false;
    if (this.next === 'open') queueMicrotask(() => { this.open = true; this.emit('open'); });
    else if (this.next === 'fail') queueMicrotask(() => this.drop());
  }
}

const opts = { signalingRetryMinMs: 100, signalingRetryMaxMs: 1000, openTimeoutMs: 2000 };

describe('signaling keeper', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  function keeper() {
    const peer = new FakePeer();
    const counter = { reconnectAttempts: 0 };
    const seen: SignalingState[] = [];
    const k = new SignalingKeeper(peer as unknown as Peer, opts, counter, (s) => seen.push(s));
    return { peer, counter, seen, k };
  }

  it('doubles the delay up to the cap, with jitter in [0.5, 1)', () => {
    expect([0, 1, 2, 3, 4, 5, 20].map((n) => retryDelayMs(n, opts, () => 0))).toEqual([50, 100, 200, 400, 500, 500, 500]);
    expect(retryDelayMs(2, opts, () => 0.999)).toBeLessThanOrEqual(400);
  });

  it('retries with back-off through an outage and reports reconnecting, then open', async () => {
    const { peer, counter, seen, k } = keeper();
    peer.drop();
    expect(k.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(10_000);
    // 10 s of outage at 100 ms doubling to 1 s: at most ~ 4 + 10 attempts, at least 10.
    expect(counter.reconnectAttempts).toBeGreaterThanOrEqual(10);
    expect(counter.reconnectAttempts).toBeLessThanOrEqual(25);
    peer.next = 'open';
    await vi.advanceTimersByTimeAsync(1000);
    expect(k.state).toBe('open');
    expect(seen).toEqual(['reconnecting', 'open']);
    // After a success the back-off starts over: the next drop retries within 100 ms.
    const before = counter.reconnectAttempts;
    peer.drop();
    await vi.advanceTimersByTimeAsync(100);
    expect(counter.reconnectAttempts).toBe(before + 1);
  });

  it('drops an attempt the server never answers, and tries again', async () => {
    const { peer, counter } = keeper();
    peer.next = 'hang';
    peer.drop();
    await vi.advanceTimersByTimeAsync(100);
    expect(counter.reconnectAttempts).toBe(1);
    await vi.advanceTimersByTimeAsync(opts.openTimeoutMs + 200);
    expect(counter.reconnectAttempts).toBe(2);
  });

  it('gives up when the id was taken by someone else, and stops for good on stop()', async () => {
    const { peer, seen, k, counter } = keeper();
    peer.emit('error', { type: 'unavailable-id' });
    peer.drop();
    expect(k.state).toBe('lost');
    await vi.advanceTimersByTimeAsync(5000);
    expect(counter.reconnectAttempts).toBe(0);
    expect(seen).toEqual(['lost']);
    const other = keeper();
    other.peer.drop();
    other.k.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(other.counter.reconnectAttempts).toBe(0);
    expect(other.k.state).toBe('closed');
  });
});
