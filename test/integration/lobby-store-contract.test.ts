/**
 * The LobbyStore contract, written once and run against every store: the in-memory default and
 * the Redis store on a real redis-server (started here on a free port, no persistence, killed
 * afterwards). Redis-only cases follow: two nodes (two connections) share lobbies and codes stay
 * unique between them, lobbies expire by TTL unless refreshed, and an outage is a typed,
 * retryable StoreUnavailableError that ends when Redis is back.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../../server/src/redis/connection.js';
import { MemoryLobbyStore } from '../../server/src/stores/memory.js';
import { RedisLobbyStore } from '../../server/src/stores/redis-store.js';
import { StoreUnavailableError } from '../../server/src/stores/store-unavailable.js';
import type { LobbyRecord, LobbyStore } from '../../server/src/stores/store.js';
import { createLogger } from '../../server/src/log.js';
import { redisMissing, startRedis, type RedisProcess } from '../helpers/redis.js';

const quiet = createLogger(false);

function lobby(code: string, extra: Partial<LobbyRecord> = {}): LobbyRecord {
  return {
    code, name: `Lobby ${code}`, maxPlayers: 4, public: true, open: true, players: 1, meta: { mode: 'ctf' },
    passwordHash: null, hostPeerId: 'host', hostSecret: 'secret', hostEpoch: 0, claimSecret: 'claim', released: false, createdAtMs: 1, ...extra,
  };
}

let redis: RedisProcess | undefined;
const connections: Redis[] = [];
let prefixes = 0;

beforeAll(async () => {
  if (redisMissing === undefined) redis = await startRedis();
}, 20_000);

afterAll(async () => {
  for (const c of connections) c.disconnect();
  await redis?.stop();
});

async function redisStore(options: { prefix?: string; ttlMs?: number } = {}): Promise<RedisLobbyStore> {
  const connection = await connectRedis({ url: redis!.url, commandTimeoutMs: 1000 }, quiet, 'test');
  connections.push(connection);
  return new RedisLobbyStore(connection, { prefix: options.prefix ?? `t${prefixes++}:`, ...(options.ttlMs === undefined ? {} : { ttlMs: options.ttlMs }) });
}

const stores: [string, () => Promise<LobbyStore>, string | undefined][] = [
  ['memory', async () => new MemoryLobbyStore(), undefined],
  ['redis', () => redisStore(), redisMissing],
];

describe.each(stores)('LobbyStore contract: %s', (_name, make, skip) => {
  it.skipIf(skip !== undefined)('creates, refuses a code in use, gets, updates, lists, counts and deletes', async () => {
    const store = await make();
    expect(await store.create(lobby('AAAAAA'))).toBe(true);
    expect(await store.create(lobby('AAAAAA', { name: 'other' }))).toBe(false);
    expect((await store.get('AAAAAA'))?.name).toBe('Lobby AAAAAA');
    expect(await store.get('BBBBBB')).toBeUndefined();
    expect(await store.create(lobby('BBBBBB'))).toBe(true);
    expect(await store.count()).toBe(2);
    expect((await store.listPublic(undefined, 10)).lobbies.map((l) => l.code)).toEqual(['AAAAAA', 'BBBBBB']);
    expect(await store.update(lobby('AAAAAA', { players: 3 }))).toBe(true);
    expect((await store.get('AAAAAA'))?.players).toBe(3);
    expect(await store.update(lobby('CCCCCC'))).toBe(false);
    expect(await store.get('CCCCCC')).toBeUndefined();
    expect(await store.delete('AAAAAA')).toBe(true);
    expect(await store.delete('AAAAAA')).toBe(false);
    expect(await store.count()).toBe(1);
    await store.refresh(['BBBBBB', 'NOSUCH']);
    expect(await store.get('NOSUCH')).toBeUndefined();
    expect(await store.count()).toBe(1);
    await store.close();
  });

  it.skipIf(skip !== undefined)('keeps every field, and copies records in and out', async () => {
    const store = await make();
    const record = lobby('AAAAAA', { passwordHash: 'scrypt$a$b', meta: { mode: 'ctf', map: 'dust' }, public: false, createdAtMs: 1234 });
    await store.create(record);
    expect(await store.get('AAAAAA')).toEqual(record);
    record.name = 'mutated';
    record.meta.mode = 'mutated';
    const got = await store.get('AAAAAA');
    expect(got?.name).toBe('Lobby AAAAAA');
    expect(got?.meta.mode).toBe('ctf');
    got!.players = 99;
    expect((await store.get('AAAAAA'))?.players).toBe(1);
  });

  it.skipIf(skip !== undefined)('gives a contested code to exactly one of many concurrent creators', async () => {
    const store = await make();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.create(lobby('RACE00', { hostPeerId: `h${i}` }))));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect((await store.get('RACE00'))?.hostPeerId).toBe(`h${winner}`);
  });

  it.skipIf(skip !== undefined)('replaceIf swaps only at the expected host epoch, and exactly one of many concurrent claims at one epoch wins', async () => {
    const store = await make();
    await store.create(lobby('EPOCH0', { hostEpoch: 3 }));
    expect(await store.replaceIf(lobby('EPOCH0', { hostEpoch: 4, hostPeerId: 'late' }), 2)).toBe(false);
    expect((await store.get('EPOCH0'))?.hostPeerId).toBe('host');
    expect(await store.replaceIf(lobby('NOSUCH', { hostEpoch: 1 }), 0)).toBe(false);
    expect(await store.get('NOSUCH')).toBeUndefined();
    const claims = await Promise.all(Array.from({ length: 12 }, (_, i) => store.replaceIf(lobby('EPOCH0', { hostEpoch: 4, hostPeerId: `m${i}`, released: false }), 3)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    const now = await store.get('EPOCH0');
    expect(now?.hostPeerId).toBe(`m${claims.indexOf(true)}`);
    expect(now?.hostEpoch).toBe(4);
    expect(await store.replaceIf(lobby('EPOCH0', { hostEpoch: 4, released: true, hostPeerId: now!.hostPeerId }), 4)).toBe(true);
    expect((await store.get('EPOCH0'))?.released).toBe(true);
    expect((await store.listPublic(undefined, 10)).lobbies.map((l) => l.code)).toEqual(['EPOCH0']);
  });

  it.skipIf(skip !== undefined)('lists public, open lobbies by page with a cursor, stable under deletes and flips', async () => {
    const store = await make();
    const codes = Array.from({ length: 25 }, (_, i) => `L${String(i).padStart(5, '0')}`);
    for (const [i, code] of codes.entries()) await store.create(lobby(code, { public: i % 5 !== 0, open: i % 7 !== 0 }));
    const expected = codes.filter((_, i) => i % 5 !== 0 && i % 7 !== 0);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.listPublic(cursor, 4);
      expect(page.lobbies.length).toBeLessThanOrEqual(4);
      seen.push(...page.lobbies.map((l) => l.code));
      cursor = page.next;
      if (pages++ === 1) await store.delete(seen[seen.length - 1]!);
    } while (cursor !== undefined);
    expect(seen).toEqual(expected);
    expect((await store.listPublic(undefined, 100)).lobbies.length).toBe(expected.length - 1);
    // A private lobby made public shows, in creation order; a public one made private does not.
    await store.update(lobby(codes[0]!, { public: true }));
    await store.update(lobby(codes[1]!, { public: false }));
    const all = (await store.listPublic(undefined, 100)).lobbies.map((l) => l.code);
    expect(all[0]).toBe(codes[0]);
    expect(all).not.toContain(codes[1]);
  });
});

describe.skipIf(redisMissing !== undefined)('Redis lobby store across nodes', () => {
  it('two nodes share lobbies; a code taken through one is refused through the other', async () => {
    const prefix = `shared${prefixes++}:`;
    const a = await redisStore({ prefix });
    const b = await redisStore({ prefix });
    expect(await a.create(lobby('SHARED'))).toBe(true);
    expect(await b.create(lobby('SHARED', { hostPeerId: 'thief' }))).toBe(false);
    expect((await b.get('SHARED'))?.hostPeerId).toBe('host');
    expect(await b.update(lobby('SHARED', { players: 4 }))).toBe(true);
    expect((await a.get('SHARED'))?.players).toBe(4);
    const both = await Promise.all([a.create(lobby('RACE11', { hostPeerId: 'a' })), b.create(lobby('RACE11', { hostPeerId: 'b' }))]);
    expect(both.filter(Boolean)).toHaveLength(1);
    expect(await b.delete('SHARED')).toBe(true);
    expect(await a.get('SHARED')).toBeUndefined();
  });

  it('lobbies expire by TTL unless refreshed (a dead node leaves nothing behind)', async () => {
    const store = await redisStore({ ttlMs: 1000 });
    await store.create(lobby('KEEPME'));
    await store.create(lobby('DROPME'));
    const deadline = Date.now() + 2500;
    while (Date.now() < deadline) {
      await store.refresh(['KEEPME']);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await store.get('KEEPME')).toBeDefined();
    expect(await store.get('DROPME')).toBeUndefined();
    expect(await store.count()).toBe(1);
    expect((await store.listPublic(undefined, 10)).lobbies.map((l) => l.code)).toEqual(['KEEPME']);
  });

  it('an outage is a typed, retryable StoreUnavailableError, and the store works again once Redis is back', async () => {
    const store = await redisStore();
    await store.create(lobby('BEFORE'));
    await redis!.stop();
    try {
      const started = Date.now();
      await expect(store.get('BEFORE')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.create(lobby('DURING'))).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(5000); // fails fast, not queued forever
    } finally {
      await redis!.restart();
    }
    // ioredis reconnects by itself with back-off; the restarted Redis is empty (no persistence).
    const deadline = Date.now() + 10_000;
    let created = false;
    while (!created && Date.now() < deadline) {
      created = await store.create(lobby('AFTER0')).catch(() => false);
      if (!created) await new Promise((r) => setTimeout(r, 100));
    }
    expect(created).toBe(true);
    expect((await store.get('AFTER0'))?.code).toBe('AFTER0');
  });
});
