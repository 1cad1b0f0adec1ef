/**
 * The SDK in real Chromium: two pages host and join by code through the real server, and
 * exchange messages on both channels. Uses the SDK bundle the build serves at /hostmesh.js.
 */
import { describe, expect, it } from 'vitest';
import { browserSkipReason, serverAndBrowser, loadSdk, watchErrors } from '../helpers/browser.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Hm = typeof import('../../sdk/src/index.js');
declare const hm: Hm;

describe.skipIf(browserSkipReason)(`SDK in Chromium${browserSkipReason ? ` (skipped: ${browserSkipReason})` : ''}`, () => {
  const ctx = serverAndBrowser();

  it('hosts in one page, joins by code in another, and messages flow both ways', async () => {
    const [a, b] = [await ctx.browser.newPage(), await ctx.browser.newPage()];
    const errors = [...watchErrors(a, 'A'), ...watchErrors(b, 'B')];
    await Promise.all([a.goto(`${ctx.server.url}/healthz`), b.goto(`${ctx.server.url}/healthz`)]);
    await Promise.all([loadSdk(a), loadSdk(b)]);
    const code = await a.evaluate(async () => {
      const s = await hm.connect(location.origin).host({ name: 'E2E', playerName: 'A' });
      const w = window as unknown as { got: unknown[]; s: typeof s };
      w.got = [];
      w.s = s;
      s.onMessage('ping', (data: unknown, from: string) => { w.got.push(data); s.send('pong', data, { to: from }); });
      return s.code;
    });
    const result = await b.evaluate(async (joinCode: string) => {
      const s = await hm.connect(location.origin).join(joinCode.toLowerCase(), { playerName: 'B' });
      const replies: unknown[] = [];
      s.onMessage('pong', (d: unknown) => replies.push(d));
      s.send('ping', { n: 1 });
      for (let i = 0; i < 200 && replies.length === 0; i++) {
        s.send('ping', { n: 2 }, { reliable: false });
        await new Promise((r) => setTimeout(r, 20));
      }
      return { players: [...s.players.values()].map((p) => p.name).sort(), replies: replies.length, isHost: s.isHost };
    }, code);
    expect(result.players).toEqual(['A', 'B']);
    expect(result.isHost).toBe(false);
    expect(result.replies).toBeGreaterThan(0);
    const got = await a.evaluate(() => (window as unknown as { got: { n: number }[] }).got);
    expect(got[0]).toEqual({ n: 1 });
    expect(got.some((m) => m.n === 2)).toBe(true);
    expect(errors).toEqual([]);
  });
});
