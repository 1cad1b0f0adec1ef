import { describe, expect, it } from 'vitest';
import { MemoryLobbyStore } from '../../server/src/stores/memory.js';
import type { LobbyRecord } from '../../server/src/stores/store.js';

function lobby(code: string, extra: Partial<LobbyRecord> = {}): LobbyRecord {
  return {
    code, name: `Lobby ${code}`, maxPlayers: 4, public: true, open: true, players: 1, meta: { mode: 'ctf' },
    passwordHash: null, hostPeerId: 'host', hostSecret: 'secret', hostEpoch: 0, claimSecret: 'claim', released: false, createdAtMs: 1, ...extra,
  };
}

describe('MemoryLobbyStore', () => {
  it('creates, refuses a code in use, gets, updates, lists, counts and deletes', async () => {
    const store = new MemoryLobbyStore();
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
    expect(await store.delete('AAAAAA')).toBe(true);
    expect(await store.delete('AAAAAA')).toBe(false);
    expect(await store.count()).toBe(1);
    await store.close();
    expect(await store.count()).toBe(0);
  });

  it('replaceIf swaps a lobby only while its host epoch is the expected one', async () => {
    const store = new MemoryLobbyStore();
    await store.create(lobby('AAAAAA'));
    expect(await store.replaceIf(lobby('AAAAAA', { hostPeerId: 'b', hostEpoch: 1 }), 0)).toBe(true);
    expect(await store.replaceIf(lobby('AAAAAA', { hostPeerId: 'c', hostEpoch: 1 }), 0)).toBe(false);
    expect((await store.get('AAAAAA'))?.hostPeerId).toBe('b');
    expect(await store.replaceIf(lobby('ZZZZZZ', { hostEpoch: 1 }), 0)).toBe(false);
    expect(await store.get('ZZZZZZ')).toBeUndefined();
  });

  it('copies records in and out', async () => {
    const store = new MemoryLobbyStore();
    const record = lobby('AAAAAA');
    await store.create(record);
    record.name = 'mutated';
    record.meta.mode = 'mutated';
    const got = await store.get('AAAAAA');
    expect(got?.name).toBe('Lobby AAAAAA');
    expect(got?.meta.mode).toBe('ctf');
    got!.players = 99;
    expect((await store.get('AAAAAA'))?.players).toBe(1);
    (await store.listPublic(undefined, 1)).lobbies[0]!.open = false;
    expect((await store.get('AAAAAA'))?.open).toBe(true);
  });

  it('lists public, open lobbies by page with a cursor, stable under deletes', async () => {
    const store = new MemoryLobbyStore();
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
    expect((await store.listPublic(cursor, 100)).lobbies.length).toBe(expected.length - 1);
  });
});
