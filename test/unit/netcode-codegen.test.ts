import { afterEach, describe, expect, it } from 'vitest';
import { codegenEnabled, disableCodegen } from '../../sdk/src/snapshot/compiled/codegen.js';
import { findLayout } from '../../sdk/src/snapshot/compiled/layout.js';
import { HostmeshError } from '../../sdk/src/core/errors.js';
import { quantizeEntity } from '../../sdk/src/snapshot/quantize.js';
import { compileSchema, defaultSchema, type Entity, type Schema, type State } from '../../sdk/src/snapshot/schema.js';
import { SnapshotDecoder } from '../../sdk/src/snapshot/decoder.js';
import { SnapshotEncoder } from '../../sdk/src/snapshot/encoder.js';
import { rng } from '../helpers/rng.js';

// The compiled paths (codegen.ts) must agree with the general ones bit for bit: same packets,
// same decoded objects (field order included), same errors on malformed input.

const schema: Schema = {
  ...defaultSchema,
  alive: { type: 'bool' },
  name: { type: 'string', maxLength: 16 },
  hp: { type: 'int' },
  heading: { type: 'angle', bits: 7 },
  big: { type: 'quat', fields: ['bx', 'by', 'bz', 'bw'], bits: 14 },
};

afterEach(() => disableCodegen(false));

/** Runs `fn` with code generation on (false) or off (true). */
function withCodegenOff<T>(off: boolean, fn: () => T): T {
  disableCodegen(off);
  try {
    return fn();
  } finally {
    disableCodegen(false);
  }
}

/** A world of many entity shapes, some of whose entities change shape, come and go each tick. */
function world(seed: number): { next: () => State } {
  const rand = rng(seed);
  let tick = 0;
  const shapes: ((i: number) => Entity)[] = [
    (i) => ({ x: rand() * 50 - 25, y: i, z: 0.5, qx: rand() - 0.5, qy: rand() - 0.5, qz: 0.1, qw: 1 }),
    (i) => ({ kind: 'player', x: rand() * 800, y: rand() * 600, angle: rand() * 20 - 10, alive: rand() < 0.8, name: `p${i}`, hp: Math.floor(rand() * 200) - 50, score: i % 3 }),
    () => ({ x: rand() * 800, vx: rand() * 10 - 5, owner: rand() < 0.5 ? 'a' : 'béta ✓', ratio: rand(), neg: -0, flag: rand() < 0.5 }),
    () => ({ heading: rand() * 7, bx: 0, by: rand(), bz: 0, bw: rand() + 0.1, label: 'crate' }),
    () => ({ x: rand() < 0.5 ? 1 : 2, name: 'same' }),
    () => ({}),
    () => ({ qx: 0, qy: 0, qz: 0, qw: 1, rotation: rand() * 6, big: rand() < 0.5 ? 1e6 : 1.5 }),
  ];
  const pick = (i: number): Entity => (shapes[(i * 7 + Math.floor(tick / 5)) % shapes.length] as (i: number) => Entity)(i);
  const state: State = {};
  return {
    next() {
      tick++;
      for (let i = 0; i < 40; i++) {
        const id = `e${(i * 37) % 41}`;
        if (rand() < 0.05) delete state[id];
        else if (!state[id] || rand() < 0.3) state[id] = pick(i);
      }
      return { ...state };
    },
  };
}

describe('compiled codec paths', () => {
  it('are on in Node, and compile the key orders they see', () => {
    expect(codegenEnabled()).toBe(true);
    const cs = compileSchema(schema);
    const e = { x: 1, y: 2, kind: 'crate', hp: 3 };
    quantizeEntity(cs, 'a', e);
    expect(findLayout(cs, { x: 5, y: 6, kind: 'ball', hp: 4 })).toBeDefined();
    expect(findLayout(cs, { y: 6, x: 5, kind: 'ball', hp: 4 })).toBeUndefined(); // another key order
  });

  it('write the same packets and decode the same objects as the general paths', () => {
    for (const seed of [1, 2, 3]) {
      const w = world(seed);
      const on = { enc: new SnapshotEncoder({ schema }), dec: new SnapshotDecoder({ schema }) };
      const off = { enc: new SnapshotEncoder({ schema }), dec: new SnapshotDecoder({ schema }) };
      let compared = 0;
      for (let tick = 1; tick <= 120; tick++) {
        const state = w.next();
        const ack = tick > 4 && tick % 7 !== 0 ? tick - 1 - (tick % 3) : undefined;
        const run = (side: typeof on, off: boolean): { packets: Uint8Array[]; view: string | undefined } =>
          withCodegenOff(off, () => {
            side.enc.commit(tick, state);
            const packets = side.enc.encodeFor(ack).map((p) => p.slice());
            let view: string | undefined;
            for (const p of packets) {
              const r = side.dec.receive(p, tick);
              if (r.complete) view = JSON.stringify(r.state, (_, v: unknown) => (Object.is(v, -0) ? '-0' : v));
            }
            return { packets, view };
          });
        const a = run(on, false), b = run(off, true);
        expect(a.packets).toEqual(b.packets);
        expect(a.view).toBeDefined();
        expect(a.view).toBe(b.view); // the same fields, in the same order, with the same values
        compared++;
      }
      expect(compared).toBe(120);
    }
  });

  it('reject the same malformed packets as the general paths, and agree on what survives', () => {
    const w = world(7);
    const enc = new SnapshotEncoder({ schema });
    const history: Uint8Array[][] = [];
    for (let tick = 1; tick <= 30; tick++) {
      enc.commit(tick, w.next());
      history.push(enc.encodeFor(tick > 3 ? tick - 2 : undefined).map((p) => p.slice()));
    }
    const rand = rng(11);
    let failed = 0, decoded = 0;
    for (let trial = 0; trial < 400; trial++) {
      const tick = 3 + Math.floor(rand() * 27);
      const packet = (history[tick - 1] as Uint8Array[])[0]!.slice();
      const bit = Math.floor(rand() * packet.length * 8);
      packet[bit >>> 3]! ^= 1 << (bit & 7);
      const decs = [new SnapshotDecoder({ schema }), new SnapshotDecoder({ schema })];
      const outcomes = decs.map((dec, i) => withCodegenOff(i === 1, () => {
        for (let t = 1; t < tick; t++) for (const p of history[t - 1] as Uint8Array[]) dec.receive(p, 0);
        try {
          const r = dec.receive(packet, 0);
          return JSON.stringify([r.complete, r.dropped ?? null, r.complete ? r.state : null]);
        } catch (err) {
          expect(err).toBeInstanceOf(HostmeshError);
          return `threw ${(err as HostmeshError).code}`;
        }
      }));
      expect(outcomes[0]).toBe(outcomes[1]);
      if (outcomes[0]?.startsWith('threw')) failed++;
      else decoded++;
    }
    expect(failed).toBeGreaterThan(0);
    expect(decoded).toBeGreaterThan(0);
  });

  it('leave errors to the general path, which names the field', () => {
    const cs = compileSchema(schema);
    quantizeEntity(cs, 'a', { x: 1, hp: 2, alive: true });
    expect(findLayout(cs, { x: 1, hp: 2, alive: true })).toBeDefined();
    const bad = (e: Entity, field: string): void => {
      try {
        quantizeEntity(cs, 'zed', e);
        expect.unreachable('expected INVALID_ARGUMENT');
      } catch (err) {
        expect((err as HostmeshError).code).toBe('INVALID_ARGUMENT');
        expect((err as Error).message).toContain(`Entity 'zed' field '${field}'`);
      }
    };
    bad({ x: NaN, hp: 2, alive: true }, 'x');
    bad({ x: 1, hp: 2.5, alive: true }, 'hp');
    bad({ x: 1, hp: 2, alive: 1 as unknown as boolean }, 'alive');
  });
});
