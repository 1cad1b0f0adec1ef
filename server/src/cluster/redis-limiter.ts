/**
 * Token-bucket rate limits shared by every node through Redis: one hash per key
 * (`<prefix>rate:<name>:<key>`, tokens and last update), refilled and taken in one Lua script
 * on Redis's own clock, so an address gets the same budget whichever node it reaches and
 * however many there are. Keys expire once their bucket would be full again.
 */
import type { Redis } from 'ioredis';
import type { Limiter, LimiterFactory } from '../limits/limiter.js';
import type { RateDecision } from '../limits/rate-limiter.js';
import { guarded } from '../redis/connection.js';
import { LUA_NOW, LuaScript } from '../redis/lua.js';

// KEYS: bucket. ARGV: capacity, tokens per ms, cost, mode (take | check | refund), key ttl ms.
// Returns -1 when allowed, else the wait in ms.
const BUCKET = new LuaScript(`${LUA_NOW}
local cap = tonumber(ARGV[1])
local perMs = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 't', 'u')
local tokens = tonumber(b[1]) or cap
local updated = tonumber(b[2]) or now
tokens = math.min(cap, tokens + math.max(0, now - updated) * perMs)
if ARGV[4] == 'check' then
  if tokens >= cost then return -1 end
  return math.ceil((cost - tokens) / perMs)
elseif ARGV[4] == 'refund' then
  tokens = math.min(cap, tokens + cost)
else
  if tokens < cost then return math.ceil((cost - tokens) / perMs) end
  tokens = tokens - cost
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'u', now)
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return -1`);

/** A LimiterFactory whose buckets live in Redis under `prefix`. */
export function redisLimiters(redis: Redis, prefix: string): LimiterFactory {
  return (name, ratePerMinute) => {
    const perMs = ratePerMinute / 60_000;
    const ttlMs = Math.ceil(60_000 + 1000);
    const run = async (mode: string, key: string, cost: number): Promise<RateDecision> => {
      const wait = Number(await guarded(() => BUCKET.run(redis, [`${prefix}rate:${name}:${key}`], [ratePerMinute, perMs, cost, mode, ttlMs])));
      return wait < 0 ? { ok: true } : { ok: false, retryAfterMs: wait };
    };
    const limiter: Limiter = {
      take: (key, cost = 1) => run('take', key, cost),
      check: (key, cost = 1) => run('check', key, cost),
      refund: async (key, cost = 1) => { await run('refund', key, cost); },
    };
    return limiter;
  };
}
