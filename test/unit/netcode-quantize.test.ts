import { describe, expect, it } from 'vitest';
import { HostmeshError } from '../../sdk/src/core/errors.js';
import { quantizeEntity } from '../../sdk/src/snapshot/quantize.js';
import { dequantizeEntity } from '../../sdk/src/snapshot/dequantize.js';
import { dequantizeAngle, dequantizeFloat, dequantizeQuat, quantizeAngle, quantizeFloat, quantizeQuat } from '../../sdk/src/snapshot/quantize-scalar.js';
import { compileSchema, defaultSchema, type Schema } from '../../sdk/src/snapshot/schema.js';
import { BitWriter, unzigzag, zigzag } from '../../sdk/src/snapshot/bitpack.js';
import { BitReader } from '../../sdk/src/snapshot/bit-reader.js';
import { rng } from '../helpers/rng.js';

function wrapDiff(a: number, b: number): number {
  const d = (((a - b) % (2 * Math.PI)) + 3 * Math.PI) % (2 * Math.PI) - Math.PI;
  return Math.abs(d);
}

describe('quantization', () => {
  const rand = rng(7);

  it('floats land within step/2 of the value', () => {
    for (const step of [0.01, 0.05, 1 / 512, 0.3, 2]) {
      for (let i = 0; i < 2000; i++) {
        const v = (rand() - 0.5) * 2000;
        expect(Math.abs(dequantizeFloat(quantizeFloat(v, step), step) - v)).toBeLessThanOrEqual(step / 2 + 1e-9);
      }
    }
    expect(dequantizeFloat(quantizeFloat(1.23, 0.01), 0.01)).toBe(1.23);
  });

  it('angles wrap, decode into [-π, π) and err by at most π/2^bits', () => {
    for (const bits of [2, 8, 10, 16]) {
      for (let i = 0; i < 2000; i++) {
        const a = (rand() - 0.5) * 40;
        const q = quantizeAngle(a, bits);
        expect(q).toBeGreaterThanOrEqual(0);
        expect(q).toBeLessThan(2 ** bits);
        const back = dequantizeAngle(q, bits);
        expect(back).toBeGreaterThanOrEqual(-Math.PI);
        expect(back).toBeLessThan(Math.PI);
        expect(wrapDiff(back, a)).toBeLessThanOrEqual(Math.PI / 2 ** bits + 1e-9);
      }
    }
    expect(quantizeAngle(2 * Math.PI + 0.5, 10)).toBe(quantizeAngle(0.5, 10));
    expect(quantizeAngle(-Math.PI, 8)).toBe(quantizeAngle(Math.PI, 8));
  });

  it('quaternions survive smallest-three in 2 + 3·bits bits, sign-agnostic, identity exact', () => {
    for (const bits of [6, 9, 10, 15]) {
      let worst = 0;
      for (let i = 0; i < 2000; i++) {
        const c = [rand() - 0.5, rand() - 0.5, rand() - 0.5, rand() - 0.5];
        const len = Math.hypot(...c);
        const packed = quantizeQuat(c[0]!, c[1]!, c[2]!, c[3]!, bits);
        expect(packed).toBeLessThan(2 ** (2 + 3 * bits));
        const out = dequantizeQuat(packed, bits);
        const dot = Math.abs(out.reduce((a, v, j) => a + v * (c[j]! / len), 0));
        worst = Math.max(worst, 1 - dot);
        expect(Math.hypot(...out)).toBeCloseTo(1, 2);
      }
      expect(worst).toBeLessThan(bits >= 9 ? 2e-5 : 5e-3);
    }
    expect(dequantizeQuat(quantizeQuat(0, 0, 0, 1, 9), 9)).toEqual([0, 0, 0, 1]);
    expect(quantizeQuat(0, 0, 0, -1, 9)).toBe(quantizeQuat(0, 0, 0, 1, 9));
    expect(quantizeQuat(0, 0, 0, 0, 9)).toBeNaN();
  });

  it('entities: schema fields quantized, other fields as-is, bools and strings exact', () => {
    const schema: Schema = { ...defaultSchema, alive: { type: 'bool' }, name: { type: 'string', maxLength: 8 }, hp: { type: 'int' } };
    const cs = compileSchema(schema);
    const e = { x: 1.234, y: -5.5555, angle: 7, qx: 0, qy: 0.7071, qz: 0, qw: 0.7071, alive: true, name: 'Ann', hp: -3, score: 12.75, tag: 'red', big: 2 ** 60, on: false };
    const back = dequantizeEntity(cs, quantizeEntity(cs, 'e1', e));
    expect(back.x).toBe(1.23);
    expect(back.y).toBe(-5.56);
    expect(back.alive).toBe(true);
    expect(back.name).toBe('Ann');
    expect(back.hp).toBe(-3);
    expect(back.score).toBe(12.75);
    expect(back.tag).toBe('red');
    expect(back.big).toBe(2 ** 60);
    expect(back.on).toBe(false);
    expect(wrapDiff(back.angle as number, 7)).toBeLessThan(Math.PI / 1024 + 1e-9);
    expect(back.qy as number).toBeCloseTo(Math.SQRT1_2, 2);
  });

  it('misuse throws INVALID_ARGUMENT with a sentence', () => {
    const cs = compileSchema(defaultSchema);
    const bad = (fn: () => unknown): void => {
      try {
        fn();
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(HostmeshError);
        expect((err as HostmeshError).code).toBe('INVALID_ARGUMENT');
        expect((err as Error).message.length).toBeGreaterThan(20);
      }
    };
    bad(() => quantizeEntity(cs, 'a', { x: NaN }));
    bad(() => quantizeEntity(cs, 'a', { x: 'left' }));
    bad(() => quantizeEntity(cs, 'a', { x: 1e20 }));
    bad(() => quantizeEntity(cs, 'a', { qx: 0, qy: 0, qz: 0 }));
    bad(() => quantizeEntity(cs, 'a', { qx: 0, qy: 0, qz: 0, qw: 0 }));
    bad(() => quantizeEntity(cs, 'a', { other: (() => 1) as unknown as number }));
    bad(() => quantizeEntity(cs, 'a', { other: { deep: [Symbol('s')] } as unknown as number }));
    bad(() => compileSchema({ x: { type: 'float', step: 0 } }));
    bad(() => compileSchema({ x: { type: 'float', step: -1 } }));
    bad(() => compileSchema({ a: { type: 'angle', bits: 40 } }));
    bad(() => compileSchema({ a: { type: 'vector' } as never }));
    bad(() => compileSchema({ q: { type: 'quat', bits: 3 } }));
    bad(() => compileSchema({ q: { type: 'quat', fields: ['a', 'a', 'b', 'c'] } }));
    bad(() => compileSchema({ qx: { type: 'int' }, q: { type: 'quat' } }));
    bad(() => compileSchema({ s: { type: 'string', maxLength: -1 } }));
    bad(() => compileSchema(Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`f${i}`, { type: 'int' as const }]))));
    const strict = compileSchema({ s: { type: 'string', maxLength: 2 }, i: { type: 'int' }, b: { type: 'bool' } });
    bad(() => quantizeEntity(strict, 'a', { s: 'long' }));
    bad(() => quantizeEntity(strict, 'a', { i: 1.5 }));
    bad(() => quantizeEntity(strict, 'a', { b: 1 }));
  });

  it('schemas get the same fingerprint regardless of key order', () => {
    const a = compileSchema({ x: { type: 'float', step: 0.1 }, y: { type: 'int' } });
    const b = compileSchema({ y: { type: 'int' }, x: { type: 'float', step: 0.1 } });
    const c = compileSchema({ y: { type: 'int' }, x: { type: 'float', step: 0.2 } });
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.fingerprint).not.toBe(c.fingerprint);
  });
});

describe('bit packing', () => {
  it('round-trips bits, Exp-Golomb codes of every order, varuints, floats and strings', () => {
    const rand = rng(3);
    const w = new BitWriter(8);
    const items: [string, number | string, number][] = [];
    for (let i = 0; i < 3000; i++) {
      const kind = Math.floor(rand() * 5);
      const big = Math.floor(rand() * 2 ** (1 + Math.floor(rand() * 52)));
      if (kind === 0) { const n = Math.floor(rand() * 33); const v = Math.floor(rand() * 2 ** n); w.bits(v, n); items.push(['bits', v, n]); }
      else if (kind === 1) { const k = Math.floor(rand() * 16); w.eg(big, k); items.push(['eg', big, k]); }
      else if (kind === 2) { w.varuint(big); items.push(['var', big, 0]); }
      else if (kind === 3) { const f = (rand() - 0.5) * 1e6; w.float64(f); items.push(['f64', f, 0]); }
      else { const s = ['', 'a', 'cube-12', 'héllo wörld', '日本', '😀x'][i % 6]!; w.string(s); items.push(['str', s, 0]); }
    }
    const r = new BitReader().reset(w.finish());
    for (const [kind, v, n] of items) {
      const got = kind === 'bits' ? r.bits(n) : kind === 'eg' ? r.eg(n) : kind === 'var' ? r.varuint() : kind === 'f64' ? r.float64() : r.string();
      expect(got).toBe(v);
    }
    expect(r.remaining()).toBeLessThan(8);
    expect(() => r.bits(8)).toThrow(HostmeshError);
  });

  it('truncate rewinds exactly and zigzag is its own inverse', () => {
    const w = new BitWriter(4);
    w.bits(5, 3);
    const at = w.pos;
    w.eg(123456, 2);
    w.bits(0xffffffff, 32);
    w.truncate(at);
    w.bits(1, 1);
    const r = new BitReader().reset(w.finish());
    expect(r.bits(3)).toBe(5);
    expect(r.bits(1)).toBe(1);
    for (const v of [0, 1, -1, 2, -2, 2 ** 50, -(2 ** 50)]) expect(unzigzag(zigzag(v))).toBe(v);
  });

  it('rejects strings with lone surrogates', () => {
    expect(() => new BitWriter().string('a\ud800b')).toThrow(HostmeshError);
  });
});
