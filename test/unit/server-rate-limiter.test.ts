import { describe, expect, it } from 'vitest';
import { HostWatch } from '../../server/src/lobbies/host-watch.js';
import { IdReservations } from '../../server/src/signaling/id-reservations.js';
import { RateLimiter } from '../../server/src/limits/rate-limiter.js';
import { TimerScope } from '../../server/src/timer-scope.js';

describe('RateLimiter', () => {
  it('allows ratePerMinute at once, then refuses with the wait until the next token', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(30, () => now);
    for (let i = 0; i < 30; i++) expect(limiter.take('1.2.3.4')).toEqual({ ok: true });
    expect(limiter.take('1.2.3.4')).toEqual({ ok: false, retryAfterMs: 2000 });
    expect(limiter.take('5.6.7.8')).toEqual({ ok: true });
    now += 1000;
    expect(limiter.take('1.2.3.4')).toEqual({ ok: false, retryAfterMs: 1000 });
    now += 1000;
    expect(limiter.take('1.2.3.4')).toEqual({ ok: true });
    expect(limiter.take('1.2.3.4').ok).toBe(false);
  });

  it('refills to the cap, not beyond, and charges a cost', () => {
    let now = 0;
    const limiter = new RateLimiter(10, () => now);
    expect(limiter.take('k', 10).ok).toBe(true);
    now += 10 * 60_000;
    for (let i = 0; i < 10; i++) expect(limiter.take('k').ok).toBe(true);
    expect(limiter.take('k').ok).toBe(false);
    now += 6000;
    expect(limiter.take('k', 2)).toEqual({ ok: false, retryAfterMs: 6000 });
  });

  it('forgets full buckets when it tracks many keys', () => {
    let now = 0;
    const limiter = new RateLimiter(60, () => now);
    for (let i = 0; i < 10_000; i++) limiter.take(`ip${i}`);
    expect(limiter.size).toBe(10_000);
    now += 60_000;
    limiter.take('new');
    expect(limiter.size).toBe(1);
  });
});

describe('IdReservations', () => {
  it('reserves a freed id for its token until the reservation expires', () => {
    let now = 0;
    const r = new IdReservations(1000, () => now);
    r.reserve('alice', 'tokA');
    expect(r.isReservedForOther('alice', 'tokB')).toBe(true);
    expect(r.isReservedForOther('alice', 'tokA')).toBe(false);
    expect(r.isReservedForOther('bob', 'tokB')).toBe(false);
    now += 999;
    expect(r.isReservedForOther('alice', 'tokB')).toBe(true);
    now += 1;
    expect(r.isReservedForOther('alice', 'tokB')).toBe(false);
    expect(r.size).toBe(0);
    r.reserve('alice', 'tokA');
    r.release('alice');
    expect(r.isReservedForOther('alice', 'tokB')).toBe(false);
  });

  it('is bounded: an address past its quota loses its own oldest reservation', () => {
    const r = new IdReservations(1000, () => 0, { maxEntries: 100, maxPerAddress: 3 });
    for (const id of ['a', 'b', 'c', 'd']) r.reserve(id, 't', '10.0.0.1');
    expect(r.size).toBe(3);
    expect(r.isReservedForOther('a', 'x')).toBe(false);
    expect(r.isReservedForOther('d', 'x')).toBe(true);
  });

  it('cannot be churned: a full table evicts from the address holding the most, never a lone victim', () => {
    const r = new IdReservations(1000, () => 0, { maxEntries: 50, maxPerAddress: 10 });
    r.reserve('victim', 'owner', '192.0.2.1');
    // 100,050 reserve calls from 20 attacker addresses (10x the table) leave the victim's reservation in place.
    for (let i = 0; i < 100_050; i++) r.reserve(`x${i}`, 't', `198.51.100.${i % 20}`);
    expect(r.size).toBe(50);
    expect(r.isReservedForOther('victim', 'thief')).toBe(true);
    expect(r.heldFrom('192.0.2.1')).toBe(1);
  });
});

describe('HostWatch', () => {
  it('fires onGone only for watched ids that stay away past the grace', async () => {
    const gone: string[] = [];
    let resolveGone: () => void = () => {};
    const fired = new Promise<void>((r) => { resolveGone = r; });
    const watch = new HostWatch(20, (id) => id.startsWith('host'), (id) => { gone.push(id); resolveGone(); });
    watch.peerConnected('host1', 't1');
    watch.peerConnected('host2', 't2');
    watch.peerConnected('guest', 't3');
    expect(watch.tokenOf('host1')).toBe('t1');
    watch.peerDisconnected('guest');
    expect(watch.pending).toBe(0);
    watch.peerDisconnected('host1');
    watch.peerDisconnected('host2');
    expect(watch.pending).toBe(2);
    watch.peerConnected('host2', 't2');
    expect(watch.pending).toBe(1);
    expect(watch.tokenOf('host1')).toBeUndefined();
    await fired;
    expect(gone).toEqual(['host1']);
    watch.peerDisconnected('host2');
    watch.close();
    expect(watch.pending).toBe(0);
  });
});

describe('TimerScope', () => {
  it('captures self-rescheduling timers and stops them on close', async () => {
    const scope = new TimerScope();
    let ticks = 0;
    let tick: () => void = () => {};
    const ticked = new Promise<void>((r) => { tick = r; });
    const loop = (): void => {
      setTimeout(() => {
        ticks++;
        if (ticks === 3) tick();
        loop();
      }, 1);
    };
    scope.run(loop);
    expect(globalThis.setTimeout).not.toBe(undefined);
    await ticked;
    expect(scope.pending).toBe(1);
    scope.close();
    expect(scope.pending).toBe(0);
    const at = ticks;
    // A 1 ms loop timer still pending would fire before this 5 ms one: ordering, not a sleep.
    await new Promise((r) => setTimeout(r, 5));
    expect(ticks).toBe(at);
  });

  it('leaves setTimeout alone outside run', () => {
    const before = globalThis.setTimeout;
    const scope = new TimerScope();
    scope.run(() => expect(globalThis.setTimeout).not.toBe(before));
    expect(globalThis.setTimeout).toBe(before);
    scope.close();
  });
});
