/**
 * Signaling outages never hurt a running game (issue 12, item 1). The server runs in its own
 * process and is SIGKILLed mid-game; peers are real WebRTC peers in Node (one in its own
 * process, to show no peer process exits). Play goes on through the outage, every peer retries
 * signaling with back-off (not hundreds of times a second), and once the server is back on the
 * same port (an in-memory store: it forgot the lobby) the host re-registers its code and a
 * newcomer joins by it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type HostmeshError, type Session, type SignalingState } from '../../sdk/src/node.js';
import { sessionCore } from '../../sdk/src/session/session.js';
import type { PeerNetwork } from '../../sdk/src/link/peer-network.js';
import { startChildServer, type ChildServer } from '../helpers/server-attack.js';
import { runNode, type Child } from '../helpers/server-bundle.js';
import { echo } from '../helpers/echo.js';
import { nextEvent, until } from '../helpers/wait.js';

const lobbyKey = 'outage-test-lobby-key-0123456789';
const fast = { heartbeatIntervalMs: 250, peerTimeoutMs: 3000, signalingRetryMinMs: 100, signalingRetryMaxMs: 1000, connectTimeoutMs: 8000 } as const;
const cleanup: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function server(options: Record<string, unknown> = {}): Promise<ChildServer> {
  const s = await startChildServer({ lobbyKey, lobbyGraceMs: 60_000, ...options });
  cleanup.push(() => s.stop());
  return s;
}

function track<T extends Session>(s: T): T {
  cleanup.push(() => s.leave());
  return s;
}

function childPeer(url: string, code: string, name: string): Child {
  const child = runNode('test/helpers/outage-peer.mjs', [url, code, name]);
  cleanup.push(async () => { child.proc.kill('SIGKILL'); await child.exited; });
  return child;
}

function states(s: Session): SignalingState[] {
  const seen: SignalingState[] = [];
  s.on('signalingChange', (state) => seen.push(state));
  return seen;
}

async function lookup(url: string, code: string): Promise<number> {
  try {
    return (await fetch(`${url}/api/lobbies/${code}`)).status;
  } catch {
    return 0; // a pooled socket of the dead server, or the server still down
  }
}

async function pollStatus(url: string, code: string, want: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await lookup(url, code)) !== want) {
    if (Date.now() > deadline) throw new Error(`lobby ${code} never answered ${want}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('signaling outages', () => {
  it('the server is killed mid-game: play goes on, peers back off, the host re-registers its code after the restart, a newcomer joins', async () => {
    const first = await server();
    const port = Number(new URL(first.url).port);
    const net = connect({ server: first.url, ...fast });
    const host = track(await net.host({ name: 'Outage', playerName: 'Host' }));
    const client = track(await net.join(host.code, { playerName: 'Client' }));
    client.onMessage('echo', (d, from) => client.send('echo-reply', d, { to: from }));
    const bot = childPeer(first.url, host.code, 'Bot');
    const botId = (await bot.waitFor(/joined (\S+)/, 15_000))[1]!;
    await until(() => host.players.size === 3 && client.players.size === 3, 10_000, 'three players');
    const closes: string[] = [];
    for (const s of [host, client]) s.on('close', (reason) => closes.push(reason));
    const hostStates = states(host);
    const clientStates = states(client);
    expect(host.signalingState).toBe('open');

    const killedAt = Date.now();
    first.child.proc.kill('SIGKILL');
    await first.child.exited;
    await until(() => host.signalingState === 'reconnecting' && client.signalingState === 'reconnecting', 5000, 'both see signaling drop');
    await bot.waitFor(/signaling reconnecting/, 5000);

    // Play goes on over the existing links, for longer than the link timeout.
    host.setState({ e1: { x: 1, y: 2 } });
    while (Date.now() - killedAt < fast.peerTimeoutMs + 1000) {
      await echo(host, client.selfId, 'host -> client echo during the outage');
      await echo(host, botId, 'host -> bot echo during the outage');
      await echo(client, botId, 'client -> bot echo during the outage');
    }
    const outageMs = Date.now() - killedAt;
    expect(outageMs).toBeGreaterThan(fast.peerTimeoutMs);
    const attempts = (sessionCore(host).net as PeerNetwork).signaling.reconnectAttempts;
    // Back-off 100 ms doubling to 1 s (jitter 0.5-1): far fewer attempts than one per 50 ms.
    expect(attempts).toBeGreaterThan(1);
    expect(attempts).toBeLessThan(3 + outageMs / 400);
    expect(closes).toEqual([]);
    expect(bot.proc.exitCode).toBeNull();
    expect(host.players.size).toBe(3);

    // The server comes back on the same port with an empty in-memory store.
    const second = await server({ port });
    expect(second.url).toBe(first.url);
    await until(() => host.signalingState === 'open' && client.signalingState === 'open', 10_000, 'signaling back');
    await bot.waitFor(/signaling open/, 10_000);
    await pollStatus(second.url, host.code, 200, 10_000);
    expect(hostStates).toEqual(['reconnecting', 'open']);
    expect(clientStates).toEqual(['reconnecting', 'open']);

    const newcomer = track(await connect({ server: second.url, ...fast }).join(host.code, { playerName: 'Late' }));
    await until(() => host.players.size === 4 && client.players.size === 4 && newcomer.players.size === 4, 10_000, 'newcomer everywhere');
    newcomer.onMessage('echo', (d, from) => newcomer.send('echo-reply', d, { to: from }));
    await echo(client, newcomer.selfId, 'client -> newcomer over the new mesh link');
    await echo(newcomer, botId, 'newcomer -> bot over the new mesh link');
    expect(closes).toEqual([]);
    expect(bot.stdout()).not.toContain('close');
  });

  it('a restarted server with another lobby key refuses the code: the host hears lobbyLost and plays on', async () => {
    const first = await server();
    const port = Number(new URL(first.url).port);
    const net = connect({ server: first.url, ...fast });
    const host = track(await net.host({ name: 'Outage', playerName: 'Host' }));
    const client = track(await net.join(host.code, { playerName: 'Client' }));
    client.onMessage('echo', (d, from) => client.send('echo-reply', d, { to: from }));
    first.child.proc.kill('SIGKILL');
    await first.child.exited;
    const lost = nextEvent<[HostmeshError]>((cb) => host.on('lobbyLost', cb), 20_000, 'lobbyLost');
    await server({ port, lobbyKey: 'a-different-lobby-key-987654321' });
    const [error] = await lost;
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.message).toMatch(/newcomers need a new lobby/);
    await echo(host, client.selfId, 'host -> client after lobbyLost');
    expect(host.isClosed || client.isClosed).toBe(false);
  });
});
