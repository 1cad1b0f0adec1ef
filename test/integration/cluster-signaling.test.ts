/**
 * Signaling and lobbies across nodes (issue 16, items 1, 2 and 5): three real server processes
 * on one real redis-server. A lobby created through one node is joined through another and the
 * game plays (the offer, answer and candidates cross nodes through Redis: the nodes' metrics
 * show them routed); peer ids are unique across nodes and a freed id stays reserved for its
 * token on every node; per-address rate limits hold across nodes; signaling to an id that is
 * nowhere is dropped and counted; `/metrics` and `/readyz` answer; a host on one node is
 * killed and a member on another node takes the lobby over (the claim's compare-and-swap and the
 * host's absence are read from Redis), and a newcomer on a third node joins the new host.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Session } from '../../sdk/src/node.js';
import { startCluster, metricsOf, metricValue, type TestCluster } from '../helpers/cluster.js';
import { closeAll, connectRawPeer, openRawPeer, randomPeerId } from '../helpers/server-raw-peer.js';
import { redisMissing } from '../helpers/redis.js';
import { runNode } from '../helpers/server-bundle.js';
import { nextEvent, until } from '../helpers/wait.js';

const fast = { heartbeatIntervalMs: 250, peerTimeoutMs: 4000, signalingRetryMinMs: 100, signalingRetryMaxMs: 1000, connectTimeoutMs: 10_000 } as const;
let cluster: TestCluster | undefined;
const sessions: Session[] = [];

beforeAll(async () => {
  if (redisMissing === undefined) cluster = await startCluster(3, { codeMissesPerMinute: 4, idReservationMs: 30_000 });
}, 60_000);

afterAll(async () => {
  await Promise.all(sessions.map((s) => s.leave().catch(() => {})));
  await cluster?.stop();
}, 30_000);

function track<T extends Session>(s: T): T {
  sessions.push(s);
  return s;
}

async function echoBetween(a: Session, b: Session): Promise<void> {
  const n = Math.random();
  const got = nextEvent<[unknown]>((cb) => a.onMessage('pong', (d) => { if ((d as { n: number }).n === n) cb(d); }), 5000, 'pong');
  a.send('ping', { n }, { to: b.selfId });
  await got;
}

describe.skipIf(redisMissing !== undefined)(`three nodes on Redis${redisMissing === undefined ? '' : ` (skipped: ${redisMissing})`}`, () => {
  it('a lobby created through node 1 is found and joined through nodes 2 and 3, and the game plays across nodes', async () => {
    const [n1, n2, n3] = cluster!.nodes;
    const before = await Promise.all([n1!, n2!, n3!].map(async (n) => metricValue(await metricsOf(n.url), 'hostmesh_signaling_routed_total', { direction: 'out' })));
    const host = track(await connect({ server: n1!.url, ...fast }).host({ name: 'Across', maxPlayers: 4, public: true, playerName: 'Host' }));
    const listed = await (await fetch(`${n3!.url}/api/lobbies`)).json() as { lobbies: { code: string }[] };
    expect(listed.lobbies.map((l) => l.code)).toContain(host.code);
    const b = track(await connect({ server: n2!.url, ...fast }).join(host.code, { playerName: 'Bea' }));
    const c = track(await connect({ server: n3!.url, ...fast }).join(host.code, { playerName: 'Cid' }));
    for (const s of [host, b, c]) s.onMessage('ping', (d, from) => s.send('pong', d, { to: from }));
    await until(() => host.players.size === 3 && b.players.size === 3 && c.players.size === 3, 15_000, 'three players in every view');
    await echoBetween(b, host);
    await echoBetween(c, b); // the mesh link between the two joiners was signaled node 2 <-> node 3
    host.setState({ flag: { x: 7 } });
    await until(() => (b.getState() as { flag?: { x: number } }).flag?.x === 7, 10_000, 'replicated state reaches node 2\'s player');
    const after = await Promise.all([n1!, n2!, n3!].map(async (n) => metricValue(await metricsOf(n.url), 'hostmesh_signaling_routed_total', { direction: 'out' })));
    // Every node sent signaling to another node: none of it went through a shared process.
    for (const [i, value] of after.entries()) expect(value, `node ${i + 1} routed out`).toBeGreaterThan(before[i]!);
    const text = await metricsOf(n2!.url);
    expect(metricValue(text, 'hostmesh_signaling_messages_total', { type: 'OFFER' })).toBeGreaterThan(0);
    expect(metricValue(text, 'hostmesh_api_requests_total', { route: 'join' })).toBeGreaterThan(0);
    expect(text).toMatch(/hostmesh_redis_seconds_bucket\{[^}]*op="route"/);
    expect(metricValue(text, 'hostmesh_lobbies')).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${n2!.url}/readyz`)).status).toBe(200);
  });

  it('peer ids are unique across nodes, and a freed id stays reserved for its token on every node', async () => {
    const [n1, n2, n3] = cluster!.nodes;
    const id = randomPeerId('dup');
    const owner = await connectRawPeer(n1!.url, id, 'owner-token');
    const thief = await openRawPeer(n2!.url, id, 'thief-token');
    const refusal = await thief.next((m) => m.type === 'ERROR');
    expect(String((refusal.payload as { msg: string }).msg)).toMatch(/connected to another server node/);
    await thief.closed;
    await closeAll([owner]);
    const deadline = Date.now() + 5000;
    let reserved = false;
    while (!reserved && Date.now() < deadline) {
      const again = await openRawPeer(n3!.url, id, 'thief-token');
      const first = await again.next((m) => m.type === 'OPEN' || m.type === 'ERROR');
      reserved = first.type === 'ERROR' && /reserved for its previous owner/.test(String((first.payload as { msg: string }).msg));
      await closeAll([again]);
    }
    expect(reserved).toBe(true);
    const back = await connectRawPeer(n2!.url, id, 'owner-token'); // the owner comes back on another node
    await closeAll([back]);
  });

  it('signaling to an id that is on no node is dropped and counted; a frame to a peer on another node arrives with its src', async () => {
    const [n1, n2] = cluster!.nodes;
    const a = await connectRawPeer(n1!.url);
    const b = await connectRawPeer(n2!.url);
    const droppedBefore = metricValue(await metricsOf(n1!.url), 'hostmesh_signaling_dropped_total', { reason: 'nowhere' });
    a.send({ type: 'OFFER', dst: randomPeerId('nobody'), payload: { sdp: 'x' } });
    const deadline = Date.now() + 5000;
    let dropped = droppedBefore;
    while (dropped === droppedBefore && Date.now() < deadline) {
      dropped = metricValue(await metricsOf(n1!.url), 'hostmesh_signaling_dropped_total', { reason: 'nowhere' });
    }
    expect(dropped).toBe(droppedBefore + 1);
    a.send({ type: 'CANDIDATE', dst: b.id, payload: { candidate: 'c1' }, src: 'spoofed' } as never);
    const got = await b.next((m) => m.type === 'CANDIDATE');
    expect(got).toEqual({ type: 'CANDIDATE', src: a.id, dst: b.id, payload: { candidate: 'c1' } });
    await closeAll([a, b]);
  });

  it('a host on node 1 is killed: members on nodes 2 and 3 elect one of them, which takes the lobby over; a newcomer on node 3 joins it', async () => {
    const [n1, n2, n3] = cluster!.nodes;
    const hostProc = runNode('test/helpers/migrating-host.mjs', [n1!.url], { HOSTMESH_PEER_OPTIONS: JSON.stringify(fast) });
    try {
      const [, code, hostId] = await hostProc.waitFor(/hosting (\S+) (\S+)/, 20_000);
      const a = track(await connect({ server: n2!.url, ...fast }).join(code!, { playerName: 'A' }));
      const b = track(await connect({ server: n3!.url, ...fast }).join(code!, { playerName: 'B' }));
      await until(() => a.players.size === 3 && b.players.size === 3, 15_000, 'both members in');
      await until(() => (a.checkpoint as { seed?: number } | undefined)?.seed === 7 && (b.checkpoint as { seed?: number } | undefined)?.seed === 7, 10_000, 'checkpoints');
      hostProc.proc.kill('SIGKILL');
      await hostProc.exited;
      const successor = a.players.get(a.selfId)!.seat < b.players.get(b.selfId)!.seat ? a : b;
      await until(() => a.hostId === successor.selfId && b.hostId === successor.selfId, 25_000, 'both on the new host');
      expect(successor.isHost).toBe(true);
      expect(successor.hostEpoch).toBe(1);
      expect(a.players.has(hostId!)).toBe(false);
      const late = track(await connect({ server: n3!.url, ...fast }).join(code!, { playerName: 'Late' }));
      expect(late.hostId).toBe(successor.selfId);
      await until(() => a.players.has(late.selfId) && b.players.has(late.selfId), 15_000, 'newcomer announced');
    } finally {
      hostProc.proc.kill('SIGKILL');
      await hostProc.exited;
    }
  });

  it('wrong join codes are limited per address across nodes, not per node', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const node = cluster!.nodes[i % 3]!;
      statuses.push((await fetch(`${node.url}/api/lobbies/ZZZZZZZ${i}`)).status);
    }
    // codeMissesPerMinute is 4: two misses on each of two nodes spend it; every node then refuses.
    expect(statuses.slice(0, 4)).toEqual([404, 404, 404, 404]);
    expect(statuses.slice(4)).toEqual([429, 429]);
    const text = await metricsOf(cluster!.nodes[1]!.url);
    expect(metricValue(text, 'hostmesh_api_rejections_total', { route: 'lookup', code: 'RATE_LIMITED' })).toBeGreaterThanOrEqual(1);
  });
});
