/**
 * A page reload within the grace resumes the seat (issue 12, item 2): the tab keeps its resume
 * token in sessionStorage per lobby code, so `join(code)` after the reload takes the same seat
 * back (same id, name, seat) and the host hears playerReconnect, not playerJoin.
 */
import { describe, expect, it } from 'vitest';
import { browserSkipReason, loadSdk, serverAndBrowser, watchErrors } from '../helpers/browser.js';

type Hm = typeof import('../../sdk/src/index.js');
declare const hm: Hm;
type W = Window & { s: Awaited<ReturnType<ReturnType<Hm['connect']>['host']>>; events: string[] };
const options = { heartbeatIntervalMs: 250, peerTimeoutMs: 1500 };

describe.skipIf(browserSkipReason)(`seat resumed after a reload in Chromium${browserSkipReason ? ` (skipped: ${browserSkipReason})` : ''}`, () => {
  const ctx = serverAndBrowser();

  it('a reloaded tab gets its seat back; the host sees playerReconnect', async () => {
    const [a, b] = [await ctx.browser.newPage(), await ctx.browser.newPage()];
    const errors = [...watchErrors(a, 'A'), ...watchErrors(b, 'B')];
    for (const p of [a, b]) { await p.goto(`${ctx.server.url}/healthz`); await loadSdk(p); }
    const code = await a.evaluate(async (o) => {
      const w = window as unknown as W;
      w.events = [];
      w.s = await hm.connect({ server: location.origin, ...o }).host({ name: 'Reload', playerName: 'A', reconnectGraceMs: 20_000 });
      for (const e of ['playerJoin', 'playerDisconnect', 'playerReconnect', 'playerLeave'] as const) w.s.on(e, (...args: unknown[]) => { w.events.push(`${e} ${(args[0] as { name: string }).name}`); });
      return w.s.code;
    }, options);
    const join = (c: string) => b.evaluate(async ([cd, o]) => {
      const s = await hm.connect({ server: location.origin, ...o }).join(cd, { playerName: 'B' });
      return { id: s.selfId, seat: s.players.get(s.selfId)!.seat, name: s.players.get(s.selfId)!.name, players: s.players.size };
    }, [c, options] as const);
    const before = await join(code);
    await b.reload();
    await loadSdk(b);
    const after = await join(code);
    expect(after).toEqual(before);
    await a.waitForFunction(() => (window as unknown as W).events.includes('playerReconnect B'), undefined, { timeout: 10_000 });
    const events = await a.evaluate(() => (window as unknown as W).events);
    expect(events.filter((e) => e.startsWith('playerJoin'))).toEqual(['playerJoin B']);
    expect(events.filter((e) => e.startsWith('playerLeave'))).toEqual([]);
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  }, 60_000);
});
