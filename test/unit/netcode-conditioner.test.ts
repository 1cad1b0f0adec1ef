import { describe, expect, it } from 'vitest';
import { LinkConditioner, type ConditionerTimers } from '../../sdk/src/link/conditioner.js';
import { HostmeshError } from '../../sdk/src/core/errors.js';
import { rng } from '../helpers/rng.js';

/** A fake clock with timers; `advance` fires due timers in (time, creation) order. */
function fakeTime(): { now: () => number; timers: ConditionerTimers; advance: (ms: number) => void; count: () => number } {
  let now = 0, nextId = 0;
  const pending = new Map<number, { at: number; id: number; cb: () => void }>();
  return {
    now: () => now,
    timers: {
      setTimeout: (cb, ms) => { const id = ++nextId; pending.set(id, { at: now + ms, id, cb }); return id; },
      clearTimeout: (h) => void pending.delete(h as number),
    },
    advance: (ms) => {
      const end = now + ms;
      for (;;) {
        const due = [...pending.values()].filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
        if (!due) break;
        pending.delete(due.id);
        now = due.at;
        due.cb();
      }
      now = end;
    },
    count: () => pending.size,
  };
}

describe('link conditioner', () => {
  it('with zero settings delivers synchronously', () => {
    const t = fakeTime();
    const c = new LinkConditioner({ now: t.now, timers: t.timers, random: rng(1) });
    const got: number[] = [];
    c.schedule(true, () => got.push(1));
    c.schedule(false, () => got.push(2));
    expect(got).toEqual([1, 2]);
    expect(t.count()).toBe(0);
  });

  it('reliable messages arrive in order even under heavy jitter, and are never dropped', () => {
    const t = fakeTime();
    const c = new LinkConditioner({ now: t.now, timers: t.timers, random: rng(2), settings: { latencyMs: 50, jitterMs: 45, lossPct: 60 } });
    const got: number[] = [];
    for (let i = 0; i < 500; i++) {
      c.schedule(true, () => got.push(i));
      t.advance(i % 3);
    }
    c.set({ latencyMs: 0, jitterMs: 0 }); // settings change mid-stream: still behind the queued ones
    c.schedule(true, () => got.push(500));
    t.advance(1000);
    expect(got).toEqual(Array.from({ length: 501 }, (_, i) => i));
    expect(c.pending).toBe(0);
  });

  it('unreliable messages are delayed by latency ± jitter, may reorder, and are lost at the set rate', () => {
    const t = fakeTime();
    const c = new LinkConditioner({ now: t.now, timers: t.timers, random: rng(3), settings: { latencyMs: 100, jitterMs: 30, lossPct: 25 } });
    const arrivals: { i: number; delay: number }[] = [];
    for (let i = 0; i < 4000; i++) {
      const sent = t.now();
      c.schedule(false, () => arrivals.push({ i, delay: t.now() - sent }));
      t.advance(1);
    }
    t.advance(500);
    const lossPct = 100 - (arrivals.length / 4000) * 100;
    expect(lossPct).toBeGreaterThan(22);
    expect(lossPct).toBeLessThan(28);
    expect(c.stats.dropped).toBe(4000 - arrivals.length);
    for (const a of arrivals) {
      expect(a.delay).toBeGreaterThanOrEqual(70);
      expect(a.delay).toBeLessThanOrEqual(130);
    }
    expect(arrivals.some((a, k) => k > 0 && a.i < (arrivals[k - 1] as { i: number }).i)).toBe(true);
  });

  it('close cancels pending deliveries; bad settings throw INVALID_ARGUMENT', () => {
    const t = fakeTime();
    const c = new LinkConditioner({ now: t.now, timers: t.timers, settings: { latencyMs: 10 } });
    let delivered = 0;
    c.schedule(true, () => delivered++);
    c.schedule(false, () => delivered++);
    c.close();
    t.advance(100);
    expect(delivered).toBe(0);
    expect(() => c.set({ lossPct: 101 })).toThrow(HostmeshError);
    expect(() => c.set({ latencyMs: -1 })).toThrow(HostmeshError);
    expect(() => c.set({ jitterMs: NaN })).toThrow(HostmeshError);
  });
});
