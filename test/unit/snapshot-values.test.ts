import { describe, expect, it } from 'vitest';
import { HostmeshError } from '../../sdk/src/core/errors.js';
import type { State } from '../../sdk/src/snapshot/schema.js';
import { SnapshotDecoder } from '../../sdk/src/snapshot/decoder.js';
import { SnapshotEncoder } from '../../sdk/src/snapshot/encoder.js';
import { forEachRef, ValueStore } from '../../sdk/src/snapshot/value-store.js';
import { MAX_FIELD_BYTES, packBytes } from '../../sdk/src/snapshot/packed.js';

/** The session's reliable side channel: the values tick `t` sends by reference. */
function relay(enc: SnapshotEncoder, t: number, dec: SnapshotDecoder): number {
  let n = 0;
  forEachRef(enc.quantizedAt(t)!, (id, field, p) => { n++; dec.values.put(id, field, p.ref, p.bytes); });
  return n;
}

/** Commits `state` at `t`, sends it against `ack` and returns the packet bytes. */
function step(enc: SnapshotEncoder, dec: SnapshotDecoder, t: number, state: State, ack?: number): number {
  enc.commit(t, state);
  relay(enc, t, dec);
  let bytes = 0;
  for (const p of enc.encodeFor(ack)) { bytes += p.length; dec.receive(p, t); }
  return bytes;
}

const board = () => ({
  game: { turn: 'p1', cells: [[1, 0, 2], [0, 1, 0], [0, 0, 0]], winner: null, log: Array.from({ length: 40 }, (_, i) => `move ${i}: somebody played somewhere`) },
  p1: { x: 1, y: 2, name: 'Ann', inventory: [{ item: 'sword', n: 1 }, { item: 'potion', n: 3 }], avatar: Uint8Array.from([1, 2, 3, 255]) },
});

describe('any msgpack value in an entity field', () => {
  it('nested objects, arrays, long strings, bytes and null round-trip through full snapshots and deltas', () => {
    const enc = new SnapshotEncoder(), dec = new SnapshotDecoder();
    const s = board();
    step(enc, dec, 1, s);
    expect(dec.stateAt(1)).toEqual(s);
    // One deep change, made in place: only that field travels, and the log (sent by reference) is not resent.
    s.game.cells[2]![2] = 1;
    const deltaBytes = step(enc, dec, 2, s, 1);
    expect(dec.stateAt(2)).toEqual(s);
    expect(deltaBytes).toBeLessThan(60);
    // Removal of a field, a field turning null, a new top-level entity with a nested value.
    const t3: State = { game: { ...s.game, winner: 'p1' }, p1: { x: 1, y: 2, name: 'Ann', inventory: null } , p2: { deep: { a: { b: { c: [1, 'two', { three: 3 }] } } } } };
    step(enc, dec, 3, t3, 2);
    expect(dec.stateAt(3)).toEqual(t3);
  });

  it('an unchanged value keeps one decoded object across ticks; a changed one is a new object', () => {
    const enc = new SnapshotEncoder(), dec = new SnapshotDecoder();
    const s = board();
    step(enc, dec, 1, s);
    const first = dec.stateAt(1)!.p1!.inventory;
    s.p1.x = 5;
    step(enc, dec, 2, s, 1);
    expect(dec.stateAt(2)!.p1!.inventory).toBe(first);
    s.p1.inventory[1]!.n = 2;
    step(enc, dec, 3, s, 2);
    expect(dec.stateAt(3)!.p1!.inventory).not.toBe(first);
    expect(dec.stateAt(3)!.p1!.inventory).toEqual(s.p1.inventory);
  });

  it('a referenced value that has not arrived holds the snapshot back (not acked) instead of showing a stale value', () => {
    const enc = new SnapshotEncoder(), dec = new SnapshotDecoder();
    const s = board();
    step(enc, dec, 1, s);
    s.game.log.push('a new line that changes the referenced value');
    enc.commit(2, s);
    const [p] = enc.encodeFor(1);
    const r = dec.receive(p!, 2);
    expect(r.dropped).toBe('awaiting-value');
    expect(r.ackTick).toBe(1);
    expect(relay(enc, 2, dec)).toBe(1);
    expect(dec.receive(p!, 2).complete).toBe(true);
    expect(dec.stateAt(2)!.game!.log).toEqual(s.game.log);
  });

  it('unsupported values throw INVALID_ARGUMENT naming the entity and field', () => {
    const enc = new SnapshotEncoder();
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const cases: [unknown, RegExp][] = [
      [() => 1, /Entity 'e' field 'f' holds a function/],
      [{ deep: [1, Symbol('s')] }, /Entity 'e' field 'f' holds a symbol at 'deep\[1\]'/],
      [10n, /Entity 'e' field 'f' holds a BigInt/],
      [cyclic, /Entity 'e' field 'f' refers to itself at 'self'/],
      [new Map([[1, 2]]), /Entity 'e' field 'f' holds a Map/],
      [{ when: new Date() }, /Entity 'e' field 'f' holds a Date at 'when'/],
      ['x'.repeat(MAX_FIELD_BYTES + 1), /Entity 'e' field 'f' is \d+ bytes as msgpack, over the 12288-byte cap/],
    ];
    for (const [value, message] of cases) {
      let err: unknown;
      try { enc.check({ e: { x: 0, f: value } } as unknown as State); } catch (e) { err = e; }
      expect(err, String(message)).toBeInstanceOf(HostmeshError);
      expect((err as HostmeshError).code).toBe('INVALID_ARGUMENT');
      expect((err as Error).message).toMatch(message);
    }
    expect(() => enc.check({ turn: 'p1' } as unknown as State)).toThrow(/Entity 'turn' must be an object of fields.*\{ game: \{ turn: 'p1' \} \}/);
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(() => enc.check({ e: { f: deep } } as unknown as State)).toThrow(/nested deeper than 30/);
  });
});

describe('ValueStore (client side of values sent by reference)', () => {
  it('keeps the last versions per field, never an older one over them, and refuses what is not plain msgpack', () => {
    const store = new ValueStore();
    for (let v = 1; v <= 6; v++) expect(store.put('e', 'f', v * 10, packBytes({ v }))).toBe(true);
    expect(store.get('e', 'f', 60)?.value).toEqual({ v: 6 });
    expect(store.get('e', 'f', 10)).toBeUndefined();
    expect(store.put('e', 'f', 5, packBytes({ v: 0 }))).toBe(false); // older than every kept version
    expect(store.put('e', 'g', 1, Uint8Array.from([0xc1]))).toBe(false); // never-used byte
    expect(store.put('e', 'g', 1, Uint8Array.from([0x92, 1]))).toBe(false); // truncated array
    expect(store.put('e', 'g', 1.5, packBytes(1))).toBe(false);
  });

  it('stays within its byte cap: older versions go first, then whole fields, least recently stored first', () => {
    const store = new ValueStore({ maxBytes: 10_000 });
    const big = (n: number) => packBytes('y'.repeat(1000 + n));
    for (let k = 0; k < 100; k++) for (let v = 1; v <= 3; v++) store.put(`e${k}`, 'f', v, big(k));
    expect(store.size).toBeLessThanOrEqual(20_000 + 1100);
    expect(store.get('e99', 'f', 3)).toBeDefined();
    expect(store.get('e0', 'f', 3)).toBeUndefined();
  });
});
