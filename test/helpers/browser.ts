/** Real headless Chromium (Debian `chromium`) driven by playwright-core; never a downloaded browser. */
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startServer } from '../../server/src/index.js';

/** Path of the system Chromium, or undefined when it is not installed. */
export const chromiumPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

/** Why browser tests cannot run here, or undefined when they can (in CI they must run: no skip). */
export const browserSkipReason = chromiumPath || process.env.CI
  ? undefined
  : 'Debian chromium is not installed: run `sudo bash scripts/setup-system.sh` (npm test in CI does).';

/** Launches headless Chromium with the flags FACTS.md lists (root, no GPU, real host candidates), plus `extraArgs`. */
export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath!,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic',
      '--disable-features=WebRtcHideLocalIpsWithMdns',
      '--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
      ...extraArgs,
    ],
  });
}

/** Collects page errors and console errors so a test can fail on any of them. */
export function watchErrors(page: Page, label: string): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`${label} pageerror: ${err.message}`));
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(`${label} console.error: ${msg.text()}`); });
  return errors;
}

/** Saves a screenshot under test/artifacts/ (ignored by git). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync('test/artifacts', { recursive: true });
  const path = `test/artifacts/${name}.png`;
  await page.screenshot({ path });
  return path;
}

/** Loads the SDK bundle (/hostmesh.js) into the page as `window.hm` (string import: vitest rewrites import()). */
export async function loadSdk(page: Page): Promise<void> {
  await page.addScriptTag({ type: 'module', content: "import * as hm from '/hostmesh.js'; window.hm = hm;" });
  await page.waitForFunction(() => 'hm' in window);
}

/** A real server on port 0 and one Chromium for a suite: started in beforeAll, closed in afterAll. */
export function serverAndBrowser(): { readonly server: Awaited<ReturnType<typeof startServer>>; readonly browser: Browser } {
  const ctx = {} as { server: Awaited<ReturnType<typeof startServer>>; browser: Browser };
  beforeAll(async () => {
    ctx.server = await startServer({ port: 0 });
    ctx.browser = await launchBrowser();
  });
  afterAll(async () => {
    await ctx.browser?.close();
    await ctx.server?.close();
  });
  return ctx;
}
