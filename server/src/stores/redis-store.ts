/**
 * A LobbyStore on Redis, so several server processes share lobbies. Each lobby is one string
 * key `<prefix>lobby:<code>` holding `<seq>|<record JSON>` with a TTL: a lobby whose host's
 * node stops refreshing it (the node died) is gone after `ttlMs`, so nothing stays behind
 * forever. Two sorted sets index it: `<prefix>public` (public lobbies by creation sequence, the
 * list cursor) and `<prefix>expiry` (every lobby by expiry time, for `count`); entries of
 * expired keys are dropped when met. Every multi-key step is one Lua script (lua.ts), so codes
 * stay unique across nodes and no reader sees half a change. Any Redis failure throws
 * StoreUnavailableError (503, retryable).
 */
import type { Redis } from 'ioredis';
import { guarded } from '../redis/connection.js';
import { LUA_NOW, LuaScript } from '../redis/lua.js';
import type { LobbyPage, LobbyRecord, LobbyStore } from './store.js';

/** Options of the Redis store. */
export interface RedisStoreOptions {
  /** Key prefix, so several deployments can share one Redis. Default: 'hostmesh:'. */
  prefix?: string;
  /** A lobby nobody refreshes is deleted after this long, ms. Default: 60000. */
  ttlMs?: number;
  /** Whether `close()` also closes the connection. Default: false. */
  ownsConnection?: boolean;
}

// KEYS: lobby, seq, public, expiry. ARGV: json, ttlMs, public(0/1), code.
const CREATE = new LuaScript(`${LUA_NOW}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local seq = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], seq .. '|' .. ARGV[1], 'PX', ARGV[2])
if ARGV[3] == '1' then redis.call('ZADD', KEYS[3], seq, ARGV[4]) end
redis.call('ZADD', KEYS[4], now + tonumber(ARGV[2]), ARGV[4])
return seq`);

// KEYS: lobby, public, expiry. ARGV: json, ttlMs, public(0/1), code, expected epoch ('' = any).
const REPLACE = new LuaScript(`${LUA_NOW}
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
local bar = string.find(cur, '|', 1, true)
local seq = string.sub(cur, 1, bar - 1)
if ARGV[5] ~= '' then
  local ok, old = pcall(cjson.decode, string.sub(cur, bar + 1))
  local epoch = ok and old['hostEpoch'] or nil
  if tostring(epoch or 0) ~= ARGV[5] then return 0 end
end
redis.call('SET', KEYS[1], seq .. '|' .. ARGV[1], 'PX', ARGV[2])
if ARGV[3] == '1' then redis.call('ZADD', KEYS[2], seq, ARGV[4]) else redis.call('ZREM', KEYS[2], ARGV[4]) end
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[2]), ARGV[4])
return 1`);

// KEYS: public, expiry, lobby... ARGV: ttlMs, code... (same order as the lobby keys).
const REFRESH = new LuaScript(`${LUA_NOW}
for i = 3, #KEYS do
  if redis.call('PEXPIRE', KEYS[i], ARGV[1]) == 1 then
    redis.call('ZADD', KEYS[2], now + tonumber(ARGV[1]), ARGV[i - 1])
  end
end
return 1`);

// KEYS: lobby, public, expiry. ARGV: code.
const DELETE = new LuaScript(`
local n = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return n`);

// KEYS: expiry.
const COUNT = new LuaScript(`${LUA_NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZCARD', KEYS[1])`);

/** Codes read per round trip while filling a page. */
const SCAN_BATCH = 100;

function parseEntry(raw: string): { seq: number; record: LobbyRecord } | undefined {
  const bar = raw.indexOf('|');
  if (bar < 1) return undefined;
  try {
    return { seq: Number(raw.slice(0, bar)), record: JSON.parse(raw.slice(bar + 1)) as LobbyRecord };
  } catch {
    return undefined;
  }
}

/** A LobbyStore whose lobbies live in Redis with a TTL. */
export class RedisLobbyStore implements LobbyStore {
  private readonly prefix: string;
  private readonly ttlMs: number;

  constructor(private readonly redis: Redis, private readonly options: RedisStoreOptions = {}) {
    this.prefix = options.prefix ?? 'hostmesh:';
    this.ttlMs = options.ttlMs ?? 60_000;
    if (!Number.isInteger(this.ttlMs) || this.ttlMs < 1000) throw new RangeError(`Redis store "ttlMs" must be a whole number of ms >= 1000 (got ${String(options.ttlMs)}).`);
  }

  /** Stores a new lobby unless its code is taken (atomic across nodes). */
  async create(lobby: LobbyRecord): Promise<boolean> {
    const created = await guarded(() => CREATE.run(this.redis, [this.key(lobby.code), `${this.prefix}seq`, this.publicKey, this.expiryKey],
      [JSON.stringify(lobby), this.ttlMs, lobby.public ? 1 : 0, lobby.code]));
    return Number(created) > 0;
  }

  /** The lobby with this code, if any. */
  async get(code: string): Promise<LobbyRecord | undefined> {
    const raw = await guarded(() => this.redis.get(this.key(code)));
    return raw === null ? undefined : parseEntry(raw)?.record;
  }

  /** Replaces an existing lobby (and extends its lifetime). */
  async update(lobby: LobbyRecord): Promise<boolean> {
    return this.replace(lobby, '');
  }

  /** Replaces the lobby only while its stored `hostEpoch` equals `expectedHostEpoch` (atomic). */
  async replaceIf(lobby: LobbyRecord, expectedHostEpoch: number): Promise<boolean> {
    return this.replace(lobby, String(expectedHostEpoch));
  }

  /** Deletes a lobby. */
  async delete(code: string): Promise<boolean> {
    return Number(await guarded(() => DELETE.run(this.redis, [this.key(code), this.publicKey, this.expiryKey], [code]))) > 0;
  }

  /** Extends the lifetime of these lobbies by `ttlMs` (their host is still connected). */
  async refresh(codes: readonly string[]): Promise<void> {
    if (codes.length === 0) return;
    await guarded(() => REFRESH.run(this.redis, [this.publicKey, this.expiryKey, ...codes.map((c) => this.key(c))], [this.ttlMs, ...codes]));
  }

  /** A page of public, open lobbies after `cursor`, oldest first; reads at most a batch of keys per round trip. */
  async listPublic(cursor: string | undefined, limit: number): Promise<LobbyPage> {
    let after = cursor === undefined ? 0 : Number(cursor);
    const lobbies: LobbyRecord[] = [];
    let last = after;
    for (;;) {
      const batch = await guarded(() => this.redis.zrangebyscore(this.publicKey, `(${after}`, '+inf', 'WITHSCORES', 'LIMIT', 0, SCAN_BATCH));
      if (batch.length === 0) return { lobbies, next: undefined };
      const codes = batch.filter((_, i) => i % 2 === 0);
      const raws = await guarded(() => this.redis.mget(...codes.map((c) => this.key(c))));
      const gone: string[] = [];
      for (const [i, code] of codes.entries()) {
        const raw = raws[i];
        const entry = raw === null || raw === undefined ? undefined : parseEntry(raw);
        if (entry === undefined) {
          gone.push(code);
          continue;
        }
        if (!entry.record.public || !entry.record.open) continue;
        if (lobbies.length === limit) return { lobbies, next: String(last) };
        lobbies.push(entry.record);
        last = entry.seq;
      }
      if (gone.length > 0) await guarded(() => this.redis.zrem(this.publicKey, ...gone));
      after = Number(batch[batch.length - 1]);
    }
  }

  /** Number of live lobbies. */
  async count(): Promise<number> {
    return Number(await guarded(() => COUNT.run(this.redis, [this.expiryKey], [])));
  }

  /** Closes the connection when the store owns it; the lobbies stay in Redis. */
  async close(): Promise<void> {
    if (this.options.ownsConnection === true) this.redis.disconnect();
  }

  private async replace(lobby: LobbyRecord, expectedEpoch: string): Promise<boolean> {
    const done = await guarded(() => REPLACE.run(this.redis, [this.key(lobby.code), this.publicKey, this.expiryKey],
      [JSON.stringify(lobby), this.ttlMs, lobby.public ? 1 : 0, lobby.code, expectedEpoch]));
    return Number(done) === 1;
  }

  private key(code: string): string {
    return `${this.prefix}lobby:${code}`;
  }

  private get publicKey(): string {
    return `${this.prefix}public`;
  }

  private get expiryKey(): string {
    return `${this.prefix}expiry`;
  }
}
