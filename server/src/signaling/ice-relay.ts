/**
 * Relays hostmesh's ICE-restart envelope (`ICE_SIGNAL_TYPE`, sdk/src/wire/ice-signal.ts) between
 * two registered peers. `peer` drops message types it does not know, and PeerJS itself must never
 * see this one (it would close a live connection on a second OFFER), so the signaling server
 * forwards it itself: only from a socket that is the registered owner of its id (so `src`, which
 * the relay writes, is authenticated), only to an id that is connected now (a restart is retried,
 * never queued), at most `perSecond` per sending socket with bursts of `burst` (more are dropped
 * and counted; the socket stays open). For an absent `dst` the sender hears `ICE_GONE_TYPE`, so a
 * peer restarting ICE towards a crashed one gives up at once. Shape and size were checked by
 * signaling-frames.ts.
 * A multi-node deployment must route this type across nodes the same way as OFFER.
 */
import type { WebSocket } from 'ws';
import { ICE_GONE_TYPE, ICE_SIGNAL_TYPE } from '../../../sdk/src/wire/protocol.js';
import { TokenBucket } from '../limits/token-bucket.js';

/** Envelopes one socket may send per second, and as a burst. */
export const ICE_RELAY_RATE = { perSecond: 20, burst: 50 } as const;

/** What the relay counted. */
export interface IceRelayStats {
  /** Envelopes forwarded. */
  relayed: number;
  /** Envelopes dropped: sender not the owner of its id, destination not connected, or over the rate. */
  dropped: number;
}

/** Forwards ICE-restart envelopes between registered peers. */
export class IceRelay {
  /** Counters. */
  readonly stats: IceRelayStats = { relayed: 0, dropped: 0 };
  private readonly owners = new Map<string, WebSocket>();
  private readonly buckets = new WeakMap<WebSocket, TokenBucket>();

  /** `id` is registered on `socket`. */
  registered(id: string, socket: WebSocket): void {
    this.owners.set(id, socket);
  }

  /** `id` lost its socket. */
  unregistered(id: string, socket?: unknown): void {
    if (socket === undefined || this.owners.get(id) === socket) this.owners.delete(id);
  }

  /** Forwards `payload` (already checked) from `srcId`'s `socket` to `dst`; false when dropped. Total. */
  relay(socket: WebSocket, srcId: string, dst: string, payload: unknown): boolean {
    try {
      let bucket = this.buckets.get(socket);
      if (!bucket) this.buckets.set(socket, (bucket = new TokenBucket(ICE_RELAY_RATE.burst, ICE_RELAY_RATE.perSecond)));
      if (this.owners.get(srcId) !== socket || !bucket.take()) { this.stats.dropped++; return false; }
      const target = this.owners.get(dst);
      if (!target) {
        this.stats.dropped++;
        socket.send(JSON.stringify({ type: ICE_GONE_TYPE, src: dst, payload: { connectionId: (payload as { connectionId?: unknown }).connectionId } }));
        return false;
      }
      target.send(JSON.stringify({ type: ICE_SIGNAL_TYPE, src: srcId, dst, payload }));
      this.stats.relayed++;
      return true;
    } catch {
      this.stats.dropped++;
      return false;
    }
  }
}
