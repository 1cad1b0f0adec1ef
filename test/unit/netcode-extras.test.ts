import { describe, expect, it } from 'vitest';
import { HostmeshError } from '../../sdk/src/core/errors.js';
import type { Entity, State } from '../../sdk/src/snapshot/schema.js';
import { SnapshotDecoder } from '../../sdk/src/snapshot/decoder.js';
import { SnapshotEncoder } from '../../sdk/src/snapshot/encoder.js';
import { rng } from '../helpers/rng.js';
import { forEachRef } from '../../sdk/src/snapshot/value-store.js';
import { MAX_FIELD_BYTES } from '../../sdk/src/snapshot/packed.js';

/** What a session does over the reliable channel: hands the decoder the values tick `t` sends by reference. */
function relay(enc: SnapshotEncoder, t: number, dec: SnapshotDecoder): void {
  forEachRef(enc.quantizedAt(t)!, (id, field, p) => dec.values.put(id, field, p.ref, p.bytes));
}

/** Fields outside the default schema (x, y are in it): every kind of value the codec carries as-is. */
const edge: Entity[] = [
  { x: 1, kind: 'player', name: 'Zoë 🚀 日本語', score: 0, color: 0xf6c343, alive: true },
  { x: 2, kind: '', name: '', score: -1, color: 2 ** 31, alive: false },
  { x: 3, big: 2 ** 53 - 1, neg: -(2 ** 53) + 1, over: 2 ** 40, under: -(2 ** 49), huge: 1e300, tiny: 5e-324 },
  { x: 4, zero: -0, nan: NaN, inf: -Infinity, half: 0.5, '0': 'int-like name', '10': true, 'ключ': 'значение' },
  { x: 5, long: 'a'.repeat(900) },
  { x: 6, longUnicode: '€'.repeat(300), surrogates: '😀'.repeat(20) },
];

/** Mutates extras between ticks: values change, change type, appear and disappear. */
function mutate(e: Entity, rand: () => number, t: number): Entity {
  const out: Entity = { ...e, x: (e.x as number) + 0.25 };
  const r = rand();
  if (r < 0.15) out.score = typeof out.score === 'number' ? -out.score * 2 ** 20 - 1 : 7;
  else if (r < 0.25) out.kind = `k${t}€`;
  else if (r < 0.35) delete out.kind;
  else if (r < 0.45) out.extra = t % 2 === 0 ? 'new' : t;
  else if (r < 0.5) out.score = 'now a string';
  else if (r < 0.55) out.alive = !out.alive;
  return out;
}

/** Same values, checked with Object.is (so -0 and NaN count), and the same keys. */
function expectSame(got: Entity | undefined, want: Entity): void {
  expect(got).toBeDefined();
  expect(Object.keys(got as Entity).sort()).toEqual(Object.keys(want).sort());
  for (const k of Object.keys(want)) {
    const a = (got as Entity)[k], b = want[k];
    if (k === 'x') expect(a).toBeCloseTo(b as number, 2);
    else expect(Object.is(a, b), `${k}: ${String(a)} vs ${String(b)}`).toBe(true);
  }
}

describe('fields outside the schema', () => {
  it('unicode, empty and long strings, big and negative ints, -0, NaN, bools round-trip in full snapshots', () => {
    const enc = new SnapshotEncoder(), dec = new SnapshotDecoder();
    const state: State = Object.fromEntries(edge.map((e, i) => [`e${i}`, e]));
    enc.commit(1, state);
    relay(enc, 1, dec);
    for (const p of enc.encodeFor()) dec.receive(p, 0);
    const got = dec.stateAt(1) as State;
    edge.forEach((e, i) => expectSame(got[`e${i}`], e));
  });

  it('deltas against any kept baseline reconstruct extras that change, change type, appear and disappear', () => {
    const rand = rng(7);
    const enc = new SnapshotEncoder(), dec = new SnapshotDecoder({ keepTicks: 64 });
    let ents = edge.map((e) => ({ ...e }));
    const sent: State[] = [];
    for (let t = 0; t < 120; t++) {
      ents = ents.map((e) => mutate(e, rand, t));
      const state: State = Object.fromEntries(ents.map((e, i) => [`e${i}`, e]));
      sent[t] = state;
      enc.commit(t, state);
      const ack = t === 0 ? undefined : Math.max(0, t - 1 - Math.floor(rand() * 20));
      relay(enc, t, dec);
      for (const p of enc.encodeFor(ack)) dec.receive(p, t);
      const got = dec.stateAt(t) as State;
      for (const [id, e] of Object.entries(state)) expectSame(got[id], e);
    }
  });

  it('an extras field that changes between equal-looking values (0 and -0, NaN) is still sent', () => {
    const enc = new SnapshotEncoder(), dec = new SnapshotDecoder();
    const seq: Entity[] = [{ x: 0, v: 0 }, { x: 0, v: -0 }, { x: 0, v: NaN }, { x: 0, v: NaN }, { x: 0, v: 0 }, { x: 0, v: false }, { x: 0, v: 0 }];
    seq.forEach((e, t) => {
      enc.commit(t, { a: e });
      for (const p of enc.encodeFor(t === 0 ? undefined : t - 1)) dec.receive(p, t);
      expect(Object.is(dec.stateAt(t)?.a?.v, e.v)).toBe(true);
    });
  });

  it('extras whose key order changes between ticks still delta exactly against older baselines', () => {
    const enc = new SnapshotEncoder(), dec = new SnapshotDecoder();
    const seq: Entity[] = [{ x: 0, a: 1, b: 's' }, { x: 0, b: 's', a: 1 }, { x: 0, b: 't', a: 2 }, { x: 0, a: 3, b: 't' }, { x: 0, b: 'u', a: 3 }];
    seq.forEach((e, t) => {
      enc.commit(t, { e });
      for (const p of enc.encodeFor(t < 2 ? undefined : t - 2 + (t % 2))) dec.receive(p, t);
      expectSame(dec.stateAt(t)?.e, e);
    });
  });

  it('a string too long for one packet goes by reference (awaited until its value arrives); one over the field cap is refused', () => {
    const enc = new SnapshotEncoder({ budgetBytes: 1096 }), dec = new SnapshotDecoder();
    enc.commit(0, { a: { x: 1, s: 'a'.repeat(5000) } });
    const packets = enc.encodeFor();
    expect(packets).toHaveLength(1);
    expect(packets[0]!.length).toBeLessThan(100);
    expect(dec.receive(packets[0]!, 0).dropped).toBe('awaiting-value');
    relay(enc, 0, dec);
    expect(dec.receive(packets[0]!, 0).complete).toBe(true);
    expect(dec.stateAt(0)?.a?.s).toBe('a'.repeat(5000));
    expect(() => enc.commit(1, { a: { x: 1, s: 'a'.repeat(MAX_FIELD_BYTES) } })).toThrow(/Entity 'a' field 's' is \d+ bytes as msgpack, over the/);
    expect(() => enc.commit(1, { a: { x: 1, s: 'a'.repeat(MAX_FIELD_BYTES) } })).toThrow(HostmeshError);
  });

  it('many entities of a few shapes share their field names: each packet decodes alone', () => {
    const state: State = {};
    for (let i = 0; i < 400; i++) state[`p${i}`] = { x: i, kind: i % 3 === 0 ? 'player' : 'pickup', name: `P ${i}`, score: i * 1e6, on: i % 2 === 0 };
    const enc = new SnapshotEncoder();
    enc.commit(5, state);
    const packets = enc.encodeFor();
    expect(packets.length).toBeGreaterThan(1);
    for (const p of packets) {
      const dec = new SnapshotDecoder();
      expect(dec.receive(p, 0).dropped).toBeUndefined();
    }
  });

  it('bit flips in extras-heavy packets never crash: DECODE_FAILED or a consistent state', () => {
    const rand = rng(3);
    const enc = new SnapshotEncoder();
    const state: State = Object.fromEntries(edge.slice(0, 4).map((e, i) => [`e${i}`, e]));
    enc.commit(1, state);
    const good = enc.encodeFor()[0]!;
    for (let n = 0; n < 2000; n++) {
      const p = good.slice();
      for (let f = 0; f < 1 + (n % 3); f++) { const bit = Math.floor(rand() * p.length * 8); p[bit >> 3]! ^= 1 << (bit & 7); }
      const dec = new SnapshotDecoder();
      try { dec.receive(p, 0); } catch (err) { expect((err as HostmeshError).code).toBe('DECODE_FAILED'); }
    }
  });
});
