/**
 * A host page in real Chromium going to the background (issue 12, item 5), and ICE restart with a
 * Chromium peer (item 2). Pause: the host page goes hidden, then is frozen; a Node client hears
 * `hostPaused` ('hidden', then 'frozen') before the host falls silent, still times the silent host
 * out (its link stalls: `reconnecting`), and on `resume` hears `hostResumed` and is back on the same
 * link. Headless Chromium 156 can neither hide a page (no other window occludes it) nor freeze a
 * visible one (CDP `Page.setWebLifecycleState` 'frozen' returned OK and its timers kept running,
 * 101 ticks of a 10 ms interval in 1 s, no `freeze` event): so the page is hidden by overriding
 * `document.visibilityState` and firing `visibilitychange`, and frozen as the browser does it, the
 * `freeze` event first, then no script runs (CDP `Debugger.pause`) until `resume`. ICE restart: a Chromium client (the dialling side, so it makes the offer) and
 * a Node host restart ICE on their existing connection through the HOSTMESH_ICE envelope; both
 * ends end up with new ICE credentials on the same RTCPeerConnection and messages still flow.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { connect, type Session } from '../../sdk/src/node.js';
import { sessionCore } from '../../sdk/src/session/session.js';
import type { IceRestarter } from '../../sdk/src/link/ice-restart.js';
import { browserSkipReason, loadSdk, serverAndBrowser, watchErrors } from '../helpers/browser.js';
import { until } from '../helpers/wait.js';

type Hm = typeof import('../../sdk/src/index.js');
declare const hm: Hm;
type W = Window & { s: Session; events: string[] };

const fast = { heartbeatIntervalMs: 250, peerTimeoutMs: 1500, iceRestartTimeoutMs: 20_000 } as const;
const sessions: Session[] = [];
afterAll(async () => { for (const s of sessions.splice(0)) await s.leave(); });

/** The ICE username fragment of an SDP. */
const ufrag = (sdp: string | undefined) => /a=ice-ufrag:(\S+)/.exec(sdp ?? '')?.[1];

describe.skipIf(browserSkipReason)(`host pause and ICE restart in Chromium${browserSkipReason ? ` (skipped: ${browserSkipReason})` : ''}`, () => {
  const ctx = serverAndBrowser();

  async function sdkPage(): Promise<{ page: Page; errors: string[] }> {
    const context = await ctx.browser.newContext();
    const page = await context.newPage();
    const errors = watchErrors(page, 'page');
    await page.goto(`${ctx.server.url}/healthz`);
    await loadSdk(page);
    return { page, errors };
  }

  it('a hidden, then frozen host page announces it; members still time it out, and hear it resume', async () => {
    const { page, errors } = await sdkPage();
    const code = await page.evaluate(async (o) => {
      const w = window as unknown as W;
      w.s = await hm.connect({ server: location.origin, ...o }).host({ name: 'Paused', playerName: 'Host' }) as unknown as Session;
      w.s.onMessage('ping', (d: unknown, from: string) => w.s.send('pong', d, { to: from }));
      return w.s.code;
    }, fast);
    const client = await connect({ server: ctx.server.url, ...fast }).join(code, { playerName: 'Bob' });
    sessions.push(client);
    const events: string[] = [];
    client.on('hostPaused', (why) => events.push(`paused ${why} (${client.hostPaused})`));
    client.on('hostResumed', () => events.push(`resumed (${client.hostPaused})`));
    client.on('reconnecting', () => events.push('reconnecting'));
    client.on('reconnected', () => events.push('reconnected'));
    const hostLink = sessionCore(client).links.get(client.hostId)!;
    const pong = async () => {
      const n = Math.random();
      const got = new Promise<void>((resolve) => { const off = client.onMessage('pong', (d) => { if (d === n) { off(); resolve(); } }); });
      client.send('ping', n, { to: client.hostId });
      await got;
    };
    await pong();

    // The page goes to the background.
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await until(() => events.includes('paused hidden (true)'), 10_000, 'hostPaused hidden');
    await pong(); // hidden is not silent: the game goes on

    // The browser freezes it: `freeze` fires, then no script runs.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Debugger.enable');
    await page.evaluate(() => { document.dispatchEvent(new Event('freeze')); });
    void cdp.send('Debugger.pause');
    await until(() => events.includes('paused frozen (true)'), 10_000, 'hostPaused frozen');
    // The announcement does not stop the client from timing the silent host out.
    await until(() => events.includes('reconnecting'), 10_000, 'the frozen host timed out (link stalled)');
    expect(hostLink.stalled).toBe(true);
    expect(client.hostPaused).toBe(true);

    await cdp.send('Debugger.resume');
    await page.evaluate(() => {
      document.dispatchEvent(new Event('resume'));
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await until(() => events.includes('reconnected') && !client.hostPaused, 15_000, 'host resumed and link back');
    expect(events.filter((e) => e.startsWith('resumed')).length).toBeGreaterThanOrEqual(1);
    expect(events.indexOf('paused hidden (true)')).toBeLessThan(events.indexOf('paused frozen (true)'));
    expect(events.indexOf('paused frozen (true)')).toBeLessThan(events.indexOf('reconnecting'));
    expect(sessionCore(client).links.get(client.hostId)).toBe(hostLink); // the same link
    await pong();
    // Chromium logs a handled 4xx from the lobby API itself (README, "Errors"); anything else is ours.
    expect(errors.filter((e) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(e))).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('ICE restarts on the existing connection between a Chromium client and a Node host', async () => {
    const host = await connect({ server: ctx.server.url, ...fast }).host({ name: 'Ice', playerName: 'Host' });
    sessions.push(host);
    host.onMessage('ping', (d, from) => host.send('pong', d, { to: from }));
    const { page, errors } = await sdkPage();
    const clientId = await page.evaluate(async ([c, o]) => {
      const w = window as unknown as W;
      w.s = await hm.connect({ server: location.origin, ...o }).join(c, { playerName: 'Chromium' }) as unknown as Session;
      w.events = [];
      w.s.onMessage('pong', (d: unknown) => w.events.push(`pong ${String(d)}`));
      return w.s.selfId;
    }, [host.code, fast] as const);
    const link = sessionCore(host).links.get(clientId)!;
    type Sdp = { sdp: string } | null;
    const net = sessionCore(host).net as unknown as { restarters: Map<string, unknown> };
    const restarter = [...net.restarters].find(([k]) => k.startsWith(`${clientId} `))![1] as Pick<IceRestarter, 'start' | 'stop' | 'stats'> & { pc: { localDescription: Sdp; remoteDescription: Sdp } };
    const [localBefore, remoteBefore] = [ufrag(restarter.pc.localDescription?.sdp), ufrag(restarter.pc.remoteDescription?.sdp)];
    expect(localBefore && remoteBefore).toBeTruthy();
    // The host did not dial, so it asks the Chromium client to offer.
    restarter.start();
    await until(() => ufrag(restarter.pc.remoteDescription?.sdp) !== remoteBefore && ufrag(restarter.pc.localDescription?.sdp) !== localBefore, 15_000, 'new ICE credentials on both ends');
    restarter.stop();
    expect(restarter.stats.signalsRefused).toBe(0);
    const n = Math.random();
    await page.evaluate((v) => { (window as unknown as W).s.send('ping', v); }, n);
    await page.waitForFunction((v) => (window as unknown as W).events.includes(`pong ${String(v)}`), n, { timeout: 10_000 });
    expect(sessionCore(host).links.get(clientId)).toBe(link);
    expect(link.ready).toBe(true);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 60_000);
});
