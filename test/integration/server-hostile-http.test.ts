/**
 * Hostile HTTP clients against the real server from many loopback source addresses: idle and
 * slow connections, the TCP caps (per address, and global with room for newcomers), password
 * guessing (lockout, server budget, CPU), join-code guessing (per address, global, every route),
 * the paginated and rate-limited lobby list, the config rate limit, name cleaning.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/src/index.js';
import { httpFrom, loopback } from '../helpers/server-attack.js';
import { closeAll, connectRawPeer, type RawPeer } from '../helpers/server-raw-peer.js';

function rawTcp(port: number, localAddress: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, localAddress }, () => resolve(s));
    s.on('error', reject);
    // Read (and drop) what arrives, so that the server's FIN is seen and the socket closes.
    s.resume();
  });
}

const closedWithin = (s: Socket, ms: number) => new Promise<boolean>((resolve) => {
  if (s.destroyed) { resolve(true); return; }
  const t = setTimeout(() => resolve(false), ms);
  s.once('close', () => { clearTimeout(t); resolve(true); });
});

async function lobbyOf(srv: RunningServer, host: RawPeer, extra: Record<string, unknown> = {}) {
  const res = await httpFrom(undefined, srv.url, 'POST', '/api/lobbies', { name: 'L', maxPlayers: 8, public: true, hostPeerId: host.id, hostPeerToken: host.token, ...extra });
  expect(res.status, res.text).toBe(201);
  return res.body as { lobby: { code: string; name: string }; hostSecret: string };
}

describe('TCP connections', () => {
  it('caps idle connections per address, times them out, and serves other addresses meanwhile', async () => {
    const srv = await startServer({ port: 0, maxHttpConnectionsPerIp: 20, headersTimeoutMs: 600, requestTimeoutMs: 1000 });
    try {
      const idle: Socket[] = [];
      for (let i = 0; i < 20; i++) idle.push(await rawTcp(srv.port, '127.0.5.1'));
      const extra = await rawTcp(srv.port, '127.0.5.1');
      expect(await closedWithin(extra, 2000)).toBe(true);
      expect((await httpFrom('127.0.5.2', srv.url, 'GET', '/healthz')).status).toBe(200);
      const honest = await connectRawPeer(srv.url, undefined, undefined, { localAddress: '127.0.5.3' });
      // Idle sockets (no request at all) and a slowloris one (headers never finished) are closed by the timeouts.
      const slow = await rawTcp(srv.port, '127.0.5.4');
      slow.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
      const slowTimer = setInterval(() => { if (!slow.destroyed) slow.write('X-a: b\r\n'); }, 100);
      const results = await Promise.all([...idle, slow].map((s) => closedWithin(s, 10_000)));
      clearInterval(slowTimer);
      expect(results.map((closed, i) => (closed ? 'closed' : `socket ${i} open`)).filter((r) => r !== 'closed')).toEqual([]);
      expect(honest.ws.readyState).toBe(honest.ws.OPEN);
      await closeAll([honest]);
    } finally {
      await srv.close();
    }
  });

  it('a full server makes room for a newcomer from the address holding the most', async () => {
    const srv = await startServer({ port: 0, maxHttpConnections: 40, maxHttpConnectionsPerIp: 10, headersTimeoutMs: 30_000 });
    try {
      const held: Socket[] = [];
      for (let i = 0; i < 50; i++) {
        const s = await rawTcp(srv.port, loopback(i % 5, 6));
        s.on('error', () => {});
        held.push(s);
      }
      await new Promise((r) => setTimeout(r, 100));
      expect(held.filter((s) => !s.destroyed).length).toBeLessThanOrEqual(40);
      for (let i = 0; i < 10; i++) expect((await httpFrom(loopback(i, 8), srv.url, 'GET', '/healthz')).status).toBe(200);
      for (const s of held) s.destroy();
    } finally {
      await srv.close();
    }
  });
});

describe('password guessing', () => {
  let srv: RunningServer;
  let host: RawPeer;
  beforeAll(async () => {
    srv = await startServer({ port: 0, passwordFailuresPerLobbyPerMinute: 60, joinRatePerMinute: 1000, maxLobbiesPerHost: 100, createRatePerMinute: 1000, passwordChecksPerSecond: 100 });
    host = await connectRawPeer(srv.url);
  });
  afterAll(async () => {
    await closeAll([host]);
    await srv.close();
  });

  it('locks a lobby against password checks after its failure budget, other lobbies unaffected, then lets the right password in', async () => {
    const target = await lobbyOf(srv, host, { password: 'right' });
    const other = await lobbyOf(srv, host, { password: 'right' });
    const answers = await Promise.all(Array.from({ length: 80 }, (_, i) => httpFrom(loopback(i % 10, 9), srv.url, 'POST', `/api/lobbies/${target.lobby.code}/join`, { peerId: `p${i}`, password: `wrong${i}` })));
    const codes = answers.map((a) => a.body?.error?.code as string);
    expect(codes.filter((c) => c === 'BAD_PASSWORD').length).toBeLessThanOrEqual(61);
    expect(codes.filter((c) => c === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(19);
    expect(answers.find((a) => a.status === 429)!.body.error.message).toMatch(/wrong passwords were tried for this lobby/);
    expect((await httpFrom('127.0.9.9', srv.url, 'POST', `/api/lobbies/${other.lobby.code}/join`, { peerId: 'q', password: 'right' })).status).toBe(200);
    const deadline = Date.now() + 5000;
    let ok = 0;
    while (ok !== 200 && Date.now() < deadline) {
      ok = (await httpFrom('127.0.9.10', srv.url, 'POST', `/api/lobbies/${target.lobby.code}/join`, { peerId: 'r', password: 'right' })).status;
      if (ok !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(ok).toBe(200);
  });

  it('200 wrong passwords from 100 addresses cost the server little CPU (default limits)', async () => {
    const def = await startServer({ port: 0 });
    try {
      const h = await connectRawPeer(def.url);
      const lobby = await lobbyOf(def, h, { password: 'right' });
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => httpFrom(loopback(i % 100, 10), def.url, 'POST', `/api/lobbies/${lobby.lobby.code}/join`, { peerId: `p${i}`, password: `wrong${i}` })));
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const scrypts = answers.filter((a) => a.body?.error?.code === 'BAD_PASSWORD').length;
      const cpuMs = (cpu.user + cpu.system) / 1000;
      console.log(`[password] 200 wrong passwords from 100 addresses: ${scrypts} reached scrypt, ${answers.length - scrypts} refused before it (429); test process CPU (server + clients) ${cpuMs.toFixed(0)} ms, wall ${wall.toFixed(0)} ms`);
      expect(scrypts).toBeLessThanOrEqual(10);
      expect(answers.every((a) => a.status === 403 || a.status === 429)).toBe(true);
      expect((await httpFrom('127.0.9.11', def.url, 'GET', '/healthz')).status).toBe(200);
      await closeAll([h]);
    } finally {
      await def.close();
    }
  });

  it('the server-wide password budget refuses checks past it with 429, cheaply', async () => {
    const tight = await startServer({ port: 0, passwordChecksPerSecond: 3, maxLobbiesPerHost: 20, createRatePerMinute: 100, joinRatePerMinute: 1000 });
    try {
      const h = await connectRawPeer(tight.url);
      const lobbies: Array<{ lobby: { code: string } }> = [];
      for (let i = 0; i < 3; i++) lobbies.push(await lobbyOf(tight, h, { password: 'pw' }));
      await new Promise((r) => setTimeout(r, 1100));
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => httpFrom(loopback(i, 11), tight.url, 'POST', `/api/lobbies/${lobbies[i % 3]!.lobby.code}/join`, { peerId: `p${i}`, password: 'no' })));
      const busy = answers.filter((a) => a.status === 429 && /checking too many passwords/.test(a.body.error.message));
      expect(busy.length).toBeGreaterThanOrEqual(6);
      expect(busy[0]!.headers['retry-after']).toBe('1');
      await closeAll([h]);
    } finally {
      await tight.close();
    }
  });
});

describe('join-code guessing', () => {
  it('counts misses per address and for the server, on every route that tells a live code from a dead one', async () => {
    const srv = await startServer({ port: 0, codeMissesPerMinute: 6, globalCodeMissesPerMinute: 20, lookupRatePerMinute: 1000, joinRatePerMinute: 1000 });
    try {
      const host = await connectRawPeer(srv.url);
      const live = await lobbyOf(srv, host);
      const miss = (addr: string, i: number) => {
        const code = `ZZZZ${String(1000 + i).slice(-4).replace(/[^0-9]/g, '0')}`;
        const routes: Array<[string, string, unknown?]> = [['GET', `/api/lobbies/${code}`], ['POST', `/api/lobbies/${code}/join`, { peerId: 'x' }], ['PATCH', `/api/lobbies/${code}`, {}], ['DELETE', `/api/lobbies/${code}`]];
        const [method, path, body] = routes[i % 4]!;
        return httpFrom(addr, srv.url, method, path, body);
      };
      const one: number[] = [];
      for (let i = 0; i < 8; i++) one.push((await miss('127.0.12.1', i)).status);
      expect(one).toEqual([404, 404, 404, 404, 404, 404, 429, 429]);
      // Malformed codes cannot hit and cost nothing; a live code still answers for others.
      expect((await httpFrom('127.0.12.2', srv.url, 'GET', '/api/lobbies/not-a-code')).status).toBe(404);
      expect((await httpFrom('127.0.12.2', srv.url, 'GET', `/api/lobbies/${live.lobby.code}`)).status).toBe(200);
      for (let a = 3; a <= 5; a++) for (let i = 0; i < 6; i++) await miss(`127.0.12.${a}`, i);
      const fresh = await httpFrom('127.0.12.9', srv.url, 'GET', `/api/lobbies/${live.lobby.code}`);
      expect(fresh.status).toBe(429);
      expect(fresh.body.error.message).toMatch(/being tried on this server/);
      await closeAll([host]);
    } finally {
      await srv.close();
    }
  });
});

describe('lobby list, config, names', () => {
  let srv: RunningServer;
  let host: RawPeer;
  beforeAll(async () => {
    srv = await startServer({ port: 0, maxLobbiesPerHost: 500, createRatePerMinute: 1000, listRatePerMinute: 30, configRatePerMinute: 3 });
    host = await connectRawPeer(srv.url);
  });
  afterAll(async () => {
    await closeAll([host]);
    await srv.close();
  });

  it('pages through the public lobbies with a cursor, bounded pages, validated query', async () => {
    const made = new Set<string>();
    for (let i = 0; i < 130; i++) made.add((await lobbyOf(srv, host, { name: `L${i}`, public: i % 10 !== 0 })).lobby.code);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await httpFrom('127.0.13.1', srv.url, 'GET', `/api/lobbies${cursor === undefined ? '' : `?cursor=${cursor}`}`);
      expect(res.status).toBe(200);
      expect(res.body.lobbies.length).toBeLessThanOrEqual(50);
      seen.push(...res.body.lobbies.map((l: { code: string }) => l.code));
      cursor = res.body.next;
      pages++;
    } while (cursor !== undefined);
    expect(pages).toBe(3);
    expect(seen.length).toBe(117);
    expect(new Set(seen).size).toBe(117);
    expect(seen.every((c) => made.has(c))).toBe(true);
    expect((await httpFrom('127.0.13.1', srv.url, 'GET', '/api/lobbies?limit=100')).body.lobbies.length).toBe(100);
    for (const bad of ['?limit=0', '?limit=101', '?limit=1e2', '?cursor=abc', '?cursor=1&cursor=2', '?limit[a]=1', `?cursor=${'9'.repeat(30)}`]) {
      const res = await httpFrom('127.0.13.2', srv.url, 'GET', `/api/lobbies${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.body.error.code).toBe('BAD_REQUEST');
    }
  });

  it('rate-limits the list and the config per address', async () => {
    const list = await Promise.all(Array.from({ length: 35 }, () => httpFrom('127.0.13.3', srv.url, 'GET', '/api/lobbies?limit=1')));
    expect(list.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(5);
    expect((await httpFrom('127.0.13.4', srv.url, 'GET', '/api/lobbies?limit=1')).status).toBe(200);
    const config = [];
    for (let i = 0; i < 5; i++) config.push(await httpFrom('127.0.13.5', srv.url, 'GET', '/api/config'));
    expect(config.map((a) => a.status)).toEqual([200, 200, 200, 429, 429]);
    expect(Number(config[3]!.headers['retry-after'])).toBeGreaterThan(0);
    expect(config[3]!.body.error.message).toMatch(/config requests/);
  });

  it('cleans control, bidi-override and zero-width characters out of lobby names', async () => {
    const { lobby } = await lobbyOf(srv, host, { name: '\u202Egnp.exe\u200B \u0085Arena\u2066\u0000 ' });
    expect(lobby.name).toBe('gnp.exe Arena');
    const onlyJunk = await httpFrom(undefined, srv.url, 'POST', '/api/lobbies', { name: '\u202E\u200B\u200D', maxPlayers: 4, public: true, hostPeerId: host.id, hostPeerToken: host.token });
    expect(onlyJunk.status).toBe(400);
    const deep = await httpFrom(undefined, srv.url, 'POST', '/api/lobbies', `{"name":"x","maxPlayers":4,"public":true,"meta":${'['.repeat(3000)}${']'.repeat(3000)}}`);
    expect(deep.status).toBe(400);
  });
});
