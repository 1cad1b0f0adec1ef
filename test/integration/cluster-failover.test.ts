/**
 * Node failure and Redis outage behind a real load balancer (issue 16, items 3 and 4): three
 * server processes behind nginx (WebSockets included) on one real redis-server, every player
 * reaching the servers only through nginx. One node is killed with SIGKILL: games whose peers
 * are on other nodes never notice, and the hosts that were on the dead node reconnect through
 * nginx to another node and get their lobbies back under the same codes (0 lobbies lost);
 * a newcomer joins one of those by its code. Then Redis stops answering (SIGSTOP): running
 * games play on, a new join fails with the typed, retryable SERVICE_UNAVAILABLE and /readyz
 * says 503, and once Redis answers again (SIGCONT) the same code admits a newcomer.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, HostmeshError, type Session } from '../../sdk/src/node.js';
import { startCluster, type TestCluster } from '../helpers/cluster.js';
import { nginxMissing } from '../helpers/nginx.js';
import { redisMissing } from '../helpers/redis.js';
import { nextEvent, until } from '../helpers/wait.js';

const skip = redisMissing ?? nginxMissing;
const fast = { heartbeatIntervalMs: 250, peerTimeoutMs: 4000, signalingRetryMinMs: 100, signalingRetryMaxMs: 1000, connectTimeoutMs: 10_000 } as const;
let cluster: TestCluster | undefined;
let redis: Redis | undefined;
const sessions: Session[] = [];

beforeAll(async () => {
  if (skip !== undefined) return;
  cluster = await startCluster(3, { presenceTtlMs: 3000, lobbyTtlMs: 20_000, lobbyGraceMs: 30_000, joinRatePerMinute: 600, createRatePerMinute: 600, lookupRatePerMinute: 6000 }, true);
  redis = new Redis(cluster.redis.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
  await redis.connect();
}, 60_000);

afterAll(async () => {
  if (redisPidValue !== 0) {
    try { process.kill(redisPidValue, 'SIGCONT'); } catch { /* already gone */ }
  }
  await Promise.all(sessions.map((s) => s.leave().catch(() => {})));
  redis?.disconnect();
  await cluster?.stop();
}, 30_000);

let redisPidValue = 0;

function track<T extends Session>(s: T): T {
  sessions.push(s);
  s.onMessage('ping', (d, from) => s.send('pong', d, { to: from }));
  return s;
}

async function echoBetween(a: Session, b: Session, label: string): Promise<void> {
  const n = Math.random();
  const got = nextEvent<[unknown]>((cb) => a.onMessage('pong', (d) => { if ((d as { n: number }).n === n) cb(d); }), 5000, label);
  a.send('ping', { n }, { to: b.selfId });
  await got;
}

async function nodeOf(peerId: string): Promise<string | undefined> {
  const value = await redis!.get(`hostmesh:peer:${peerId}`);
  return value?.split(' ')[0];
}

async function status(url: string, code: string): Promise<number> {
  try {
    return (await fetch(`${url}/api/lobbies/${code}`)).status;
  } catch {
    return 0;
  }
}

interface Game { host: Session; player: Session; node: string }

describe.skipIf(skip !== undefined)(`three nodes behind nginx on Redis${skip === undefined ? '' : ` (skipped: ${skip})`}`, () => {
  it('kill -9 one node: other games are untouched, its hosts come back on other nodes with the same codes, a newcomer joins', async () => {
    const lb = cluster!.lb!.url;
    const games: Game[] = [];
    // nginx balances round robin per request, and a game makes six (config, socket, create, and
    // the same for the player): one extra request per game moves the next host to another node.
    while (games.length < 3 || new Set(games.map((g) => g.node)).size < 2) {
      if (games.length >= 9) throw new Error(`every host landed on one node: ${games.map((g) => g.node).join(', ')}`);
      await fetch(`${lb}/healthz`);
      const host = track(await connect({ server: lb, ...fast }).host({ name: `Game ${games.length}`, playerName: 'Host' }));
      const player = track(await connect({ server: lb, ...fast }).join(host.code, { playerName: 'Player' }));
      const node = await nodeOf(host.selfId);
      expect(node).toBeDefined();
      games.push({ host, player, node: node! });
    }
    const victimId = games[0]!.node;
    const victim = cluster!.nodes[cluster!.nodeIds.indexOf(victimId)]!;
    const onVictim = games.filter((g) => g.node === victimId);
    const elsewhere = games.filter((g) => g.node !== victimId);
    expect(elsewhere.length).toBeGreaterThan(0);
    const closes: string[] = [];
    for (const g of games) for (const s of [g.host, g.player]) s.on('close', (reason) => closes.push(reason));

    victim.child.proc.kill('SIGKILL');
    await victim.child.exited;
    const killedAt = Date.now();

    // Play goes on in every game, and the lobbies of hosts on live nodes answer all along.
    while (Date.now() - killedAt < 4000) {
      for (const g of games) await echoBetween(g.player, g.host, `echo in lobby ${g.host.code}`);
      for (const g of elsewhere) expect(await status(lb, g.host.code), `lobby ${g.host.code} on a live node`).toBe(200);
    }
    // The dead node's hosts reconnect through nginx to a live node and re-register their codes.
    for (const g of onVictim) {
      await until(() => g.host.signalingState === 'open', 15_000, `host of ${g.host.code} back on signaling`);
      const deadline = Date.now() + 15_000;
      while ((await status(lb, g.host.code)) !== 200) {
        if (Date.now() > deadline) throw new Error(`lobby ${g.host.code} never came back`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const node = await nodeOf(g.host.selfId);
      expect(node).toBeDefined();
      expect(node).not.toBe(victimId);
    }
    const lost: string[] = [];
    for (const g of games) if ((await status(lb, g.host.code)) !== 200) lost.push(g.host.code);
    expect(lost).toEqual([]);
    const comeback = onVictim[0]!;
    const newcomer = track(await connect({ server: lb, ...fast }).join(comeback.host.code, { playerName: 'Late' }));
    await until(() => comeback.host.players.size === 3 && newcomer.players.size === 3, 15_000, 'newcomer in the restored lobby');
    await echoBetween(newcomer, comeback.player, 'newcomer -> player over the new mesh link');
    expect(closes).toEqual([]);
  });

  it('Redis stops answering: games play on, a new join fails with SERVICE_UNAVAILABLE and /readyz is 503; it admits again once Redis is back', async () => {
    const lb = cluster!.lb!.url;
    const host = track(await connect({ server: lb, ...fast }).host({ name: 'Outage', playerName: 'Host' }));
    const player = track(await connect({ server: lb, ...fast }).join(host.code, { playerName: 'Player' }));
    await until(() => host.players.size === 2, 10_000, 'two players');
    const pid = Number((await redis!.info('server')).match(/process_id:(\d+)/)![1]);
    redisPidValue = pid;
    process.kill(pid, 'SIGSTOP');
    try {
      await echoBetween(player, host, 'echo while Redis is stopped');
      const refused = await connect({ server: lb, ...fast }).join(host.code, { playerName: 'Blocked' }).then(() => undefined, (err: unknown) => err);
      expect(refused).toBeInstanceOf(HostmeshError);
      expect((refused as HostmeshError).code).toBe('SERVICE_UNAVAILABLE');
      expect((await fetch(`${lb}/readyz`)).status).toBe(503);
      expect((await fetch(`${lb}/healthz`)).status).toBe(200);
      await echoBetween(host, player, 'echo after the refused join');
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const deadline = Date.now() + 10_000;
    while ((await fetch(`${lb}/readyz`)).status !== 200) {
      if (Date.now() > deadline) throw new Error('/readyz never came back');
      await new Promise((r) => setTimeout(r, 100));
    }
    const late = track(await connect({ server: lb, ...fast }).join(host.code, { playerName: 'Late' }));
    await until(() => host.players.size === 3 && late.players.size === 3, 15_000, 'newcomer after the outage');
    await echoBetween(late, player, 'newcomer -> player');
  });
});
