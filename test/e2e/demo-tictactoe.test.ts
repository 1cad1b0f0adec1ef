/**
 * The second demo in real Chromium: reached from the arena's menu, a host (X), a player (O) and a
 * spectator in three browser contexts play tic-tac-toe to a win. The game is one nested entity
 * replicated with setState (the general msgpack path); every page must show the same board, the
 * spectator must not be a player, and its clicks must not move. Needs `npm run build`.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { TicTacToe } from '../../demo-game/src/tictactoe/rules.js';
import { browserSkipReason, screenshot, serverAndBrowser, watchErrors } from '../helpers/browser.js';

interface Hook { code(): string | undefined; role(): string | undefined; game(): TicTacToe | undefined; error: string }
declare const __tictactoe: Hook;

describe.skipIf(browserSkipReason)(`tic-tac-toe demo in Chromium${browserSkipReason ? ` (skipped: ${browserSkipReason})` : ''}`, () => {
  const ctx = serverAndBrowser();

  async function open(label: string): Promise<{ page: Page; errors: string[] }> {
    const page = await (await ctx.browser.newContext()).newPage();
    const errors = watchErrors(page, label);
    await page.goto(ctx.server.url);
    await page.click('[data-testid=ttt-link]'); // reachable from the arena's menu
    await page.waitForFunction(() => typeof (window as { __tictactoe?: unknown }).__tictactoe === 'object', null, { timeout: 15_000 });
    return { page, errors };
  }
  const board = (p: Page) => p.evaluate(() => __tictactoe.game()?.board ?? null);
  const move = async (p: Page, row: number, col: number, mark: string) => {
    await p.click(`.ttt-cell[data-row="${row}"][data-col="${col}"]`);
    await p.waitForFunction(([r, c, m]) => __tictactoe.game()?.board[r as number]?.[c as number] === m, [row, col, mark] as const, { timeout: 10_000 });
  };

  it('X and O play to a win through setState of one nested entity; a spectator watches and cannot move', { timeout: 120_000 }, async () => {
    const x = await open('X'), o = await open('O'), w = await open('watcher');
    await x.page.click('#ttt-host');
    await x.page.waitForFunction(() => __tictactoe.code() !== undefined, null, { timeout: 20_000 });
    const code = await x.page.evaluate(() => __tictactoe.code()!);
    await o.page.fill('#ttt-code', code);
    await o.page.click('#ttt-join');
    await w.page.fill('#ttt-code', code);
    await w.page.click('#ttt-watch');
    for (const p of [o.page, w.page]) await p.waitForFunction(() => __tictactoe.game()?.players[1] !== null && __tictactoe.game() !== undefined, null, { timeout: 20_000 });
    expect(await w.page.evaluate(() => __tictactoe.role())).toBe('spectator');
    // X: top row; O: middle row. The spectator's click on a free cell changes nothing.
    await move(x.page, 0, 0, 'X');
    await w.page.click('.ttt-cell[data-row="2"][data-col="2"]', { force: true });
    await move(o.page, 1, 0, 'O');
    await move(x.page, 0, 1, 'X');
    await move(o.page, 1, 1, 'O');
    await move(x.page, 0, 2, 'X');
    for (const p of [x.page, o.page, w.page]) await p.waitForFunction(() => __tictactoe.game()?.winner === 'X', null, { timeout: 10_000 });
    const want = [['X', 'X', 'X'], ['O', 'O', ''], ['', '', '']];
    for (const p of [x.page, o.page, w.page]) expect(await board(p)).toEqual(want);
    expect(await w.page.textContent('#ttt-status')).toBe('X wins.');
    expect(await x.page.textContent('#ttt-status')).toContain('that is you');
    const moves = await w.page.evaluate(() => __tictactoe.game()!.moves.length);
    expect(moves).toBe(5);
    await screenshot(w.page, 'demo-tictactoe-spectator');
    // Play again: the host resets the nested board for everyone.
    await o.page.click('#ttt-again');
    for (const p of [x.page, o.page, w.page]) await p.waitForFunction(() => __tictactoe.game()?.winner === null && __tictactoe.game()?.moves.length === 0, null, { timeout: 10_000 });
    for (const r of [x, o, w]) expect(r.errors).toEqual([]);
  });
});
