/** The host's tick timer in Node keeps its rate however long each tick takes (no drift). */
import { describe, expect, it } from 'vitest';
import { startTicker, type TickerClock } from '../../sdk/src/session/ticker.js';

/** A fake clock: timers fire in deadline order as `run` advances time. */
function fakeClock(): TickerClock & { t: number; run(untilMs: number): void } {
  const timers = new Map<number, { at: number; cb: () => void }>();
  let id = 0;
  const clock = {
    t: 0,
    now: () => clock.t,
    setTimeout: (cb: () => void, ms: number) => { timers.set(++id, { at: clock.t + ms, cb }); return id; },
    clearTimeout: (h: unknown) => { timers.delete(h as number); },
    run(untilMs: number) {
      for (;;) {
        const due = [...timers.entries()].sort((a, b) => a[1].at - b[1].at)[0];
        if (!due || due[1].at > untilMs) break;
        timers.delete(due[0]);
        clock.t = Math.max(clock.t, due[1].at);
        due[1].cb();
      }
      clock.t = untilMs;
    },
  };
  return clock;
}

describe('ticker', () => {
  it('ticks 30 times a second even when each tick takes 5 ms', () => {
    const clock = fakeClock();
    let ticks = 0;
    const ticker = startTicker(1000 / 30, () => { ticks++; clock.t += 5; }, clock);
    clock.run(10_000);
    ticker.stop();
    expect(ticks).toBeGreaterThanOrEqual(299); // 300th deadline sits on 10 s, give or take rounding
    expect(ticks).toBeLessThanOrEqual(300); // a re-arming interval would give about 261
  });

  it('does not burst to catch up after a long stall, and stops for good', () => {
    const clock = fakeClock();
    const at: number[] = [];
    const ticker = startTicker(10, () => { at.push(clock.t); if (at.length === 2) clock.t += 100; }, clock);
    clock.run(200);
    expect(at.slice(0, 4)).toEqual([10, 20, 120, 130]);
    ticker.stop();
    const seen = at.length;
    clock.run(1000);
    expect(at.length).toBe(seen);
  });
});
