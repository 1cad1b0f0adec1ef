/**
 * Drives the demo game (dist/public, served at `/`) in real Chromium through its DOM and its
 * read-only debug hook `window.__hostmeshDemo`.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { State } from '../../sdk/src/index.js';
import type { DemoDebug } from '../../demo-game/src/debug-hook.js';
import { watchErrors } from './browser.js';

/** One demo page and the errors it logged. */
export interface DemoPage { page: Page; errors: string[]; label: string }

declare const __hostmeshDemo: DemoDebug;

/** Opens the demo at `url` in a new page (its own browser context, or a tab of `browser` when it is a context) and waits until its menu or session screen is up. */
export async function openDemo(browser: Browser | BrowserContext, url: string, label: string, viewport = { width: 1200, height: 760 }): Promise<DemoPage> {
  const page = 'newContext' in browser ? await browser.newPage({ viewport }) : await browser.newPage();
  await page.setViewportSize(viewport); // a context's pages take no options
  const errors = watchErrors(page, label);
  await page.goto(url);
  await page.waitForFunction(() => typeof (window as { __hostmeshDemo?: unknown }).__hostmeshDemo === 'object', null, { timeout: 15_000 });
  return { page, errors, label };
}

/** Waits until `fn(arg)`, evaluated in the page, is truthy (polled every 50 ms). */
export async function waitInPage<A>(p: DemoPage, what: string, fn: (arg: A) => unknown, arg: A, timeoutMs = 20_000): Promise<void> {
  try {
    await p.page.waitForFunction(fn as (arg: unknown) => unknown, arg as unknown, { timeout: timeoutMs, polling: 50 });
  } catch (err) {
    throw new Error(`${p.label}: timed out after ${timeoutMs} ms waiting for ${what} (${(err as Error).message.split('\n')[0]})`);
  }
}

/** The state the host decided, as this page knows it. */
export function world(p: DemoPage): Promise<State> {
  return p.page.evaluate(() => __hostmeshDemo.world());
}

/** This page's player id. */
export async function selfId(p: DemoPage): Promise<string> {
  const id = await p.page.evaluate(() => __hostmeshDemo.selfId());
  if (!id) throw new Error(`${p.label} is not in a session`);
  return id;
}

/** Ids of the pickups in `state`, sorted. */
export function pickupIds(state: State): string[] {
  return Object.keys(state).filter((id) => state[id]?.kind === 'pickup').sort();
}

type Arrow = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown';

/** Holds the arrow keys that point from (x, y) to (tx, ty); releases the others. */
export async function steer(page: Page, held: Set<Arrow>, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  const want = new Set<Arrow>();
  if (to.x - from.x > 6) want.add('ArrowRight');
  if (from.x - to.x > 6) want.add('ArrowLeft');
  if (to.y - from.y > 6) want.add('ArrowDown');
  if (from.y - to.y > 6) want.add('ArrowUp');
  for (const k of [...held]) if (!want.has(k)) { await page.keyboard.up(k); held.delete(k); }
  for (const k of want) if (!held.has(k)) { await page.keyboard.down(k); held.add(k); }
}

/** Releases every held arrow key. */
export async function releaseAll(page: Page, held: Set<Arrow>): Promise<void> {
  for (const k of held) await page.keyboard.up(k);
  held.clear();
}

/** Host-form choices for `hostFromMenu`. */
export interface HostForm { playerName: string; maxPlayers?: number; isPublic?: boolean; password?: string }

/** Hosts a lobby from the menu and returns its code, read from the invite panel. */
export async function hostFromMenu(p: DemoPage, form: HostForm): Promise<string> {
  await p.page.fill('[data-testid=player-name]', form.playerName);
  if (form.maxPlayers !== undefined) await p.page.selectOption('#host-max', String(form.maxPlayers));
  if (form.isPublic !== undefined) await p.page.setChecked('#host-public', form.isPublic);
  if (form.password !== undefined) await p.page.fill('#host-password', form.password);
  await p.page.click('[data-testid=host-btn]');
  await waitInPage(p, 'the invite panel', () => document.querySelector('[data-testid=lobby-code]') !== null, null);
  return (await p.page.textContent('[data-testid=lobby-code]'))?.trim() ?? '';
}

/** Waits for the menu's error banner and returns its error code. */
export async function menuError(p: DemoPage, timeoutMs = 20_000): Promise<string | null> {
  await waitInPage(p, 'the error banner', () => document.querySelector('[data-testid=error]') !== null, null, timeoutMs);
  return p.page.getAttribute('[data-testid=error]', 'data-code');
}

/** Console lines Chromium itself writes for failed fetches (4xx answers, refused connections). */
export const browserNetworkLog = /console\.error: Failed to load resource: (the server responded with a status of 4\d\d|net::ERR_CONNECTION_REFUSED)/;
