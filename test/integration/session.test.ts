/**
 * Sessions against the real server and real WebRTC peers in Node: a host and three joiners by
 * code, membership on every member, messages on both channels, leave and kill, and each
 * admission error with its code. The session suite runs once per topology: a mesh (every member
 * links to every other) and a star (members link to the host only; it relays their messages).
 */
import { spawn } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, HostmeshError, type Session } from '../../sdk/src/node.js';
import { sessionCore } from '../../sdk/src/session/session.js';
import { startServer } from '../../server/src/index.js';
import { nextEvent, until } from '../helpers/wait.js';

let server: Awaited<ReturnType<typeof startServer>>;
const open: Session[] = [];
const fast = { heartbeatIntervalMs: 200, peerTimeoutMs: 1500 } as const;

beforeAll(async () => {
  server = await startServer({ port: 0, lobbyGraceMs: 500, createRatePerMinute: 60 }); // two topologies: twice the lobbies
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

type Topology = 'mesh' | 'star';

async function lobbyOfTopology(n: number, hostOptions: { reconnectGraceMs?: number; hostMigration?: boolean; topology?: Topology } = {}) {
  const net = connect({ server: server.url, ...fast });
  const host = track(await net.host({ name: 'Arena', maxPlayers: 8, playerName: 'Ann', ...hostOptions }));
  const clients: Session[] = [];
  for (let i = 0; i < n; i++) clients.push(track(await net.join(host.code, { playerName: `P${i}` })));
  const all = [host, ...clients];
  const links = (s: Session) => (s.isHost || hostOptions.topology !== 'star' ? n : 1);
  await until(() => all.every((s) => s.players.size === n + 1 && sessionCore(s).links.size === links(s)), 10_000, 'every link up');
  return { net, host, clients, all };
}

describe.each<Topology>(['mesh', 'star'])('sessions (%s)', (topology) => {
  const lobbyOf = (n: number, hostOptions: { reconnectGraceMs?: number; hostMigration?: boolean } = {}) => lobbyOfTopology(n, { ...hostOptions, topology });

  it(topology === 'mesh' ? 'a host and three joiners agree on the players and each pair has a direct link' : 'a host and three joiners agree on the players and each links to the host only', async () => {
    const { host, clients, all } = await lobbyOf(3);
    expect(host.code).toMatch(/^[0-9A-Z]{8}$/);
    expect(host.isHost).toBe(true);
    const ids = [...host.players.keys()].sort();
    for (const s of all) {
      expect([...s.players.keys()].sort()).toEqual(ids);
      expect(s.hostId).toBe(host.selfId);
      const linked = topology === 'mesh' || s.isHost ? ids.filter((id) => id !== s.selfId) : [host.selfId];
      expect([...sessionCore(s).links.keys()].sort()).toEqual(linked.sort());
    }
    for (const c of clients) expect(c.isHost).toBe(false);
    expect(host.players.get(clients[1]!.selfId)?.name).toBe('P1');
    expect(clients[2]!.players.get(host.selfId)).toMatchObject({ name: 'Ann', isHost: true, seat: 0 });
  });

  it('delivers reliable and unreliable messages both ways, to all and to one player', async () => {
    const { host, clients } = await lobbyOf(3);
    const [b, c, d] = clients as [Session, Session, Session];
    const got = new Map<string, unknown[]>();
    for (const s of [host, b, c, d]) {
      s.onMessage('chat', (data, from) => { const key = `${s.selfId}<${from}`; got.set(key, [...(got.get(key) ?? []), data]); });
    }
    host.send('chat', { text: 'to all' });
    b.send('chat', { text: 'b to host' }, { to: host.selfId });
    c.send('chat', { text: 'c to d direct' }, { to: d.selfId });
    // Unreliable on loopback: repeat until one gets through (each copy may be lost in principle).
    await until(() => {
      b.send('chat', { text: 'unreliable' }, { reliable: false, to: host.selfId });
      return (got.get(`${host.selfId}<${b.selfId}`) ?? []).some((m) => (m as { text: string }).text === 'unreliable');
    }, 5000, 'unreliable delivery');
    await until(() => got.size >= 5, 5000, 'all deliveries');
    expect(got.get(`${b.selfId}<${host.selfId}`)).toEqual([{ text: 'to all' }]);
    expect(got.get(`${c.selfId}<${host.selfId}`)).toEqual([{ text: 'to all' }]);
    expect(got.get(`${d.selfId}<${host.selfId}`)).toEqual([{ text: 'to all' }]);
    expect(got.get(`${d.selfId}<${c.selfId}`)).toEqual([{ text: 'c to d direct' }]);
    expect(got.has(`${host.selfId}<${c.selfId}`)).toBe(false); // the direct message did not pass the host
    expect(got.get(`${host.selfId}<${b.selfId}`)?.[0]).toEqual({ text: 'b to host' });
  });

  it('the host relays messages between members whose direct link is gone', async () => {
    const { host, clients } = await lobbyOf(2);
    const [b, c] = clients as [Session, Session];
    if (topology === 'mesh') sessionCore(b).links.get(c.selfId)!.close('local'); // as if the b-c mesh link had failed
    await until(() => !sessionCore(b).links.has(c.selfId) && !sessionCore(c).links.has(b.selfId), 5000, 'b-c link gone');
    const got: [unknown, string][] = [];
    c.onMessage('note', (data, from) => got.push([data, from]));
    b.send('note', { n: 1 }, { to: c.selfId });
    b.send('note', { n: 2 }); // broadcast: host direct, c relayed
    await until(() => got.length === 2, 5000, 'relayed messages');
    expect(got).toEqual([[{ n: 1 }, b.selfId], [{ n: 2 }, b.selfId]]);
    expect(c.players.has(b.selfId)).toBe(true); // membership is the host's call, not the mesh link's
    expect(host.players.size).toBe(3);
  });

  it('a leaving player produces playerLeave on every other member', async () => {
    const { host, clients } = await lobbyOf(2);
    const [b, c] = clients as [Session, Session];
    const onHost = nextEvent<[{ id: string }, string]>((cb) => host.on('playerLeave', cb), 5000, 'host playerLeave');
    const onC = nextEvent<[{ id: string }, string]>((cb) => c.on('playerLeave', cb), 5000, 'c playerLeave');
    await b.leave();
    expect((await onHost)[0].id).toBe(b.selfId);
    expect((await onC)[0].id).toBe(b.selfId);
    expect(host.players.has(b.selfId)).toBe(false);
    expect(c.players.has(b.selfId)).toBe(false);
  });

  it('a killed peer (SIGKILL, no goodbye) is noticed by heartbeat, its seat held, and removed when the grace runs out', async () => {
    const { host, clients } = await lobbyOf(1, { reconnectGraceMs: 1500 });
    const child = spawn(process.execPath, ['test/helpers/bot.mjs', server.url, host.code, 'Bot'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => resolve(d.toString()));
        child.once('exit', (code) => reject(new Error(`bot exited early (${code})`)));
      });
      const botId = /joined (\S+)/.exec(line)![1]!;
      await until(() => host.players.has(botId) && clients[0]!.players.has(botId), 5000, 'bot joined everywhere');
      const dropped = nextEvent<[{ id: string }]>((cb) => clients[0]!.on('playerDisconnect', cb), 8000, 'playerDisconnect after kill');
      const left = nextEvent<[{ id: string }, string]>((cb) => clients[0]!.on('playerLeave', cb), 12_000, 'playerLeave after the grace');
      child.kill('SIGKILL');
      expect((await dropped)[0].id).toBe(botId);
      expect(host.players.has(botId)).toBe(true); // held
      const [gone, reason] = await left;
      expect([gone.id, reason]).toEqual([botId, 'timeout']);
      expect(host.players.has(botId)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('with hostMigration off, the host leaving closes the clients with HOST_LEFT', async () => {
    const { host, clients } = await lobbyOf(1, { hostMigration: false });
    const closed = nextEvent<[string, HostmeshError | undefined]>((cb) => clients[0]!.on('close', cb), 5000, 'client close');
    await host.leave();
    const [reason, error] = await closed;
    expect(reason).toBe('host-left');
    expect(error?.code).toBe('HOST_LEFT');
  });
});

describe('admission errors', () => {
  const reject = async (p: Promise<unknown>) => p.then(() => { throw new Error('expected a rejection'); }, (e: unknown) => e as HostmeshError);

  it('rejects a wrong code with LOBBY_NOT_FOUND', async () => {
    const err = await reject(connect({ server: server.url, ...fast }).join('ZZZZZZ'));
    expect(err).toBeInstanceOf(HostmeshError);
    expect(err.code).toBe('LOBBY_NOT_FOUND');
    expect(err.message).toMatch(/code/i);
  });

  it('rejects a full lobby with LOBBY_FULL and a bad password with BAD_PASSWORD', async () => {
    const net = connect({ server: server.url, ...fast });
    const host = track(await net.host({ maxPlayers: 2, password: 'sesame' }));
    expect((await reject(net.join(host.code, { password: 'wrong' }))).code).toBe('BAD_PASSWORD');
    track(await net.join(host.code.toLowerCase(), { password: 'sesame' }));
    await until(() => host.players.size === 2, 5000, 'second player');
    expect((await reject(net.join(host.code, { password: 'sesame' }))).code).toBe('LOBBY_FULL');
  });

  it('a host can close its lobby to newcomers (LOBBY_CLOSED) and reopen it', async () => {
    const net = connect({ server: server.url, ...fast });
    const host = track(await net.host({ maxPlayers: 4, public: true, name: 'Closable' }));
    const closed = await host.updateLobby({ open: false, name: 'Closed now' });
    expect(closed).toMatchObject({ open: false, name: 'Closed now' });
    expect((await net.lobbies()).some((l) => l.code === host.code)).toBe(false);
    expect((await reject(net.join(host.code))).code).toBe('LOBBY_CLOSED');
    await host.updateLobby({ open: true });
    track(await net.join(host.code));
    await until(() => host.players.size === 2, 5000, 'joined after reopening');
  });

  it('rejects with SERVER_UNREACHABLE when the server is down', async () => {
    const down = await startServer({ port: 0 });
    await down.close();
    const err = await reject(connect({ server: down.url, connectTimeoutMs: 3000 }).join('ABCDEF'));
    expect(err.code).toBe('SERVER_UNREACHABLE');
    expect(err.message).toMatch(/running/);
  });
});
