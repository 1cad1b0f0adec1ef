/**
 * hostmesh/testing: real sessions over the in-memory network. Joining, admission errors,
 * messages, replication with inputs and prediction, a frozen player noticed by heartbeat, and
 * the same run on vitest's fake timers (a controllable clock: no real waiting).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestNetwork, type TestNetwork } from '../../sdk/src/testing.js';
import { HostmeshError, type Session, type State } from '../../sdk/src/index.js';
import { nextEvent, until } from '../helpers/wait.js';

const open: Session[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(open.splice(0).map((s) => s.leave()));
});
const keep = <S extends Session>(s: S): S => { open.push(s); return s; };

async function codeOf(p: Promise<unknown>): Promise<string> {
  try { await p; return 'resolved'; } catch (err) { return err instanceof HostmeshError ? err.code : String(err); }
}

type Move = { dx: number };
const applyInput = (e: { x?: unknown }, input: Move) => ({ ...e, x: Number(e.x ?? 0) + input.dx });

describe('createTestNetwork', () => {
  it('hosts, joins by a sloppy code, messages both ways, replicates and leaves', async () => {
    const net: TestNetwork = createTestNetwork();
    const host = keep(await net.connect().host({ name: 'arena', maxPlayers: 3, public: true, playerName: 'Ann' }));
    const bob = keep(await net.connect().join(` ${host.code.toLowerCase().slice(0, 3)}-${host.code.slice(3)} `, { playerName: 'Bob' }));
    expect([...bob.players.values()].map((p) => p.name).sort()).toEqual(['Ann', 'Bob']);
    expect(net.lobbies()).toMatchObject([{ code: host.code, players: 2, maxPlayers: 3, open: true }]);

    const hi = nextEvent<[unknown, string]>((cb) => host.onMessage('hi', cb));
    bob.send('hi', { n: 1 });
    expect(await hi).toEqual([{ n: 1 }, bob.selfId]);

    const world: State = { [bob.selfId]: { x: 0 } };
    host.onInput<Move>((input, from) => { world[from] = applyInput(world[from] ?? {}, input); host.setState(world); });
    host.setState(world);
    bob.sendInput({ dx: 5 });
    await until(() => bob.latestState()[bob.selfId]?.x === 5, 5000, 'the input applied and replicated');

    const left = nextEvent<[{ name: string }, string]>((cb) => host.on('playerLeave', cb));
    await bob.leave();
    expect((await left)[0].name).toBe('Bob');
  });

  it('a dropped player gets back into its held seat; a host without signaling keeps its players but admits nobody', async () => {
    const net = createTestNetwork();
    const fast = { heartbeatIntervalMs: 100, peerTimeoutMs: 1000, connectTimeoutMs: 2000 };
    const host = keep(await net.connect(fast).host({ playerName: 'Ann' }));
    const bob = keep(await net.connect(fast).join(host.code, { playerName: 'Bob' }));
    const away = nextEvent<[{ id: string }]>((cb) => host.on('playerDisconnect', cb));
    const back = nextEvent<[{ id: string }]>((cb) => host.on('playerReconnect', cb));
    net.disconnect(bob.selfId);
    expect((await away)[0].id).toBe(bob.selfId);
    expect((await back)[0].id).toBe(bob.selfId);
    expect(bob.isClosed).toBe(false);
    expect([...host.players.values()].map((p) => p.name).sort()).toEqual(['Ann', 'Bob']);

    net.loseSignaling(host.selfId);
    expect(await codeOf(net.connect(fast).join(host.code))).toBe('HOST_GONE');
    bob.send('still', 1);
    expect((await nextEvent<[unknown, string]>((cb) => host.onMessage('still', cb)))[1]).toBe(bob.selfId);
  });

  it('admits as the server does: unknown code, wrong password, full, closed, invalid options', async () => {
    const net = createTestNetwork();
    expect(await codeOf(net.connect().join('NOPE42'))).toBe('LOBBY_NOT_FOUND');
    expect(await codeOf(net.connect().host({ maxPlayers: 1 }))).toBe('BAD_REQUEST');
    const host = keep(await net.connect().host({ maxPlayers: 2, password: 'pw' }));
    expect(await codeOf(net.connect().join(host.code, { password: 'no' }))).toBe('BAD_PASSWORD');
    keep(await net.connect().join(host.code, { password: 'pw' }));
    await until(() => net.lobbies()[0]?.players === 2, 5000, 'the host reporting 2 players');
    expect(await codeOf(net.connect().join(host.code, { password: 'pw' }))).toBe('LOBBY_FULL');
    await host.updateLobby({ open: false });
    expect(await codeOf(net.connect().join(host.code, { password: 'pw' }))).toBe('LOBBY_CLOSED');
  });

  it('runs on fake timers: ticks, prediction and a frozen player, with no real waiting', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance', 'Date'] });
    const net = createTestNetwork({ latencyMs: 20 });
    const fast = { heartbeatIntervalMs: 200, peerTimeoutMs: 2000 };
    const hostP = net.connect(fast).host({ tickRateHz: 20, reconnectGraceMs: 0 }); // no held seat: a frozen player goes at the timeout
    await vi.advanceTimersByTimeAsync(10);
    const host = keep(await hostP);
    const joinP = net.connect(fast).join(host.code);
    await vi.advanceTimersByTimeAsync(500);
    const bob = keep(await joinP);

    let ticks = 0;
    host.on('tick', () => { ticks++; });
    const world: State = { [bob.selfId]: { x: 0 } };
    host.onInput<Move>((input, from) => { world[from] = applyInput(world[from] ?? {}, input); host.setState(world); });
    host.setState(world);
    bob.setPrediction<Move>({ applyInput });
    await vi.advanceTimersByTimeAsync(1000);
    expect(ticks).toBeGreaterThanOrEqual(19);
    expect(ticks).toBeLessThanOrEqual(21);

    bob.sendInput({ dx: 3 });
    expect(bob.getState()[bob.selfId]?.x).toBe(3); // predicted at once, before any snapshot
    await vi.advanceTimersByTimeAsync(300);
    expect(bob.latestState()[bob.selfId]?.x).toBe(3); // and confirmed by the host

    const gone = nextEvent<[{ id: string }, string]>((cb) => host.on('playerLeave', cb), 60_000);
    net.freeze(bob.selfId);
    await vi.advanceTimersByTimeAsync(1500);
    expect(host.players.has(bob.selfId)).toBe(true); // not yet: within the peer timeout
    await vi.advanceTimersByTimeAsync(1500);
    expect((await gone)[0].id).toBe(bob.selfId);
    const leaving = Promise.all(open.splice(0).map((s) => s.leave()));
    await vi.advanceTimersByTimeAsync(500);
    await leaving;
  });
});
