/**
 * Seat reconnection with real WebRTC peers (issue 12, item 2). A client in its own process is
 * SIGSTOPped (its link goes silent, no goodbye) and resumed: within the host's grace it gets its
 * seat back (same id, name, seat; the others hear playerDisconnect, then playerReconnect; a full
 * snapshot follows); past the grace the host removes it with reason 'timeout' and, once resumed,
 * it closes with SEAT_LOST. Seat theft: a wrong or replayed seat token is refused, the held seat
 * stays held. Timing constants are shrunk through options (grace 6 s, peer timeout 1.5 s).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, type PlayerInfo, type Session } from '../../sdk/src/node.js';
import { sessionCore } from '../../sdk/src/session/session.js';
import { MsgType } from '../../sdk/src/wire/protocol.js';
import { startServer } from '../../server/src/index.js';
import { openAttacker, type Attacker } from '../helpers/attacker.js';
import { runNode, type Child } from '../helpers/server-bundle.js';
import { echo } from '../helpers/echo.js';
import { nextEvent, until } from '../helpers/wait.js';

const fast = { heartbeatIntervalMs: 250, peerTimeoutMs: 1500 } as const;
const graceMs = 6000;
let server: Awaited<ReturnType<typeof startServer>>;
const cleanup: (() => Promise<void> | void)[] = [];

beforeAll(async () => { server = await startServer({ port: 0, lobbyGraceMs: 500 }); });
afterEach(async () => { for (const c of cleanup.splice(0).reverse()) await c(); });
afterAll(async () => { await server.close(); });

function track<T extends Session>(s: T): T {
  cleanup.push(() => s.leave());
  return s;
}

function childPeer(code: string, name: string): Child {
  const child = runNode('test/helpers/outage-peer.mjs', [server.url, code, name], { HOSTMESH_PEER_OPTIONS: JSON.stringify(fast) });
  cleanup.push(async () => { child.proc.kill('SIGCONT'); child.proc.kill('SIGKILL'); await child.exited; });
  return child;
}

async function game() {
  const host = track(await connect({ server: server.url, ...fast }).host({ name: 'Seats', playerName: 'Host', reconnectGraceMs: graceMs, tickRateHz: 20 }));
  const watcher = track(await connect({ server: server.url, ...fast }).join(host.code, { playerName: 'Watcher' }));
  const bob = childPeer(host.code, 'Bob');
  const bobId = (await bob.waitFor(/joined (\S+)/, 15_000))[1]!;
  await until(() => host.players.size === 3 && watcher.players.size === 3, 10_000, 'three players');
  // Bob's entity and score live in the host's state; they must survive the outage untouched.
  host.setState({ [bobId]: { x: 7, score: 42 }, [watcher.selfId]: { x: 1, score: 3 } });
  const seatBefore = host.players.get(bobId)!;
  return { host, watcher, bob, bobId, seatBefore };
}

/** Freezes the child for `ms` (the scenario itself: a laptop lid, a stopped process), then resumes it. */
async function freeze(child: Child, ms: number): Promise<void> {
  child.proc.kill('SIGSTOP');
  await new Promise((r) => setTimeout(r, ms));
  child.proc.kill('SIGCONT');
}

describe('seat reconnection', () => {
  for (const stoppedMs of [2000, 4000]) {
    it(`a client stopped for ${stoppedMs / 1000} s (SIGSTOP) gets its seat back: same id, name, seat, state`, async () => {
      const { host, watcher, bob, bobId, seatBefore } = await game();
      const events: string[] = [];
      for (const [who, s] of [['host', host], ['watcher', watcher]] as const) {
        s.on('playerDisconnect', (p: PlayerInfo) => events.push(`${who} disconnect ${p.name}`));
        s.on('playerReconnect', (p: PlayerInfo) => events.push(`${who} reconnect ${p.name}`));
        s.on('playerLeave', (p: PlayerInfo) => events.push(`${who} leave ${p.name}`));
      }
      const back = nextEvent<[PlayerInfo]>((cb) => host.on('playerReconnect', cb), stoppedMs + 10_000, 'playerReconnect on the host');
      await freeze(bob, stoppedMs);
      expect((await back)[0]).toEqual(seatBefore);
      await bob.waitFor(/reconnected/, 5000);
      const snap = (await bob.waitFor(/snapshot (.*)/, 5000))[1]!;
      expect(JSON.parse(snap)).toEqual({ x: 7, score: 42 });
      await until(() => events.includes('watcher reconnect Bob'), 5000, 'watcher hears playerReconnect');
      expect(events.filter((e) => e.includes('leave'))).toEqual([]);
      expect(events).toContain('host disconnect Bob');
      expect(events).toContain('watcher disconnect Bob');
      expect(host.players.get(bobId)).toEqual(seatBefore);
      expect(watcher.players.get(bobId)).toEqual(seatBefore);
      await echo(host, bobId, 'host -> Bob after the seat came back');
      await echo(watcher, bobId, 'watcher -> Bob after the seat came back');
      expect(bob.stdout()).not.toContain('close');
    }, 40_000);
  }

  it('a newcomer joining while a seat is held does not wait for the away member, and meshes with it once it is back', async () => {
    const { host, bob, bobId } = await game();
    const held = nextEvent<[PlayerInfo]>((cb) => host.on('playerDisconnect', cb), 10_000, 'seat held');
    bob.proc.kill('SIGSTOP');
    await held;
    const started = Date.now();
    const late = track(await connect({ server: server.url, ...fast }).join(host.code, { playerName: 'Late' }));
    const joinMs = Date.now() - started;
    expect(late.players.has(bobId)).toBe(true); // the held seat is in the roster
    expect(joinMs).toBeLessThan(4000); // not the ~5 s of an offer to a gone peer
    bob.proc.kill('SIGCONT');
    await bob.waitFor(/reconnected/, 10_000);
    await until(() => sessionCore(late).links.has(bobId), 10_000, 'Bob dials the newcomer once back');
    await echo(late, bobId, 'newcomer -> Bob over their mesh link');
  }, 40_000);

  it('a killed client resumes its seat from a new process with its resume token; a used or foreign token is refused with SEAT_LOST', async () => {
    const host = track(await connect({ server: server.url, ...fast }).host({ name: 'Seats', playerName: 'Host', reconnectGraceMs: graceMs }));
    const resumePeer = (args: string[]) => {
      const child = runNode('test/helpers/resume-peer.mjs', [server.url, host.code, ...args]);
      cleanup.push(async () => { child.proc.kill('SIGKILL'); await child.exited; });
      return child;
    };
    const first = resumePeer(['Bob']);
    const [, bobId, seatNo, token] = await first.waitFor(/joined (\S+) (\S+) (\S+)/, 15_000);
    expect(token).toMatch(/^hm1\./);
    const held = nextEvent<[PlayerInfo]>((cb) => host.on('playerDisconnect', cb), 10_000, 'seat held');
    first.proc.kill('SIGKILL'); // as a closed tab: no goodbye
    await held;
    const back = nextEvent<[PlayerInfo]>((cb) => host.on('playerReconnect', cb), 15_000, 'playerReconnect');
    const second = resumePeer(['Bob', token!]);
    const [, id2, seat2, token2] = await second.waitFor(/joined (\S+) (\S+) (\S+)/, 15_000);
    expect([id2, seat2]).toEqual([bobId, seatNo]);
    expect(token2).not.toBe(token);
    expect((await back)[0]).toMatchObject({ id: bobId, name: 'Bob', seat: Number(seatNo) });
    await echo(host, bobId!, 'host -> resumed Bob');
    // The first token was used: a third process presenting it is refused with a typed error.
    const thief = resumePeer(['Eve', token!]);
    expect((await thief.waitFor(/resume-failed (\S+)/, 20_000))[1]).toBe('SEAT_LOST');
    expect(host.players.get(bobId!)?.name).toBe('Bob');
  }, 60_000);

  it('a SIGKILLed host (its own process) with hostMigration off: its clients close with HOST_LEFT once signaling says it is gone, not after the whole grace', async () => {
    const hostProc = runNode('test/helpers/host-peer.mjs', [server.url], { HOSTMESH_HOST_OPTIONS: JSON.stringify({ hostMigration: false }) });
    cleanup.push(async () => { hostProc.proc.kill('SIGKILL'); await hostProc.exited; });
    const [, code] = await hostProc.waitFor(/hosting (\S+) (\S+)/, 15_000);
    const client = track(await connect({ server: server.url, ...fast }).join(code!, { playerName: 'Left behind' }));
    const reconnecting = nextEvent<[]>((cb) => client.on('reconnecting', cb), 10_000, 'reconnecting');
    const closed = nextEvent<[string, { code: string } | undefined]>((cb) => client.on('close', cb), 20_000, 'close');
    const killedAt = Date.now();
    hostProc.proc.kill('SIGKILL');
    await reconnecting;
    const [reason, error] = await closed;
    expect([reason, error?.code]).toEqual(['host-left', 'HOST_LEFT']);
    expect(Date.now() - killedAt).toBeLessThan(30_000); // the host's default grace: 30 s
  }, 40_000);

  it('a client stopped past the grace is removed with reason timeout and, resumed, closes with SEAT_LOST', async () => {
    const { host, watcher, bob, bobId } = await game();
    const left = nextEvent<[PlayerInfo, string]>((cb) => watcher.on('playerLeave', cb), graceMs + 10_000, 'playerLeave after the grace');
    bob.proc.kill('SIGSTOP');
    const [gone, reason] = await left;
    expect([gone.id, reason]).toEqual([bobId, 'timeout']);
    expect(host.players.has(bobId)).toBe(false);
    bob.proc.kill('SIGCONT');
    // Frames the host queued during the stop can arrive first and restart the member's clock; it
    // then knocks for what is left of the grace (6 s), never longer, before SEAT_LOST.
    await bob.waitFor(/close host-left SEAT_LOST/, 15_000);
    expect(host.players.has(bobId)).toBe(false);
  }, 60_000);

  it('seat theft: a wrong, foreign or replayed seat token is refused; the held seat stays held', async () => {
    const host = track(await connect({ server: server.url, ...fast }).host({ name: 'Seats', playerName: 'Host', reconnectGraceMs: 20_000 }));
    const mallory: Attacker = await openAttacker(server.url);
    const thief: Attacker = await openAttacker(server.url);
    cleanup.push(() => { mallory.close(); thief.close(); });
    // Mallory joins as a player at the frame level and keeps the seat token of her WELCOME.
    const tokens: string[] = [];
    const captureWelcome = (link: Parameters<Attacker['onFrame']>[0]) => mallory.onFrame(link, (type, body) => {
      if (type === MsgType.WELCOME) tokens.push((body as { seat: string }).seat);
    });
    const { link } = await mallory.joinAsPlayer(host.code, 'Mallory');
    captureWelcome(link);
    await until(() => host.players.has(mallory.id) && tokens.length === 1, 5000, 'mallory admitted');
    const first = tokens[0]!;
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    // Her link drops without a goodbye: the seat is held.
    const held = nextEvent<[PlayerInfo]>((cb) => host.on('playerDisconnect', cb), 8000, 'held');
    (link as unknown as { channels: { dispose(): void } }).channels.dispose();
    expect((await held)[0].id).toBe(mallory.id);
    const refused = async (a: Attacker, seat: unknown) => a.link(host.selfId, { kind: 'rejoin', seat }).then(() => 'linked', () => 'refused');
    // Another peer with her token (tokens are per id), and Mallory with wrong or malformed tokens.
    const bad = [`${first.slice(0, 31)}${first[31] === '0' ? '1' : '0'}`, first.toUpperCase(), 'x', 42, null, { seat: first }];
    const verdicts = await Promise.all([refused(thief, first), ...bad.map((b) => refused(mallory, b))]);
    expect(verdicts).toEqual(verdicts.map(() => 'refused'));
    expect(host.players.has(mallory.id)).toBe(true);
    // The right token gets the seat back, and a fresh token with it.
    const back = await mallory.link(host.selfId, { kind: 'rejoin', seat: first });
    captureWelcome(back);
    back.sendReliable(MsgType.REJOIN, { seat: first });
    await until(() => tokens.length === 2, 5000, 'second WELCOME');
    expect(tokens[1]).not.toBe(first);
    // Replaying the used token: refused at the offer, and a REJOIN carrying it on a live link is refused too.
    (back as unknown as { channels: { dispose(): void } }).channels.dispose();
    await until(() => sessionCore(host).links.get(mallory.id) === undefined, 8000, 'second drop noticed');
    expect(await refused(mallory, first)).toBe('refused');
    expect(host.players.has(mallory.id)).toBe(true);
  }, 60_000);
});
