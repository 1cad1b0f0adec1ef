/**
 * Per-key token-bucket rate limiter with an injected clock.
 *
 * Each key (an IP address) owns a bucket of `ratePerMinute` tokens that refills continuously
 * at `ratePerMinute` per 60 s. A request takes one token; an empty bucket refuses and says how
 * long until the next token. Full buckets carry no information, so they are dropped when the
 * map grows; past `maxKeys` (many addresses, each still counting) the oldest key is forgotten,
 * so memory stays bounded whatever the number of addresses.
 */

/** Outcome of one `take`. */
export type RateDecision = { ok: true } | { ok: false; retryAfterMs: number };

interface Bucket {
  tokens: number;
  updatedMs: number;
}

const SWEEP_AT_KEYS = 10_000;

/** A token bucket per key. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private readonly capacity: number;
  private sweepAt = SWEEP_AT_KEYS;

  /** `ratePerMinute` tokens per key per minute, at most `burst` (default: a minute's worth) at once; `now` returns milliseconds. */
  constructor(
    ratePerMinute: number,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
    burst = ratePerMinute,
  ) {
    this.perMs = ratePerMinute / 60_000;
    this.capacity = burst;
  }

  /** Takes `cost` tokens from `key`'s bucket, or refuses with the wait until it could. */
  take(key: string, cost = 1): RateDecision {
    const now = this.now();
    const bucket = this.refill(key, now);
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil((cost - bucket.tokens) / this.perMs) };
  }

  /** Number of keys tracked (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private refill(key: string, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= this.sweepAt) {
        this.sweep(now);
        // Amortised: the next sweep waits until the map has doubled again.
        this.sweepAt = Math.max(SWEEP_AT_KEYS, this.buckets.size * 2);
      }
      if (this.buckets.size >= this.maxKeys) {
        const oldest = this.buckets.keys().next();
        if (oldest.done !== true) this.buckets.delete(oldest.value);
      }
      bucket = { tokens: this.capacity, updatedMs: now };
      this.buckets.set(key, bucket);
      return bucket;
    }
    const elapsed = Math.max(0, now - bucket.updatedMs);
    bucket.tokens = Math.min(this.capacity, bucket.tokens + elapsed * this.perMs);
    bucket.updatedMs = now;
    return bucket;
  }

  /** Gives back `cost` tokens taken from `key` (a reservation that turned out not to be needed). */
  refund(key: string, cost = 1): void {
    const bucket = this.buckets.get(key);
    if (bucket !== undefined) bucket.tokens = Math.min(this.capacity, bucket.tokens + cost);
  }

  /** Whether `key` could take `cost` tokens now, without taking them. */
  check(key: string, cost = 1): RateDecision {
    const bucket = this.buckets.get(key);
    if (bucket === undefined) return cost <= this.capacity ? { ok: true } : { ok: false, retryAfterMs: Number.POSITIVE_INFINITY };
    const tokens = Math.min(this.capacity, bucket.tokens + Math.max(0, this.now() - bucket.updatedMs) * this.perMs);
    return tokens >= cost ? { ok: true } : { ok: false, retryAfterMs: Math.ceil((cost - tokens) / this.perMs) };
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.updatedMs) * this.perMs >= this.capacity) this.buckets.delete(key);
    }
  }
}
