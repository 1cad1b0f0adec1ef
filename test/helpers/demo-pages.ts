/**
 * Drives the demo game (dist/public, served at `/`) in real Chromium through its DOM and its
 * read-only debug hook `window.__hostmeshDemo`.
 */
import type { Browser, Page } from 'playwright-core';
import type { State } from '../../sdk/src/index.js';
import type { DemoDebug } from '../../demo-game/src/debug-hook.js';
import { watchErrors } from './browser.js';

/** One demo page and the errors it logged. */
export interface DemoPage { page: Page; errors: string[]; label: string }

declare const __hostmeshDemo: DemoDebug;

/** Opens the demo at `url` in a new page and waits until its menu or session screen is up. */
export async function openDemo(browser: Browser, url: string, label: string): Promise<DemoPage> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 760 } });
  const errors = watchErrors(page, label);
  await page.goto(url);
  await page.waitForFunction(() => typeof (window as { __hostmeshDemo?: unknown }).__hostmeshDemo === 'object', null, { timeout: 15_000 });
  return { page, errors, label };
}

/** Waits until `fn(arg)`, evaluated in the page, is truthy (polled every 50 ms). */
export async function waitInPage<A>(p: DemoPage, what: string, fn: (arg: A) => unknown, arg: A, timeoutMs = 15_000): Promise<void> {
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
