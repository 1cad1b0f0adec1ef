/**
 * Inbound rate budgets of one link: per channel, messages and bytes per second, each a token
 * bucket refilled at that rate and holding a burst (one second's worth unless set larger: a
 * level's worth of reliable messages sent at once must pass). A frame over budget is
 * dropped before it is decoded. A peer whose frames keep being refused for `floodGraceMs`
 * (refusals no more than 250 ms apart), or has had four seconds' worth of its budget refused in
 * one such spell (a flood many times the budget is plain at once), is flooding: the link reports
 * it once, and the session decides (the host kicks and bans the peer; a member closes that link).
 */

/** Messages and bytes per second one channel of a link accepts. */
export interface ChannelBudget {
  /** Frames per second. */
  messagesPerSec: number;
  /** Bytes per second. */
  bytesPerSec: number;
  /** Frames that may arrive at once. Default: messagesPerSec. */
  burstMessages?: number;
  /** Bytes that may arrive at once. Default: bytesPerSec. */
  burstBytes?: number;
}

/** Inbound budgets of a link. */
export interface LinkBudgets {
  /** The reliable channel. Default: 500 messages/s, 1 MiB/s, bursts of 2,000 messages / 4 MiB. */
  reliable: ChannelBudget;
  /** The unreliable channel. Default: 1,000 messages/s, 512 KiB/s. */
  unreliable: ChannelBudget;
  /** How long a peer may stay over budget before it counts as flooding, ms. Default: 750. */
  floodGraceMs: number;
}

/** Default inbound budgets: about 10x what an honest player sends (60 inputs/s, acks, pings, game messages). */
export const budgetDefaults: LinkBudgets = {
  reliable: { messagesPerSec: 500, bytesPerSec: 1024 * 1024, burstMessages: 2000, burstBytes: 4 * 1024 * 1024 },
  unreliable: { messagesPerSec: 1000, bytesPerSec: 512 * 1024 },
  floodGraceMs: 750,
};

/** Refusals further apart than this end an over-budget spell. */
const CALM_GAP_MS = 250;

/** Refusals in one spell, in seconds of the channel's message budget, that make a flood at once. */
const FLOOD_SECONDS = 4;

class Bucket {
  private tokens: number;
  private last: number;

  constructor(private readonly rate: number, private readonly burst: number, now: number) {
    this.tokens = burst;
    this.last = now;
  }

  take(n: number, now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }
}

/** The inbound budget of one link. */
export class InboundBudget {
  /** Frames refused so far. */
  refused = 0;
  private readonly buckets: readonly [Bucket, Bucket, Bucket, Bucket];
  private overSince = -1;
  private lastRefusal = -Infinity;
  private refusedInSpell = 0;
  private heavy = false;
  private reported = false;

  constructor(private readonly budgets: LinkBudgets, now: number) {
    const { reliable: r, unreliable: u } = budgets;
    const bucket = (rate: number, burst: number | undefined) => new Bucket(rate, Math.max(rate, burst ?? rate), now);
    this.buckets = [
      bucket(r.messagesPerSec, r.burstMessages), bucket(r.bytesPerSec, r.burstBytes),
      bucket(u.messagesPerSec, u.burstMessages), bucket(u.bytesPerSec, u.burstBytes),
    ];
  }

  /** True when a frame of `bytes` on this channel fits the budget now (and is charged to it). */
  admit(reliable: boolean, bytes: number, now: number): boolean {
    const [count, size] = reliable ? [this.buckets[0], this.buckets[1]] : [this.buckets[2], this.buckets[3]];
    if (count.take(1, now) && size.take(bytes, now)) return true;
    this.refused++;
    if (now - this.lastRefusal > CALM_GAP_MS) { this.overSince = now; this.refusedInSpell = 0; }
    this.lastRefusal = now;
    const budget = reliable ? this.budgets.reliable : this.budgets.unreliable;
    if (++this.refusedInSpell >= FLOOD_SECONDS * budget.messagesPerSec) this.heavy = true;
    return false;
  }

  /** True once, the first time the peer has been over budget for the grace period. */
  floodDetected(now: number): boolean {
    if (this.reported || this.overSince < 0 || now - this.lastRefusal > CALM_GAP_MS) return false;
    if (!this.heavy && now - this.overSince < this.budgets.floodGraceMs) return false;
    this.reported = true;
    return true;
  }
}
