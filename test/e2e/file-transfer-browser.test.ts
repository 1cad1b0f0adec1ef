/**
 * File transfer between two real Chromium pages through the real server: 20 MB (a Blob made
 * from a seeded pseudo-random generator on the sender, the same bytes regenerated on the
 * receiver) arrive byte-identical with progress on both sides; the received Blob has the sent
 * type; an oversize offer is refused with TRANSFER_TOO_LARGE and the pages keep messaging.
 */
import { describe, expect, it } from 'vitest';
import { browserSkipReason, loadSdk, serverAndBrowser, watchErrors } from '../helpers/browser.js';

type Hm = typeof import('../../sdk/src/index.js');
declare const hm: Hm;

/** In the page: `window.fileBytes(n, seed)`, deterministic pseudo-random bytes (xorshift32). */
function installBytes(): void {
  (window as unknown as { fileBytes(n: number, seed: number): Uint8Array }).fileBytes = (n, seed) => {
    const out = new Uint8Array(n);
    let x = seed >>> 0 || 1;
    for (let i = 0; i < n; i++) { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; out[i] = x & 0xff; }
    return out;
  };
}

describe.skipIf(browserSkipReason)(`file transfer in Chromium${browserSkipReason ? ` (skipped: ${browserSkipReason})` : ''}`, () => {
  const ctx = serverAndBrowser();

  it('20 MB between two pages, byte-identical, with progress; an oversize offer is refused', async () => {
    const [a, b] = [await ctx.browser.newPage(), await ctx.browser.newPage()];
    const errors = [...watchErrors(a, 'A'), ...watchErrors(b, 'B')];
    for (const p of [a, b]) { await p.goto(`${ctx.server.url}/healthz`); await loadSdk(p); await p.evaluate(installBytes); }
    const code = await a.evaluate(async () => {
      const s = await hm.connect(location.origin).host({ name: 'Files', playerName: 'A' });
      (window as unknown as { s: typeof s }).s = s;
      return s.code;
    });
    const bId = await b.evaluate(async (c) => {
      const s = await hm.connect(location.origin).join(c, { playerName: 'B' });
      const w = window as unknown as { s: typeof s; result: Promise<unknown> };
      w.s = s;
      w.result = new Promise((resolve) => {
        s.on('fileOffer', (offer) => {
          let progress = 0;
          offer.on('progress', (p) => { progress++; if (p.total !== offer.size) resolve({ error: 'total' }); });
          const t0 = performance.now();
          offer.accept().then(async (file) => {
            const ms = performance.now() - t0;
            const want = (window as unknown as { fileBytes(n: number, seed: number): Uint8Array }).fileBytes(offer.size, 42);
            let same = file.bytes.length === want.length;
            for (let i = 0; same && i < want.length; i++) if (file.bytes[i] !== want[i]) same = false;
            const blob = file.blob();
            resolve({ name: file.name, size: file.bytes.length, same, type: blob.type, blobSize: blob.size, progress, ms });
          }, (err: { code: string }) => resolve({ error: err.code }));
        });
      });
      return s.selfId;
    }, code);
    const sent = await a.evaluate(async (to) => {
      const s = (window as unknown as { s: { sendFile(to: string, d: Blob, o: object): { done: Promise<void>; on(e: string, cb: (p: { bytes: number }) => void): void }[] } }).s;
      const bytes = (window as unknown as { fileBytes(n: number, seed: number): Uint8Array }).fileBytes(20 * 1024 * 1024, 42);
      const [t] = s.sendFile(to, new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "application/x-arena" }), { name: 'arena.map' });
      let last = 0;
      t!.on('progress', (p) => { last = p.bytes; });
      await t!.done;
      return last;
    }, bId);
    expect(sent).toBe(20 * 1024 * 1024);
    const got = await b.evaluate(() => (window as unknown as { result: Promise<unknown> }).result) as Record<string, unknown>;
    expect(got).toMatchObject({ name: 'arena.map', size: 20 * 1024 * 1024, same: true, type: 'application/x-arena', blobSize: 20 * 1024 * 1024 });
    expect(got.progress as number).toBeGreaterThan(100);

    // Oversize: B accepts at most 1 MB.
    await b.evaluate(() => (window as unknown as { s: { setFileOptions(o: object): void } }).s.setFileOptions({ maxFileBytes: 1_000_000 }));
    const refused = await a.evaluate(async (to) => {
      const s = (window as unknown as { s: { sendFile(to: string, d: Uint8Array): { done: Promise<void> }[]; send(t: string, d: unknown): void } }).s;
      const [t] = s.sendFile(to, new Uint8Array(2_000_000));
      try { await t!.done; return 'done'; } catch (err) { s.send('after', 1); return (err as { code: string }).code; }
    }, bId);
    expect(refused).toBe('TRANSFER_TOO_LARGE');
    expect(errors).toEqual([]);
  }, 180_000);
});
