/**
 * Host migration in the demo (issue 12, items 3 and 6), in real Chromium: pages A (host), B and C
 * play; B walks until it scores; A's tab is closed. The game carries on at B (the lowest seat
 * left): B's page says it is the host, the crown moves on every page, B's and C's avatars and
 * scores are kept, C's keys move C in B's world, and a newcomer joins B by the same link.
 * A player that reloads its tab mid-game is back in its seat (same id, name, score, place). In
 * the lobby (before Start), a host leaving hands the lobby over the same way. Needs `npm run build`.
 */
import { describe, expect, it } from 'vitest';
import type { DemoDebug } from '../../demo-game/src/debug-hook.js';
import { browserSkipReason, serverAndBrowser, screenshot } from '../helpers/browser.js';
import { browserNetworkLog, hostFromMenu, openDemo, pickupIds, releaseAll, selfId, steer, waitInPage, world, type DemoPage } from '../helpers/demo-pages.js';

declare const __hostmeshDemo: DemoDebug;
type Arrow = Parameters<typeof steer>[1] extends Set<infer K> ? K : never;

describe.skipIf(browserSkipReason)(`demo host migration in Chromium${browserSkipReason ? ` (skipped: ${browserSkipReason})` : ''}`, () => {
  const ctx = serverAndBrowser();

  it('the host closes its tab: the game goes on at the next player, crown moved, every score kept', { timeout: 120_000 }, async () => {
    const a = await openDemo(ctx.browser, ctx.server.url, 'A');
    const code = await hostFromMenu(a, { playerName: 'Ann' });
    const b = await openDemo(ctx.browser, `${ctx.server.url}/?join=${code}`, 'B');
    for (const p of [a, b]) await waitInPage(p, 'two players', () => document.querySelectorAll('[data-testid=player]').length === 2, null);
    const c = await openDemo(ctx.browser, `${ctx.server.url}/?join=${code}`, 'C');
    for (const p of [a, b, c]) await waitInPage(p, 'three players', () => document.querySelectorAll('[data-testid=player]').length === 3, null);
    await a.page.click('[data-testid=start-btn]');
    for (const p of [a, b, c]) await waitInPage(p, 'play', () => __hostmeshDemo.screen() === 'play', null);
    const [bId, cId] = [await selfId(b), await selfId(c)];

    // B walks to pickups until it scores, so there is a score to keep.
    const held = new Set<Arrow>();
    const deadline = Date.now() + 40_000;
    while (((await world(a))[bId]?.score as number) === 0 && Date.now() < deadline) {
      const w = await world(a);
      const me = w[bId]!;
      const target = pickupIds(w).map((id) => w[id]!)[0];
      if (target) await steer(b.page, held, { x: me.x as number, y: me.y as number }, { x: target.x as number, y: target.y as number });
      await b.page.waitForTimeout(50);
    }
    await releaseAll(b.page, held);
    await waitInPage(c, 'B scoring at C', (id) => (__hostmeshDemo.world()[id]?.score as number) > 0, bId);
    await b.page.waitForTimeout(300); // the last input settles
    const before = await world(b);
    expect(before[bId]?.score as number).toBeGreaterThan(0);

    await a.page.close();
    await waitInPage(b, 'B hosting', () => __hostmeshDemo.isHost(), null, 30_000);
    await waitInPage(c, 'C following B', (id) => __hostmeshDemo.hostId() === id, bId, 30_000);
    await waitInPage(b, 'the role on B', () => document.querySelector('[data-testid=role]')?.textContent?.includes('you are the host'), null);
    await waitInPage(b, 'the crown on B\'s own row', () => [...document.querySelectorAll('[data-testid=score-row]')].some((r) => r.textContent?.includes('♛') && r.textContent.includes('(you)')), null);
    await waitInPage(c, 'one crown at C, not on C', () => {
      const crowned = [...document.querySelectorAll('[data-testid=score-row]')].filter((r) => r.textContent?.includes('♛'));
      return crowned.length === 1 && !crowned[0]!.textContent!.includes('(you)');
    }, null);
    await waitInPage(c, 'the status line at C', () => /is the host now/.test(document.querySelector('[data-testid=connection-status]')?.textContent ?? ''), null);
    await screenshot(c.page, 'demo-host-migrated');

    // Scores and avatars kept; the host's avatar is gone; play goes on from B's state.
    for (const p of [b, c]) {
      await waitInPage(p, 'the old host gone from the world', () => Object.values(__hostmeshDemo.world()).filter((e) => e.kind === 'player').length === 2, null);
      const now = await world(p);
      // Kept, never reset (the game goes on: a pickup may land on an avatar meanwhile).
      expect(now[bId]?.score as number, `B's score at ${p.label}`).toBeGreaterThanOrEqual(before[bId]?.score as number);
      expect(now[cId]?.score as number, `C's score at ${p.label}`).toBeGreaterThanOrEqual(before[cId]?.score as number);
      expect(now.game?.phase).toBe('play');
    }
    // C's keys move C's avatar in B's (now authoritative) world.
    const x0 = (await world(b))[cId]!.x as number;
    const dir = x0 > 500 ? 'ArrowLeft' : 'ArrowRight';
    await c.page.keyboard.down(dir);
    await waitInPage(b, "C's avatar moving in B's world", ([id, x, sign]) => sign * (((__hostmeshDemo.world()[id]?.x as number) ?? x) - x) > 60, [cId, x0, dir === 'ArrowRight' ? 1 : -1] as const, 30_000);
    await c.page.keyboard.up(dir);

    // A newcomer joins by the same link, into B's game.
    const d = await openDemo(ctx.browser, `${ctx.server.url}/?join=${code}`, 'D');
    await waitInPage(d, 'D in play at B', (id) => __hostmeshDemo.screen() === 'play' && __hostmeshDemo.hostId() === id, bId, 30_000);
    expect([...a.errors, ...b.errors, ...c.errors, ...d.errors].filter((e) => !browserNetworkLog.test(e))).toEqual([]);
    for (const p of [b, c, d]) await p.page.close();
  });

  it('a player reloads its tab mid-game: back in the same seat with the same score', { timeout: 90_000 }, async () => {
    const a = await openDemo(ctx.browser, ctx.server.url, 'A');
    const code = await hostFromMenu(a, { playerName: 'Ann' });
    const b = await openDemo(ctx.browser, `${ctx.server.url}/?join=${code}`, 'B');
    for (const p of [a, b]) await waitInPage(p, 'two players', () => document.querySelectorAll('[data-testid=player]').length === 2, null);
    await a.page.click('[data-testid=start-btn]');
    for (const p of [a, b]) await waitInPage(p, 'play', () => __hostmeshDemo.screen() === 'play', null);
    const bId = await selfId(b);
    // B moves, so its avatar has a place of its own to keep.
    const x0 = (await world(a))[bId]!.x as number;
    const dir = x0 > 500 ? 'ArrowLeft' : 'ArrowRight';
    await b.page.keyboard.down(dir);
    await waitInPage(a, 'B moving on A', ([id, x]) => Math.abs(((__hostmeshDemo.world()[id]?.x as number) ?? x) - x) > 60, [bId, x0] as const);
    await b.page.keyboard.up(dir);
    await b.page.waitForTimeout(300);
    const before = (await world(a))[bId]!;
    await b.page.reload();
    await waitInPage(b, 'B back in play', (id) => __hostmeshDemo.screen() === 'play' && __hostmeshDemo.selfId() === id, bId, 30_000);
    const after = (await world(a))[bId]!;
    expect(after.name).toBe(before.name);
    expect(after.score as number).toBeGreaterThanOrEqual(before.score as number);
    expect(after.x).toBe(before.x);
    expect(await a.page.evaluate(() => __hostmeshDemo.players().length)).toBe(2);
    expect([...a.errors, ...b.errors].filter((e) => !browserNetworkLog.test(e))).toEqual([]);
    for (const p of [a, b]) await p.page.close();
  });

  it('the host leaves the lobby before Start: the next player hosts it, with Start', { timeout: 60_000 }, async () => {
    const a = await openDemo(ctx.browser, ctx.server.url, 'A');
    const code = await hostFromMenu(a, { playerName: 'Ann' });
    const b = await openDemo(ctx.browser, `${ctx.server.url}/?join=${code}`, 'B');
    for (const p of [a, b]) await waitInPage(p, 'two players', () => document.querySelectorAll('[data-testid=player]').length === 2, null);
    await a.page.click('#leave-lobby');
    await waitInPage(b, 'B hosting the lobby', () => __hostmeshDemo.isHost() && __hostmeshDemo.screen() === 'lobby' && document.querySelector('[data-testid=start-btn]') !== null, null, 30_000);
    expect(await b.page.$('[data-testid=error]')).toBeNull();
    expect([...a.errors, ...b.errors].filter((e) => !browserNetworkLog.test(e))).toEqual([]);
    for (const p of [a, b]) await p.page.close();
  });
});
