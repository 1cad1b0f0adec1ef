/**
 * Host migration with real WebRTC peers (issue 12, item 3). The host runs in its own process
 * (test/helpers/migrating-host.mjs: a tick counter, a score per player, a checkpoint) with four
 * members here. SIGKILL (a crash) and SIGTERM (a graceful leave: handover) of the host: every
 * member agrees on one new host (the lowest seat), snapshots resume from it, the state goes on
 * from the last snapshot (the counter never goes back, every score is kept), the checkpoint is
 * there, and a newcomer joins the new host by the same code. A frozen host (SIGSTOP) is replaced
 * too: the server finds its socket does not answer a ping.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Session, type State } from '../../sdk/src/node.js';
import { startServer } from '../../server/src/index.js';
import { runNode, type Child } from '../helpers/server-bundle.js';
import { nextEvent, until } from '../helpers/wait.js';

const fast = { heartbeatIntervalMs: 250, peerTimeoutMs: 3000 } as const;
let server: Awaited<ReturnType<typeof startServer>>;
const cleanup: (() => Promise<void> | void)[] = [];

beforeAll(async () => { server = await startServer({ port: 0, lobbyGraceMs: 15_000 }); });
afterEach(async () => { for (const c of cleanup.splice(0).reverse()) await c(); });
afterAll(async () => { await server.close(); });

function track<T extends Session>(s: T): T {
  cleanup.push(() => s.leave());
  return s;
}

type Scores = Record<string, { score?: number; n?: number }>;

/** A member that, once it hosts, carries the game on from its latest state: the counter ticks on. */
function playOn(session: Session): void {
  session.on('hostChange', () => {
    if (!session.isHost) return;
    const state = structuredClone(session.latestState()) as Scores & State;
    session.on('tick', () => {
      state.clock = { n: (state.clock?.n ?? 0) + 1 };
      session.setState(state);
    });
  });
}

async function game(members: number) {
  const hostProc: Child = runNode('test/helpers/migrating-host.mjs', [server.url], { HOSTMESH_PEER_OPTIONS: JSON.stringify(fast) });
  cleanup.push(async () => { hostProc.proc.kill('SIGCONT'); hostProc.proc.kill('SIGKILL'); await hostProc.exited; });
  const [, code, hostId] = await hostProc.waitFor(/hosting (\S+) (\S+)/, 20_000);
  const others: Session[] = [];
  for (let i = 0; i < members; i++) {
    const s = track(await connect({ server: server.url, ...fast }).join(code!, { playerName: `P${i + 1}` }));
    playOn(s);
    others.push(s);
  }
  await until(() => others.every((o) => o.players.size === members + 1 && others.every((x) => (o.latestState() as Scores)[x.selfId]?.score !== undefined)), 15_000, 'everyone in the state');
  await until(() => others.every((o) => (o.checkpoint as { seed?: number } | undefined)?.seed === 7), 5000, 'the checkpoint at every member');
  return { hostProc, code: code!, hostId: hostId!, others };
}

/** Every member agrees on one new host, the lowest seat; the game goes on from where it was. */
async function expectCarriesOn(others: Session[], hostId: string, code: string, before: Scores[]): Promise<Session> {
  const successor = [...others].sort((a, b) => a.players.get(a.selfId)!.seat - b.players.get(b.selfId)!.seat)[0]!;
  await until(() => others.every((o) => o.hostId === successor.selfId), 20_000, 'every member on the new host');
  expect(successor.isHost).toBe(true);
  expect(others.filter((o) => o.isHost)).toEqual([successor]);
  expect(successor.hostEpoch).toBe(1);
  for (const o of others) expect(o.players.has(hostId)).toBe(false);
  // Snapshots from the new host: the counter goes on from at least where each member saw it, and
  // no score was lost or reset.
  const followers = others.filter((o) => o !== successor);
  await Promise.all(followers.map((o) => nextEvent<[State, number]>((cb) => o.on('snapshot', cb), 10_000, 'a snapshot from the new host')));
  await until(() => followers.every((o, i) => ((o.latestState() as Scores).clock?.n ?? 0) > (before[others.indexOf(o)]!.clock?.n ?? Infinity) && i >= 0), 10_000, 'the counter going on');
  for (const o of others) {
    const now = o.latestState() as Scores;
    for (const x of others) expect(now[x.selfId]?.score, `${x.selfId} at ${o.selfId}`).toBe(before[0]![x.selfId]?.score);
  }
  expect((successor.checkpoint as { seed?: number }).seed).toBe(7);
  // A newcomer joins the new host by the same code.
  const late = track(await connect({ server: server.url, ...fast }).join(code, { playerName: 'Late' }));
  expect(late.hostId).toBe(successor.selfId);
  await until(() => others.every((o) => o.players.has(late.selfId)), 10_000, 'the newcomer announced to everyone');
  return successor;
}

describe('host migration', () => {
  it('SIGKILL of the host process, 4 members: one new host, snapshots resume, state and scores kept, newcomers join it', async () => {
    const { hostProc, code, hostId, others } = await game(4);
    const before = others.map((o) => structuredClone(o.latestState()) as Scores);
    hostProc.proc.kill('SIGKILL');
    await expectCarriesOn(others, hostId, code, before);
  }, 90_000);

  it('a graceful host leave (SIGTERM: handover): the same, and nobody waits for a timeout', async () => {
    const { hostProc, code, hostId, others } = await game(3);
    const reconnecting: string[] = [];
    for (const o of others) o.on('reconnecting', () => reconnecting.push(o.selfId));
    const before = others.map((o) => structuredClone(o.latestState()) as Scores);
    hostProc.proc.kill('SIGTERM');
    await expectCarriesOn(others, hostId, code, before);
    expect(reconnecting).toEqual([]);
  }, 90_000);

  it('a frozen host (SIGSTOP) is replaced once its socket does not answer the server; woken, it learns it was replaced (HOST_CHANGED)', async () => {
    const { hostProc, code, hostId, others } = await game(2);
    const before = others.map((o) => structuredClone(o.latestState()) as Scores);
    hostProc.proc.kill('SIGSTOP');
    await expectCarriesOn(others, hostId, code, before);
    hostProc.proc.kill('SIGCONT');
    // Woken up, the old host finds its lobby taken over: its session ends with HOST_CHANGED.
    await hostProc.waitFor(/close host-left HOST_CHANGED/, 30_000);
    const late = track(await connect({ server: server.url, ...fast }).join(code, { playerName: 'After' }));
    expect(late.hostId).not.toBe(hostId);
  }, 90_000);
});
