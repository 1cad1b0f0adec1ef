/**
 * Spectators against the real server and real WebRTC peers in Node: capacity apart from the
 * players' (lobby `maxSpectators`), lobby lists with spectator counts, snapshots and messages
 * reaching them, inputs refused at the client and counted and dropped at the host, and the
 * roster every member keeps (never in `players`, so an election over players never picks one).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, HostmeshError, type Session } from '../../sdk/src/node.js';
import { sessionCore } from '../../sdk/src/session/session.js';
import { MsgType } from '../../sdk/src/wire/protocol.js';
import { startServer } from '../../server/src/index.js';
import { nextEvent, until } from '../helpers/wait.js';

let server: Awaited<ReturnType<typeof startServer>>;
const open: Session[] = [];
const fast = { heartbeatIntervalMs: 200, peerTimeoutMs: 1500 } as const;

beforeAll(async () => {
  server = await startServer({ port: 0, lobbyGraceMs: 500 });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.leave()));
});
afterAll(async () => {
  await server.close();
});

function track<T extends Session>(s: T): T {
  open.push(s);
  return s;
}

async function rejection(p: Promise<unknown>): Promise<HostmeshError> {
  try { await p; } catch (err) { return err as HostmeshError; }
  throw new Error('expected a rejection');
}

describe('spectators', () => {
  it('take no player seat, have their own capacity, and show in the lobby list', async () => {
    const net = connect({ server: server.url, ...fast });
    const host = track(await net.host({ name: 'Watched', maxPlayers: 2, maxSpectators: 2, public: true, playerName: 'Ann' }));
    const bob = track(await net.join(host.code, { playerName: 'Bob' }));
    const s1 = track(await net.join(host.code, { playerName: 'Sue', spectator: true }));
    const s2 = track(await net.join(host.code, { playerName: 'Sam', spectator: true }));
    await until(() => host.spectators.size === 2 && bob.spectators.size === 2 && s1.spectators.size === 2, 5000, 'spectators everywhere');
    expect((await rejection(net.join(host.code, { playerName: 'Too many', spectator: true }))).code).toBe('LOBBY_FULL');
    expect((await rejection(net.join(host.code, { playerName: 'Carl' }))).code).toBe('LOBBY_FULL'); // the players' seats are full: spectators did not take them
    for (const s of [host, bob, s1, s2]) {
      expect([...s.players.keys()].sort()).toEqual([host.selfId, bob.selfId].sort());
      expect([...s.spectators.keys()].sort()).toEqual([s1.selfId, s2.selfId].sort());
      expect(s.spectators.get(s1.selfId)).toMatchObject({ name: 'Sue', spectator: true, seat: -1, isHost: false });
    }
    expect(s1.isSpectator).toBe(true);
    expect(bob.isSpectator).toBe(false);
    // A spectator links to the host only, even in a mesh; players keep their direct link.
    expect([...sessionCore(s1).links.keys()]).toEqual([host.selfId]);
    expect([...sessionCore(bob).links.keys()]).toEqual([host.selfId]);
    let listed = (await net.lobbies()).find((l) => l.code === host.code);
    for (let i = 0; i < 50 && listed?.spectators !== 2; i++) { // the host reports counts asynchronously
      await new Promise((r) => setTimeout(r, 100));
      listed = (await net.lobbies()).find((l) => l.code === host.code);
    }
    expect(listed).toMatchObject({ players: 2, maxPlayers: 2, spectators: 2, maxSpectators: 2 });
    // One leaves: the others hear it as a spectator leaving, not a player.
    const gone = nextEvent<[{ id: string }, string]>((cb) => bob.on('spectatorLeave', cb), 5000, 'spectatorLeave');
    let playerLeft = false;
    bob.on('playerLeave', () => { playerLeft = true; });
    await s2.leave();
    expect((await gone)[0].id).toBe(s2.selfId);
    expect(playerLeft).toBe(false);
    await until(() => host.spectators.size === 1, 5000, 'host forgot the spectator');
    track(await net.join(host.code, { playerName: 'Sam again', spectator: true })); // the freed place is usable
  });

  it('receive snapshots and messages; their inputs are refused locally and counted and dropped by the host', async () => {
    const net = connect({ server: server.url, ...fast });
    const host = track(await net.host({ name: 'Watched', maxPlayers: 4, playerName: 'Ann' }));
    const bob = track(await net.join(host.code, { playerName: 'Bob' }));
    const sue = track(await net.join(host.code, { playerName: 'Sue', spectator: true }));
    const inputs: [unknown, string][] = [];
    host.onInput((input, from) => inputs.push([input, from]));
    host.setState({ board: { cells: [[1, 0], [0, 2]], turn: 'p1' } });
    await until(() => (sue.latestState().board as { turn?: string } | undefined)?.turn === 'p1', 5000, 'snapshot at the spectator');
    const got: [unknown, string][] = [];
    sue.onMessage('chat', (d, from) => got.push([d, from]));
    host.send('chat', { text: 'from host' });
    bob.send('chat', { text: 'from bob' }); // bob has no link to a spectator: the host relays
    await until(() => got.length === 2, 5000, 'messages at the spectator');
    expect(got).toContainEqual([{ text: 'from bob' }, bob.selfId]);
    expect(() => sue.sendInput({ move: 1 })).toThrow(/spectators watch/);
    // A spectator that sends INPUT anyway (a modified client): the host counts and drops it.
    const link = sessionCore(sue).links.get(host.selfId)!;
    for (let s = 1; s <= 5; s++) link.sendUnreliable(MsgType.INPUT, { s, i: [{ move: s }] });
    bob.sendInput({ move: 'bob' });
    await until(() => inputs.length >= 1 && (host.stats()[sue.selfId]?.inputsDropped ?? 0) >= 3, 5000, 'inputs counted');
    expect(inputs.every(([, from]) => from === bob.selfId)).toBe(true);
  });

  it('the host can kick a spectator; a full spectator capacity of 0 refuses them all', async () => {
    const net = connect({ server: server.url, ...fast });
    const host = track(await net.host({ name: 'No audience', maxPlayers: 4, maxSpectators: 0, playerName: 'Ann' }));
    expect((await rejection(net.join(host.code, { spectator: true }))).code).toBe('LOBBY_FULL');
    const host2 = track(await net.host({ name: 'Audience', maxPlayers: 4, playerName: 'Ann' }));
    const sue = track(await net.join(host2.code, { playerName: 'Sue', spectator: true }));
    await until(() => host2.spectators.has(sue.selfId), 5000, 'spectator in');
    const closed = nextEvent<[string, HostmeshError | undefined]>((cb) => sue.on('close', cb), 5000, 'spectator closed');
    host2.kick(sue.selfId);
    const [reason, error] = await closed;
    expect(reason).toBe('kicked');
    expect(error?.code).toBe('KICKED');
    await until(() => host2.spectators.size === 0, 5000, 'spectator removed');
  });

  it('a host migration elects a player, never a spectator, even one that joined first; the spectator follows and keeps watching', async () => {
    const net = connect({ server: server.url, ...fast });
    const host = await net.host({ name: 'Migrating', maxPlayers: 4, playerName: 'Ann' });
    const sue = track(await net.join(host.code, { playerName: 'Sue', spectator: true })); // before any player
    const bob = track(await net.join(host.code, { playerName: 'Bob' }));
    const cat = track(await net.join(host.code, { playerName: 'Cat' }));
    await until(() => [bob, cat, sue].every((s) => s.players.size === 3 && s.spectators.size === 1), 5000, 'everyone in');
    let sueHosted = false;
    sue.on('hostChange', () => { sueHosted ||= sue.isHost; });
    const changed = nextEvent<[string]>((cb) => cat.on('hostChange', cb), 15_000, 'hostChange at Cat');
    await host.leave(); // a graceful leave hands the session over to the lowest seat
    expect((await changed)[0]).toBe(bob.selfId);
    await until(() => bob.isHost, 5000, 'Bob hosts');
    expect(sue.isHost).toBe(false);
    expect(sueHosted).toBe(false);
    expect(bob.players.has(sue.selfId)).toBe(false);
    // The spectator follows the new host and keeps watching: still a spectator, snapshots from Bob.
    await until(() => sue.hostId === bob.selfId && !sue.isClosed, 10_000, 'the spectator follows Bob');
    expect(bob.spectators.has(sue.selfId)).toBe(true);
    bob.setState({ after: { n: 42 } });
    await until(() => (sue.latestState().after as { n?: number } | undefined)?.n === 42, 10_000, "Bob's snapshot at the spectator");
    expect(sue.isSpectator).toBe(true);
  });
});
