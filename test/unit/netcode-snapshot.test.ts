import { describe, expect, it } from 'vitest';
import { HostmeshError } from '../../sdk/src/core/errors.js';
import { quantizeState } from '../../sdk/src/snapshot/quantize.js';
import { dequantizeState } from '../../sdk/src/snapshot/dequantize.js';
import { compileSchema, defaultSchema, type Schema, type State } from '../../sdk/src/snapshot/schema.js';
import { SnapshotDecoder, type SnapshotReceipt } from '../../sdk/src/snapshot/decoder.js';
import { DEFAULT_SNAPSHOT_BUDGET_BYTES, encodeSnapshot, SnapshotEncoder } from '../../sdk/src/snapshot/encoder.js';
import { AckTracker, SnapshotHistory } from '../../sdk/src/snapshot/history.js';
import { rng } from '../helpers/rng.js';

const schema: Schema = {
  ...defaultSchema,
  alive: { type: 'bool' },
  name: { type: 'string', maxLength: 16 },
  hp: { type: 'int' },
};
const cs = compileSchema(schema);
/** What a client must reconstruct: the host state, quantized. */
const quantized = (s: State): State => dequantizeState(cs, quantizeState(cs, s));

/** A world of `n` mixed entities that evolves with `step`. */
function world(n: number, seed = 1): { state: State; step: (movingPct?: number) => void; rand: () => number } {
  const rand = rng(seed);
  const state: State = {};
  for (let i = 0; i < n; i++) {
    const kind = i % 4;
    if (kind === 0) state[`cube-${i}`] = { x: rand() * 50, y: rand() * 50, z: 0.5, qx: 0, qy: 0, qz: 0, qw: 1 };
    else if (kind === 1) state[`p${i}`] = { x: rand() * 800, y: rand() * 600, angle: rand() * 6, alive: true, name: `player${i}`, hp: 100 };
    else if (kind === 2) state[`bullet:${i}`] = { x: rand() * 800, y: rand() * 600, vx: rand() * 10 - 5, vy: rand() * 10 - 5, owner: `p${i - 1}` };
    else state[`crate-${i}`] = { x: rand() * 800, y: rand() * 600, rotation: rand() * 6 - 3, score: 3, label: 'wood', heavy: false };
  }
  const step = (movingPct = 10): void => {
    for (const [id, e] of Object.entries(state)) {
      if (rand() * 100 >= movingPct) continue;
      const next = { ...e };
      if (typeof next.x === 'number') next.x += rand() - 0.5;
      if (typeof next.y === 'number') next.y -= rand() * 0.3;
      if (typeof next.angle === 'number') next.angle += rand() - 0.5;
      if (typeof next.rotation === 'number') next.rotation = rand() * 7 - 3.5;
      if (typeof next.qw === 'number') {
        const a = rand() * 3;
        Object.assign(next, { qx: Math.sin(a) * 0.6, qy: 0, qz: Math.sin(a) * 0.8, qw: Math.cos(a) });
      }
      if (typeof next.hp === 'number') next.hp -= Math.floor(rand() * 3);
      if (typeof next.alive === 'boolean' && rand() < 0.1) next.alive = !next.alive;
      if (typeof next.score === 'number' && rand() < 0.2) next.score += 0.5;
      state[id] = next;
    }
  };
  return { state, step, rand };
}

function decodeAll(dec: SnapshotDecoder, packets: Uint8Array[], nowMs = 0): SnapshotReceipt {
  let last: SnapshotReceipt | undefined;
  for (const p of packets) last = dec.receive(p, nowMs);
  if (!last) throw new Error('no packets');
  return last;
}

function expectDecodeFailed(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HostmeshError);
    expect((err as HostmeshError).code).toBe('DECODE_FAILED');
    return;
  }
  expect.unreachable('expected DECODE_FAILED');
}

describe('delta snapshots', () => {
  it('a full snapshot reconstructs the quantized host state exactly', () => {
    const w = world(40);
    const packets = encodeSnapshot({ tick: 5, state: w.state, schema });
    const got = decodeAll(new SnapshotDecoder({ schema }), packets);
    expect(got).toMatchObject({ tick: 5, complete: true, ackTick: 5 });
    expect(got.state).toEqual(quantized(w.state));
  });

  it('deltas against no, old and recent baselines all reconstruct exactly', () => {
    const w = world(200, 2);
    const enc = new SnapshotEncoder({ schema, historyTicks: 64 });
    const clientOf = (): SnapshotDecoder => new SnapshotDecoder({ schema, keepTicks: 64 });
    const recent = clientOf(), old = clientOf(), none = clientOf();
    for (let tick = 0; tick < 80; tick++) {
      w.step(tick % 10 === 0 ? 60 : 10);
      enc.commit(tick, w.state);
      const want = quantized(w.state);
      const r1 = decodeAll(recent, enc.encodeFor(recent.ackTick));
      const r2 = decodeAll(old, enc.encodeFor(tick >= 20 ? Math.floor(tick / 20) * 20 - 20 : old.ackTick));
      const r3 = decodeAll(none, enc.encodeFor(undefined));
      for (const r of [r1, r2, r3]) {
        expect(r.complete).toBe(true);
        expect(r.state).toEqual(want);
      }
    }
  });

  it('adds, removes, and changes the set of fields of entities', () => {
    const enc = new SnapshotEncoder({ schema });
    const dec = new SnapshotDecoder({ schema });
    const states: State[] = [
      { a: { x: 1, y: 2 }, b: { x: 3, name: 'bee' }, c: { hp: 5, extra: 'e' } },
      { a: { x: 1, y: 2.5 }, c: { hp: 5, extra: 'f', more: 1.5 }, d: { alive: false } },
      { a: { x: 1, y: 2.5, z: 9 }, c: { hp: 4 }, d: { alive: true }, 'é😀': { angle: 1 } },
      {},
      { a: { x: -1 } },
    ];
    states.forEach((s, tick) => {
      enc.commit(tick, s);
      const r = decodeAll(dec, enc.encodeFor(dec.ackTick));
      expect(r.state).toEqual(quantized(s));
    });
  });

  it('splits a 900-entity full snapshot into packets within budget that each decode alone', () => {
    const w = world(900, 3);
    for (const budget of [DEFAULT_SNAPSHOT_BUDGET_BYTES, 300]) {
      const packets = encodeSnapshot({ tick: 1, state: w.state, schema, budgetBytes: budget });
      expect(packets.length).toBeGreaterThan(1);
      for (const p of packets) expect(p.length).toBeLessThanOrEqual(budget);
      const dec = new SnapshotDecoder({ schema });
      let seen = 0;
      for (const p of packets) {
        const r = new SnapshotDecoder({ schema }).receive(p, 0);
        seen += Object.keys(r.state ?? {}).length;
        dec.receive(p, 0);
      }
      expect(seen).toBe(900);
      expect(dec.stateAt(1)).toEqual(quantized(w.state));
    }
  });

  it('parts of a split delta apply in any order, and a lost part loses only its own entities', () => {
    const w = world(600, 4);
    const enc = new SnapshotEncoder({ schema, budgetBytes: 200 });
    enc.commit(1, w.state);
    const before = quantized(w.state);
    const client = new SnapshotDecoder({ schema });
    decodeAll(client, enc.encodeFor());
    w.step(50);
    enc.commit(2, w.state);
    const after = quantized(w.state);
    const packets = enc.encodeFor(1);
    expect(packets.length).toBeGreaterThan(3);
    const rand = rng(9);
    const order = packets.map((p) => [rand(), p] as const).sort((a, b) => a[0] - b[0]).map(([, p]) => p);
    const lost = order.pop() as Uint8Array;
    let r: SnapshotReceipt | undefined;
    for (const p of order) {
      r = client.receive(p, 0);
      expect(r.complete).toBe(false);
      expect(r.ackTick).toBe(1);
    }
    // every entity is either the new value, or (only if it was in the lost part) still the old one
    const partial = r?.state ?? {};
    let stale = 0;
    for (const id of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (JSON.stringify(partial[id]) === JSON.stringify(after[id])) continue;
      expect(partial[id]).toEqual(before[id]);
      stale++;
    }
    expect(stale).toBeGreaterThan(0);
    expect(stale).toBeLessThan(Object.keys(after).length / 3);
    const done = client.receive(lost, 0);
    expect(done).toMatchObject({ complete: true, ackTick: 2 });
    expect(done.state).toEqual(after);
  });

  it("900 cubes with 10% moving fit Gaffer's 256 kbit/s at 60 Hz with a 6-tick-old baseline", () => {
    const cubeSchema: Schema = { x: { type: 'float', step: 0.01 }, y: { type: 'float', step: 0.01 }, z: { type: 'float', step: 0.01 }, q: { type: 'quat' } };
    const rand = rng(21);
    const cubes = Array.from({ length: 900 }, (_, i) => {
      const speed = 0.5 + 2.5 * rand(), dir = rand() * 2 * Math.PI, spin = 0.5 + 2.5 * rand(), axis = rand() * 2 * Math.PI;
      return { x: (i % 30) * 1.5, y: Math.floor(i / 30) * 1.5, vx: speed * Math.cos(dir), vy: speed * Math.sin(dir), spin, axis, angle: 0 };
    });
    const enc = new SnapshotEncoder({ schema: cubeSchema });
    const dec = new SnapshotDecoder({ schema: cubeSchema });
    let bytes = 0;
    const ticks = 240, age = 6;
    for (let t = 0; t < ticks + 30; t++) {
      const state: State = {};
      cubes.forEach((c, i) => {
        if ((i + Math.floor(t / 30)) % 10 === 0) { c.x += c.vx / 60; c.y += c.vy / 60; c.angle += c.spin / 60; }
        const s = Math.sin(c.angle / 2);
        state[`cube-${i}`] = { x: c.x, y: c.y, z: 0.5, qx: s * Math.cos(c.axis), qy: s * Math.sin(c.axis), qz: 0, qw: Math.cos(c.angle / 2) };
      });
      enc.commit(t, state);
      const packets = enc.encodeFor(t >= age ? t - age : undefined);
      for (const p of packets) dec.receive(p, t);
      if (t >= 30) bytes += packets.reduce((a, p) => a + p.length + 1, 0);
      if (t === ticks + 29) expect(dec.stateAt(t)).toEqual(dequantizeState(compileSchema(cubeSchema), quantizeState(compileSchema(cubeSchema), state)));
    }
    const kbps = (bytes / ticks) * 8 * 60 / 1000;
    expect(bytes / ticks).toBeLessThanOrEqual(530);
    expect(kbps).toBeLessThanOrEqual(256);
  });

  it('a static world costs a near-empty packet', () => {
    const w = world(900, 5);
    const enc = new SnapshotEncoder({ schema });
    enc.commit(1000, w.state);
    enc.commit(1001, { ...w.state });
    const packets = enc.encodeFor(1000);
    expect(packets).toHaveLength(1);
    expect(packets[0]!.length).toBeLessThanOrEqual(8);
  });

  it('drops packets without their baseline, stale ticks and duplicates, and counts them', () => {
    const w = world(20);
    const enc = new SnapshotEncoder({ schema });
    enc.commit(1, w.state);
    const full1 = enc.encodeFor();
    w.step(50);
    enc.commit(2, w.state);
    const delta2 = enc.encodeFor(1);
    const dec = new SnapshotDecoder({ schema });
    expect(dec.receive(delta2[0]!, 0)).toMatchObject({ tick: 2, complete: false, dropped: 'no-baseline' });
    expect(decodeAll(dec, full1).complete).toBe(true);
    expect(decodeAll(dec, delta2)).toMatchObject({ complete: true, ackTick: 2 });
    expect(dec.receive(full1[0]!, 0)).toMatchObject({ dropped: 'stale', ackTick: 2 });
    expect(dec.stats.dropped).toMatchObject({ 'no-baseline': 1, stale: 1 });
  });

  it('encodeFor falls back to a full snapshot when the ack is unknown or too old, and shares packets', () => {
    const w = world(50);
    const enc = new SnapshotEncoder({ schema, historyTicks: 4 });
    for (let t = 0; t < 10; t++) { w.step(); enc.commit(t, w.state); }
    const full = enc.encodeFor();
    expect(enc.encodeFor(2)).toBe(full);
    expect(enc.encodeFor(9)).toBe(full);
    expect(enc.encodeFor(8)).toBe(enc.encodeFor(8));
    expect(enc.encodeFor(8)[0]!.length).toBeLessThan(full[0]!.length);
  });

  it('rejects an entity larger than one packet with a clear message', () => {
    const big: State = { huge: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`field${i}`, `value ${i}`])) };
    expect(() => encodeSnapshot({ tick: 1, state: big })).toThrow(/huge.*does not fit one snapshot packet/);
  });

  it('acks: newest valid tick wins, and history forgets the oldest', () => {
    const acks = new AckTracker();
    expect(acks.ack(5, 10)).toBe(true);
    expect(acks.ack(3, 10)).toBe(false);
    expect(acks.ack(11, 10)).toBe(false);
    expect(acks.ack('7', 10)).toBe(false);
    expect(acks.ack(7.5, 10)).toBe(false);
    expect(acks.ack(7, 10)).toBe(true);
    expect(acks.ackedTick).toBe(7);
    acks.reset();
    expect(acks.ackedTick).toBeUndefined();
    const h = new SnapshotHistory<string>(2);
    h.set(1, 'a'); h.set(2, 'b'); h.set(3, 'c');
    expect([h.get(1), h.get(2), h.get(3), h.newestTick, h.set(2, 'x')]).toEqual([undefined, 'b', 'c', 3, false]);
    // a ring of 5 through many wraps, with gaps between ticks (a decoder keeps only complete ticks)
    const ring = new SnapshotHistory<number>(5);
    const kept: number[] = [];
    for (let t = 0; t < 200; t += 1 + (t % 3)) { ring.set(t, t * 10); kept.push(t); }
    const last5 = kept.slice(-5);
    for (let t = -1; t <= 201; t++) expect(ring.get(t)).toBe(last5.includes(t) ? t * 10 : undefined);
    expect([ring.size, ring.newestTick]).toEqual([5, kept.at(-1)]);
    ring.clear();
    expect([ring.size, ring.newestTick, ring.get(kept.at(-1) as number)]).toEqual([0, undefined, undefined]);
    expect(ring.set(3, 30) && ring.get(3)).toBe(30);
  });
});

describe('codec fast paths', () => {
  it('a learned key order never hides extra, missing, reordered or invalid fields', () => {
    const base = { x: 1.234, y: -2, qx: 0, qy: 0, qz: 0.6, qw: 0.8, hp: 3 };
    const one = (e: Record<string, number | boolean | string | undefined>): State => dequantizeState(cs, quantizeState(cs, { e } as State));
    for (let i = 0; i < 5; i++) expect(one(base)).toEqual({ e: { x: 1.23, y: -2, qx: 0, qy: 0, qz: expect.closeTo(0.6, 2), qw: expect.closeTo(0.8, 2), hp: 3 } });
    const reordered = { hp: 3, qw: 0.8, qz: 0.6, qy: 0, qx: 0, y: -2, x: 1.234 };
    expect(one(reordered)).toEqual(one(base));
    expect(one({ ...base, foo: 'bar' })).toEqual({ e: { ...one(base).e, foo: 'bar' } });
    expect(one({ ...base, y: undefined })).toEqual({ e: { ...one(base).e, y: undefined } });
    expect(Object.keys(one({ ...base, y: undefined }).e ?? {})).not.toContain('y');
    expect(() => one({ ...base, hp: 1.5 })).toThrow(HostmeshError);
    expect(() => one({ ...base, qw: 'x' })).toThrow(/quaternion/);
  });

  it('full snapshots decode exactly while the id set changes (reused, new, non-ASCII and prefix-sharing ids)', () => {
    const dec = new SnapshotDecoder({ schema });
    const rand = rng(9);
    const pool = ['a', 'ab', 'abc', 'b', 'é-1', 'é-2', 'cube-1', 'cube-10', 'cube-2', '😀', 'z'];
    for (let t = 1; t <= 60; t++) {
      const state: State = {};
      for (const id of pool) if (rand() < 0.7) state[id] = { x: rand() * 10, hp: t, name: id };
      const got = decodeAll(dec, encodeSnapshot({ tick: t, state, schema }));
      expect(got.state).toEqual(quantized(state));
      expect(Object.keys(got.state ?? {}).sort()).toEqual(Object.keys(state).sort());
    }
  });
});

describe('hostile snapshot packets', () => {
  const w = world(300, 6);
  const enc = new SnapshotEncoder({ schema, budgetBytes: 400 });
  enc.commit(1, w.state);
  const full = enc.encodeFor();
  w.step(40);
  enc.commit(2, w.state);
  const delta = enc.encodeFor(1);
  const primed = (): SnapshotDecoder => {
    const d = new SnapshotDecoder({ schema });
    decodeAll(d, full);
    return d;
  };

  it('every truncation of a valid packet fails cleanly', () => {
    const dec = primed();
    for (const p of [...full, ...delta]) {
      for (let len = 0; len < p.length; len++) {
        try {
          const r = dec.receive(p.subarray(0, len), 0);
          expect(r.dropped).toBeDefined(); // only drops before the body is read (e.g. stale tick)
        } catch (err) {
          expect((err as HostmeshError).code).toBe('DECODE_FAILED');
        }
      }
    }
    expect(dec.stateAt(1)).toEqual(primed().stateAt(1));
    expect(dec.ackTick).toBe(1);
  });

  it('random bytes and bit flips never crash and never corrupt the kept state', () => {
    const rand = rng(11);
    const dec = primed();
    const t0 = performance.now();
    for (let i = 0; i < 3000; i++) {
      let p: Uint8Array;
      if (i % 2) p = Uint8Array.from({ length: 1 + Math.floor(rand() * 1100) }, () => Math.floor(rand() * 256));
      else {
        p = (delta[i % delta.length] as Uint8Array).slice();
        for (let f = 0; f < 1 + (i % 4); f++) p[Math.floor(rand() * p.length)]! ^= 1 << Math.floor(rand() * 8);
      }
      try {
        dec.receive(p, 0);
      } catch (err) {
        expect((err as HostmeshError).code).toBe('DECODE_FAILED');
      }
    }
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(dec.stateAt(1)).toEqual(primed().stateAt(1));
    expect(dec.stats.malformed).toBeGreaterThan(1000);
  });

  it('huge declared counts, lengths and parts are refused without allocating', () => {
    const dec = primed();
    // header: version 1, right fingerprint, tick 3, no baseline, single part, then absurd counts
    const hdr = (bytes: number[]): Uint8Array => Uint8Array.from(bytes);
    expectDecodeFailed(() => dec.receive(hdr([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 0));
    expectDecodeFailed(() => dec.receive(new Uint8Array(0), 0));
    expectDecodeFailed(() => dec.receive('nope' as unknown as Uint8Array, 0));
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) {
      const p = Uint8Array.from(full[0]!);
      p.fill(0, 6);
      try { dec.receive(p, 0); } catch (err) { expect((err as HostmeshError).code).toBe('DECODE_FAILED'); }
    }
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
