/**
 * Signaling outages in real Chromium (issue 12, item 1): two pages play, the server (its own
 * process) is SIGKILLed, play goes on, both pages report 'reconnecting' and back off; the server
 * comes back on the same port with an empty store, the host page re-registers the code and a
 * third page joins by it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { browserSkipReason, launchBrowser, loadSdk, watchErrors } from '../helpers/browser.js';
import { startChildServer, type ChildServer } from '../helpers/server-attack.js';

type Hm = typeof import('../../sdk/src/index.js');
declare const hm: Hm;
type W = Window & { s: Awaited<ReturnType<ReturnType<Hm['connect']>['host']>>; got: unknown[]; states: string[]; closes: string[] };

const lobbyKey = 'browser-outage-lobby-key-0123456789';
const options = { heartbeatIntervalMs: 250, peerTimeoutMs: 3000, signalingRetryMinMs: 100, signalingRetryMaxMs: 1000 };

describe.skipIf(browserSkipReason)(`signaling outage in Chromium${browserSkipReason ? ` (skipped: ${browserSkipReason})` : ''}`, () => {
  let browser: Browser;
  const servers: ChildServer[] = [];
  beforeAll(async () => { browser = await launchBrowser(); });
  afterAll(async () => {
    await browser?.close();
    for (const s of servers) await s.stop();
  });

  async function page(url: string): Promise<Page> {
    const p = await browser.newPage();
    await p.goto(`${url}/healthz`);
    await loadSdk(p);
    return p;
  }

  /** `from` sends 'ping' to `toId` until a 'pong' comes back; resolves with true when one did. */
  const pingPong = (from: Page, toId: string) => from.evaluate(async (to: string) => {
    const w = window as unknown as W;
    const n = Math.random();
    const before = w.got.length;
    for (let i = 0; i < 100; i++) {
      w.s.send('ping', { n }, { to });
      await new Promise((r) => setTimeout(r, 50));
      if (w.got.slice(before).some((m) => (m as { n: number }).n === n)) return true;
    }
    return false;
  }, toId);

  const setUp = (p: Page) => p.evaluate(() => {
    const w = window as unknown as W;
    w.got = []; w.states = []; w.closes = [];
    w.s.onMessage('ping', (d: unknown, from: string) => w.s.send('pong', d, { to: from }));
    w.s.onMessage('pong', (d: unknown) => w.got.push(d));
    w.s.on('signalingChange', (state: string) => w.states.push(state));
    w.s.on('close', (reason: string) => w.closes.push(reason));
    return w.s.selfId;
  });

  it('two pages play through a server kill; after the restart the code works again', async () => {
    const first = await startChildServer({ lobbyKey, lobbyGraceMs: 60_000 });
    servers.push(first);
    const port = Number(new URL(first.url).port);
    const [a, b] = [await page(first.url), await page(first.url)];
    const errors = [...watchErrors(a, 'A'), ...watchErrors(b, 'B')];
    const code = await a.evaluate(async (o) => {
      (window as unknown as W).s = await hm.connect({ server: location.origin, ...o }).host({ name: 'E2E outage', playerName: 'A' });
      return (window as unknown as W).s.code;
    }, options);
    await b.evaluate(async ([c, o]) => {
      (window as unknown as W).s = await hm.connect({ server: location.origin, ...o }).join(c, { playerName: 'B' }) as W['s'];
    }, [code, options] as const);
    const [aId, bId] = [await setUp(a), await setUp(b)];
    expect(await pingPong(a, bId)).toBe(true);

    first.child.proc.kill('SIGKILL');
    await first.child.exited;
    for (const p of [a, b]) await p.waitForFunction(() => (window as unknown as W).s.signalingState === 'reconnecting', undefined, { timeout: 5000 });
    // Longer than the peer timeout: the links must stay up on their own.
    const outageStart = Date.now();
    while (Date.now() - outageStart < 4000) {
      expect(await pingPong(a, bId)).toBe(true);
      expect(await pingPong(b, aId)).toBe(true);
    }
    for (const p of [a, b]) expect(await p.evaluate(() => (window as unknown as W).closes)).toEqual([]);

    const second = await startChildServer({ lobbyKey, lobbyGraceMs: 60_000, port });
    servers.push(second);
    for (const p of [a, b]) await p.waitForFunction(() => (window as unknown as W).s.signalingState === 'open', undefined, { timeout: 10_000 });
    const c = await page(second.url);
    errors.push(...watchErrors(c, 'C'));
    const joined = await c.evaluate(async ([cd, o]) => {
      for (let i = 0; ; i++) {
        try {
          (window as unknown as W).s = await hm.connect({ server: location.origin, ...o }).join(cd, { playerName: 'C' }) as W['s'];
          return { players: (window as unknown as W).s.players.size, tries: i + 1 };
        } catch (err) {
          // The host re-registers within its back-off; until then the code is unknown.
          if ((err as { code?: string }).code !== 'LOBBY_NOT_FOUND' || i > 40) throw err;
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    }, [code, options] as const);
    expect(joined.players).toBe(3);
    const cId = await setUp(c);
    expect(await pingPong(b, cId)).toBe(true);
    expect(await a.evaluate(() => (window as unknown as W).s.players.size)).toBe(3);
    for (const p of [a, b]) {
      expect(await p.evaluate(() => (window as unknown as W).closes)).toEqual([]);
      expect(await p.evaluate(() => (window as unknown as W).states)).toEqual(['reconnecting', 'open']);
    }
    // Chromium logs the refused WebSocket attempts itself; anything else is ours.
    expect(errors.filter((e) => !/WebSocket connection to .* failed/.test(e))).toEqual([]);
  }, 60_000);
});
