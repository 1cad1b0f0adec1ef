import { describe, expect, it } from 'vitest';
import { Interpolator } from '../../sdk/src/netcode/interpolation.js';
import { defaultSchema, type State } from '../../sdk/src/snapshot/schema.js';
import { rng } from '../helpers/rng.js';

const schema = { ...defaultSchema, hp: { type: 'int' as const } };

describe('interpolation', () => {
  it('blends floats linearly, angles the short way, quaternions by nlerp; discrete values step', () => {
    const it0 = new Interpolator({ schema, snapshotIntervalMs: 50, intervals: 2 });
    const s = Math.SQRT1_2;
    it0.push(1, 1000, { a: { x: 0, angle: 3, qx: 0, qy: 0, qz: 0, qw: 1, hp: 10, name: 'a', tag: 1 } }, 1000);
    it0.push(2, 1050, { a: { x: 10, angle: -3, qx: 0, qy: 0, qz: s, qw: s, hp: 20, name: 'b', tag: 2 } }, 1050);
    expect(it0.delayMs).toBe(100);
    const mid = it0.sample(1125)?.a; // render time 1025: halfway
    expect(mid?.x).toBeCloseTo(5);
    expect(Math.abs(mid?.angle as number)).toBeCloseTo(Math.PI, 5); // 3 -> -3 through ±π, not through 0
    expect(mid?.qz).toBeCloseTo(Math.sin(Math.PI / 8), 2);
    expect(mid?.qw).toBeCloseTo(Math.cos(Math.PI / 8), 2);
    expect(Math.hypot(mid?.qx as number, mid?.qy as number, mid?.qz as number, mid?.qw as number)).toBeCloseTo(1, 9);
    expect([mid?.hp, mid?.name, mid?.tag]).toEqual([10, 'a', 1]);
    expect(it0.sample(1150)?.a).toMatchObject({ x: 10, hp: 20, name: 'b' });
  });

  it('entities appear and disappear without blending, and before the first snapshot there is nothing', () => {
    const ip = new Interpolator({ snapshotIntervalMs: 50 });
    expect(ip.sample(0)).toBeUndefined();
    ip.push(1, 0, { old: { x: 1 }, both: { x: 0 } }, 0);
    ip.push(2, 50, { both: { x: 10 }, young: { x: 5 } }, 50);
    const mid = ip.sample(125) as State;
    expect(Object.keys(mid).sort()).toEqual(['both', 'old']);
    expect(mid.both?.x).toBeCloseTo(5);
    expect(Object.keys(ip.sample(150) as State).sort()).toEqual(['both', 'young']);
  });

  it('holds before the oldest snapshot, extrapolates at most the cap past the newest, then holds', () => {
    const ip = new Interpolator({ snapshotIntervalMs: 50, intervals: 2, maxExtrapolationMs: 50 });
    ip.push(1, 0, { a: { x: 0 } }, 0);
    ip.push(2, 50, { a: { x: 10 } }, 50);
    expect(ip.sample(50)?.a?.x).toBe(0); // render time -50: hold the oldest
    expect(ip.sample(150)?.a?.x).toBe(10);
    expect(ip.sample(175)?.a?.x).toBeCloseTo(15); // 25 ms past: extrapolated
    expect(ip.sample(200)?.a?.x).toBeCloseTo(20); // the cap
    expect(ip.sample(400)?.a?.x).toBeCloseTo(20); // then hold
    const dflt = new Interpolator({ snapshotIntervalMs: 200 });
    dflt.push(1, 0, { a: { x: 0 } }, 0);
    dflt.push(2, 200, { a: { x: 200 } }, 200);
    expect(dflt.sample(2000)?.a?.x).toBeCloseTo(300); // default cap: min(interval, 100 ms)
  });

  it('measures the snapshot interval and starts from Valve-like 2 intervals + transit', () => {
    const ip = new Interpolator();
    for (let t = 0; t < 20; t++) ip.push(t, t * 50, { a: { x: t } }, t * 50 + 30);
    expect(ip.intervalMs).toBeCloseTo(50);
    expect(ip.targetDelayMs).toBeCloseTo(130);
  });

  it('the delay grows with jitter, smoothly, and comes back down slowly', () => {
    const rand = rng(5);
    const run = (jitterMs: number): Interpolator => {
      const ip = new Interpolator({ snapshotIntervalMs: 1000 / 60 });
      for (let tick = 0; tick < 300; tick++) {
        const t = (tick * 1000) / 60;
        ip.push(tick, t, { a: { x: tick } }, t + 40 + rand() * jitterMs);
        ip.sample(t + 40);
      }
      return ip;
    };
    const calm = run(0), shaky = run(60);
    expect(calm.delayMs).toBeCloseTo(40 + 2 * (1000 / 60), 0);
    expect(shaky.delayMs).toBeGreaterThan(calm.delayMs + 40);
    expect(shaky.jitterMs).toBeGreaterThan(45);
    // a sudden spike raises the delay at a bounded rate: the render clock never runs backwards
    const ip = run(0);
    let prevRender = -Infinity, maxStep = 0, prevDelay = ip.delayMs;
    for (let tick = 300; tick < 600; tick++) {
      const t = (tick * 1000) / 60;
      ip.push(tick, t, { a: { x: tick } }, t + (tick < 360 ? 200 : 40));
      const now = t + 40;
      ip.sample(now);
      const render = now - ip.delayMs;
      expect(render).toBeGreaterThanOrEqual(prevRender);
      maxStep = Math.max(maxStep, Math.abs(ip.delayMs - prevDelay));
      prevRender = render;
      prevDelay = ip.delayMs;
    }
    expect(maxStep).toBeLessThanOrEqual(0.2 * (1000 / 60) + 1e-9);
  });

  it('out-of-order and duplicate pushes are sorted and ignored', () => {
    const ip = new Interpolator({ snapshotIntervalMs: 50, intervals: 0 });
    ip.push(2, 50, { a: { x: 10 } }, 50);
    ip.push(1, 0, { a: { x: 0 } }, 0);
    ip.push(1, 0, { a: { x: 99 } }, 0);
    expect(ip.sample(25 + ip.delayMs)?.a?.x).toBeCloseTo(5);
  });
});
