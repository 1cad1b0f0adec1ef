/**
 * The demo's menu and lobby details in real Chromium: the suggested lobby name follows the
 * player's name until edited, two tabs of one browser get different names, cancelling the
 * password prompt is no error, a full lobby cannot be joined from the list, a lobby closed at
 * the start can be reopened by the host, and in a 640x400 window the devtools overlay leaves
 * the scoreboard visible. Screenshots go to test/artifacts/. Needs `npm run build`.
 */
import { describe, expect, it } from 'vitest';
import type { DemoDebug } from '../../demo-game/src/debug-hook.js';
import { browserSkipReason, serverAndBrowser, screenshot } from '../helpers/browser.js';
import { browserNetworkLog, hostFromMenu, menuError, openDemo, waitInPage, type DemoPage } from '../helpers/demo-pages.js';

declare const __hostmeshDemo: DemoDebug;

async function joinWithPassword(p: DemoPage, code: string, password: string): Promise<void> {
  await p.page.fill('[data-testid=join-code]', code);
  await p.page.click('[data-testid=join-btn]');
  await waitInPage(p, 'the password prompt', () => document.querySelector('[data-testid=prompt]') !== null, null);
  await p.page.fill('[data-testid=prompt-input]', password);
  await p.page.click('[data-testid=prompt-ok]');
}

describe.skipIf(browserSkipReason)(`demo menu in Chromium${browserSkipReason ? ` (skipped: ${browserSkipReason})` : ''}`, () => {
  const ctx = serverAndBrowser();

  it('names, password cancel, full and closed lobbies, reopening, and a small window', { timeout: 120_000 }, async () => {
    const tabs = await ctx.browser.newContext(); // one browser profile: shared localStorage
    const a = await openDemo(tabs, ctx.server.url, 'A');
    await a.page.fill('[data-testid=player-name]', 'Ann');
    expect(await a.page.inputValue('[data-testid=host-name]')).toBe("Ann's arena");
    const b = await openDemo(tabs, ctx.server.url, 'B', { width: 640, height: 400 });
    const bName = await b.page.inputValue('[data-testid=player-name]');
    expect(bName).not.toBe('Ann'); // Ann is remembered, but tab A is using it
    await b.page.fill('[data-testid=host-name]', 'My own name');
    await b.page.fill('[data-testid=player-name]', 'Bea');
    expect(await b.page.inputValue('[data-testid=host-name]')).toBe('My own name'); // edited: no longer follows

    const code = await hostFromMenu(a, { playerName: 'Ann', maxPlayers: 2, isPublic: true, password: 'sesame' });
    const c = await openDemo(ctx.browser, ctx.server.url, 'C');
    await c.page.fill('[data-testid=join-code]', code);
    await c.page.click('[data-testid=join-btn]');
    await waitInPage(c, 'the password prompt', () => document.querySelector('[data-testid=prompt]') !== null, null);
    await c.page.click('#prompt-cancel');
    await waitInPage(c, 'the menu again', () => document.querySelector('[data-testid=menu]') !== null && document.querySelector('[data-testid=prompt]') === null, null);
    expect(await c.page.$('[data-testid=error]')).toBeNull();
    expect(await c.page.inputValue('[data-testid=join-code]')).toBe(code);
    await joinWithPassword(c, code, 'sesame');
    for (const p of [a, c]) await waitInPage(p, 'two players in the lobby', () => document.querySelectorAll('[data-testid=player]').length === 2, null);

    // Full (2/2): listed, but its button is disabled and says so.
    await waitInPage(b, 'the lobby listed as full', (lobby) => {
      const row = document.querySelector(`[data-testid=lobby-row][data-code="${lobby}"]`);
      if (row?.querySelector('button')?.disabled === true && row.textContent?.includes('Full')) return true;
      const w = window as { lastRefreshMs?: number };
      if (Date.now() - (w.lastRefreshMs ?? 0) > 500) { // the host reports its player count: refresh now and then
        w.lastRefreshMs = Date.now();
        (document.querySelector('[data-testid=refresh-lobbies]') as HTMLButtonElement | null)?.click();
      }
      return false;
    }, code);
    await screenshot(b.page, 'demo-menu-full-lobby-640x400');

    // Started without late joins: the lobby closes; C leaves, B is turned away; the host reopens it.
    await a.page.setChecked('[data-testid=late-join]', false);
    await a.page.click('[data-testid=start-btn]');
    await waitInPage(c, 'play', () => __hostmeshDemo.screen() === 'play', null);
    await c.page.click('[data-testid=leave-btn]');
    await waitInPage(a, 'C gone', () => __hostmeshDemo.players().length === 1, null);
    await b.page.fill('[data-testid=join-code]', code);
    await b.page.click('[data-testid=join-btn]');
    expect(await menuError(b)).toBe('LOBBY_CLOSED');
    await a.page.click('[data-testid=invite-btn]');
    await a.page.setChecked('[data-testid=reopen]', true);
    await waitInPage(a, 'the lobby reopened', () => document.querySelector('[data-testid=reopen-note]')?.textContent?.startsWith('Open'), null);
    await screenshot(a.page, 'demo-reopen');
    await joinWithPassword(b, code, 'sesame');
    await waitInPage(b, 'play on B', () => __hostmeshDemo.screen() === 'play' && document.querySelectorAll('[data-testid=score-row]').length === 2, null);

    // 640x400 with the devtools open: the overlay and the scoreboard do not overlap.
    await b.page.keyboard.press('n');
    await waitInPage(b, 'the devtools members', () => (document.querySelector('[data-hostmesh-devtools]')?.shadowRoot
      ?.querySelectorAll('[data-testid=devtools-member]').length ?? 0) === 2, null);
    const panel = await b.page.locator('[data-testid=devtools]').boundingBox();
    const board = await b.page.locator('[data-testid=scoreboard]').boundingBox();
    expect(panel && board).toBeTruthy();
    expect(panel!.x + panel!.width <= board!.x || board!.y + board!.height <= panel!.y || panel!.y + panel!.height <= board!.y).toBe(true);
    await screenshot(b.page, 'demo-devtools-640x400');
    await b.page.keyboard.press('n');
    // Walk into the top-left corner: the name label stays inside the arena (see the screenshot).
    await b.page.keyboard.down('ArrowUp');
    await b.page.keyboard.down('ArrowLeft');
    await waitInPage(b, 'B in the corner', () => {
      const me = __hostmeshDemo.view()[__hostmeshDemo.selfId() ?? ''];
      return me !== undefined && (me.x as number) < 40 && (me.y as number) < 40;
    }, null);
    await b.page.keyboard.up('ArrowUp');
    await b.page.keyboard.up('ArrowLeft');
    await screenshot(b.page, 'demo-play-640x400');

    // Chromium logs the 403 (password missing) and 409 (closed) answers itself.
    expect([...a.errors, ...b.errors, ...c.errors].filter((e) => !browserNetworkLog.test(e))).toEqual([]);
    await c.page.close();
    await tabs.close();
  });
});
