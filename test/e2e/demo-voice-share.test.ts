/**
 * The demo's voice and file sharing in real Chromium (fake microphone playing a tone): the
 * client turns voice on and holds V, and the host sees it talking (the marker over its avatar
 * follows `voice.talking`) until V comes up; the host shares an image through the file picker
 * and the client's card shows it with a full progress bar. Needs `npm run build`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../server/src/index.js';
import type { DemoDebug } from '../../demo-game/src/debug-hook.js';
import { browserSkipReason, launchBrowser, screenshot } from '../helpers/browser.js';
import { hostFromMenu, openDemo, selfId, waitInPage } from '../helpers/demo-pages.js';

declare const __hostmeshDemo: DemoDebug;

function toneWav(hz: number, seconds: number, rate = 48_000): Buffer {
  const n = rate * seconds;
  const buf = Buffer.alloc(44 + n * 2);
  buf.write('RIFF', 0); buf.writeUInt32LE(36 + n * 2, 4); buf.write('WAVE', 8); buf.write('fmt ', 12);
  buf.writeUInt32LE(16, 16); buf.writeUInt16LE(1, 20); buf.writeUInt16LE(1, 22); buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28); buf.writeUInt16LE(2, 32); buf.writeUInt16LE(16, 34); buf.write('data', 36); buf.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) buf.writeInt16LE(Math.round(10_000 * Math.sin((2 * Math.PI * hz * i) / rate)), 44 + i * 2);
  return buf;
}

describe.skipIf(browserSkipReason)(`demo voice and file share in Chromium${browserSkipReason ? ` (skipped: ${browserSkipReason})` : ''}`, () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  beforeAll(async () => {
    server = await startServer({ port: 0 });
    const wav = join(mkdtempSync(join(tmpdir(), 'hm-demo-voice-')), 'tone.wav');
    writeFileSync(wav, toneWav(440, 10));
    browser = await launchBrowser(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${wav}`, '--autoplay-policy=no-user-gesture-required']);
  }, 60_000);
  afterAll(async () => { await browser?.close(); await server?.close(); });

  it('push-to-talk shows the talking marker on the other page; the host shares an image with a progress bar', { timeout: 120_000 }, async () => {
    const a = await openDemo(browser, server.url, 'A');
    const code = await hostFromMenu(a, { playerName: 'Ann' });
    const b = await openDemo(browser, `${server.url}/?join=${code}`, 'B');
    for (const p of [a, b]) await waitInPage(p, 'two players in the lobby', () => document.querySelectorAll('[data-testid=player]').length === 2, null);
    await a.page.click('[data-testid=start-btn]');
    for (const p of [a, b]) await waitInPage(p, 'play', () => __hostmeshDemo.screen() === 'play', null);
    const bId = await selfId(b);

    await b.page.click('[data-testid=voice-join]');
    await waitInPage(b, 'voice on', () => document.querySelector('[data-testid=voice-status]')?.textContent === 'hold V to talk', null);
    expect(await a.page.evaluate(() => __hostmeshDemo.talking())).toEqual([]);
    await b.page.keyboard.down('KeyV');
    await waitInPage(a, 'B talking on A', (id) => __hostmeshDemo.talking().includes(id), bId);
    await screenshot(a.page, 'demo-voice-talking');
    await b.page.keyboard.up('KeyV');
    await waitInPage(a, 'B quiet on A', (id) => !__hostmeshDemo.talking().includes(id), bId);

    // A 1x1 PNG, padded to 300 kB so the transfer takes many chunks.
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
    const file = Buffer.concat([png, Buffer.alloc(300_000)]);
    await a.page.setInputFiles('[data-testid=share-input]', { name: 'banner.png', mimeType: 'image/png', buffer: file });
    await waitInPage(b, 'the image on B', () => {
      const img = document.querySelector<HTMLImageElement>('[data-testid=share-image]');
      const bar = document.querySelector<HTMLProgressElement>('[data-testid=share-progress]');
      return img && !img.hidden && img.src.startsWith('blob:') && bar?.value === 1;
    }, null);
    await waitInPage(a, 'shared on A', () => document.querySelector('[data-testid=share-status]')?.textContent === 'banner.png shared', null);
    expect(await b.page.textContent('[data-testid=share-status]')).toBe('banner.png from the host');
    await screenshot(b.page, 'demo-file-share');
    expect([...a.errors, ...b.errors]).toEqual([]);
  });
});
