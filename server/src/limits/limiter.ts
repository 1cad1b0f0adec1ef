/**
 * The rate-limiter interface the lobby rules use: asynchronous, so one limit can be shared by
 * every node through Redis (cluster/redis-limiter.ts); `localLimiter` adapts the in-process
 * token bucket (rate-limiter.ts) for a single server.
 */
import { RateLimiter, type RateDecision } from './rate-limiter.js';

/** A token bucket per key, possibly shared between processes. */
export interface Limiter {
  /** Takes `cost` tokens from `key`'s bucket, or refuses with the wait until it could. */
  take(key: string, cost?: number): Promise<RateDecision>;
  /** Whether `key` could take `cost` tokens now, without taking them. */
  check(key: string, cost?: number): Promise<RateDecision>;
  /** Gives back `cost` tokens taken from `key`. */
  refund(key: string, cost?: number): Promise<void>;
}

/** Makes limiters: `name` tells them apart where they share a namespace (Redis keys). */
export type LimiterFactory = (name: string, ratePerMinute: number, now: () => number) => Limiter;

/** A Limiter over an in-process RateLimiter. */
export function localLimiter(limiter: RateLimiter): Limiter {
  return {
    take: async (key, cost) => limiter.take(key, cost),
    check: async (key, cost) => limiter.check(key, cost),
    refund: async (key, cost) => limiter.refund(key, cost),
  };
}

/** The factory of a single server: one in-process bucket map per limiter. */
export const localLimiters: LimiterFactory = (_name, ratePerMinute, now) => localLimiter(new RateLimiter(ratePerMinute, now));
