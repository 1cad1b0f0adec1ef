/**
 * One token bucket with an injected clock: `capacity` tokens, refilled at `perSecond`.
 * A socket's byte budget and message budget are two of these.
 */

/** A single token bucket. */
export class TokenBucket {
  private tokens: number;
  private updatedMs: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = capacity;
    this.updatedMs = now();
  }

  /** Takes `cost` tokens; false (and nothing taken) when there are not enough. */
  take(cost = 1): boolean {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + (Math.max(0, now - this.updatedMs) * this.perSecond) / 1000);
    this.updatedMs = now;
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }
}
