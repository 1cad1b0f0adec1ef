import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/src/index.js';
import { verifyTicket } from '../../sdk/src/lobby/ticket.js';
import { errorCode, http } from '../helpers/server-http.js';
import { closeAll, connectRawPeer, type RawPeer } from '../helpers/server-raw-peer.js';

let srv: RunningServer;
let host: RawPeer;

const lobbyBody = (extra: Record<string, unknown> = {}) => ({ name: 'Arena', maxPlayers: 4, public: true, hostPeerId: host.id, hostPeerToken: host.token, ...extra });

async function create(extra: Record<string, unknown> = {}) {
  const res = await http(srv.url, 'POST', '/api/lobbies', lobbyBody(extra));
  expect(res.status, res.text).toBe(201);
  return res.body as { lobby: { code: string; players: number; maxPlayers: number }; hostSecret: string };
}

const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

beforeAll(async () => {
  srv = await startServer({ port: 0, createRatePerMinute: 1000, joinRatePerMinute: 1000, lookupRatePerMinute: 1000, maxLobbiesPerHost: 1000, codeMissesPerMinute: 1000 });
  host = await connectRawPeer(srv.url);
});

afterAll(async () => {
  await closeAll([host]);
  await srv.close();
});

describe('lobby API', () => {
  it('serves client config and health', async () => {
    const config = await http(srv.url, 'GET', '/api/config');
    expect(config.status).toBe(200);
    expect(config.body).toEqual({ protocolVersion: 1, peerPath: '/peerjs', peerKey: 'hostmesh', iceServers: [] });
    const health = await http(srv.url, 'GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ ok: true });
  });

  it('creates a lobby and looks it up by a code typed sloppily', async () => {
    const { lobby, hostSecret } = await create({ meta: { mode: 'ctf' } });
    expect(lobby).toMatchObject({ name: 'Arena', players: 1, maxPlayers: 4, public: true, open: true, hasPassword: false, meta: { mode: 'ctf' } });
    expect(lobby.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(hostSecret).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    const sloppy = `${lobby.code.slice(0, 3).toLowerCase()}-${lobby.code.slice(3)}`;
    const found = await http(srv.url, 'GET', `/api/lobbies/${encodeURIComponent(` ${sloppy} `)}`);
    expect(found.status).toBe(200);
    expect(found.body.lobby.code).toBe(lobby.code);
    expect(JSON.stringify(found.body)).not.toContain(hostSecret);
    expect(JSON.stringify(found.body)).not.toContain(host.id);
  });

  it('refuses a host that is not on signaling (409 HOST_UNREACHABLE)', async () => {
    const res = await http(srv.url, 'POST', '/api/lobbies', lobbyBody({ hostPeerId: 'nobody-here' }));
    expect(res.status).toBe(409);
    expect(errorCode(res)).toBe('HOST_UNREACHABLE');
    expect(res.body.error.message).toMatch(/signaling/);
  });

  it('answers bad input with 400/413 JSON errors, never 500', async () => {
    const cases: Array<[unknown, Record<string, string>?]> = [
      ['{bad json'], ['null'], ['[]'], ['5'], ['"x"'], [{}], [lobbyBody({ name: '' })], [lobbyBody({ maxPlayers: 1000 })],
      [lobbyBody({ public: 'yes' })], [lobbyBody({ password: 'x'.repeat(65) })], [lobbyBody({ meta: { a: { b: 1 } } })],
      [lobbyBody({ hostPeerId: '../../x' })], ['name=x', { 'content-type': 'application/x-www-form-urlencoded' }],
      [JSON.stringify(lobbyBody()), { 'content-type': 'application/json; charset=latin9' }],
    ];
    for (const [body, headers] of cases) {
      const res = await http(srv.url, 'POST', '/api/lobbies', body, headers);
      expect(res.status, `${String(body)} -> ${res.text}`).toBe(400);
      expect(errorCode(res), res.text).toBe('BAD_REQUEST');
    }
    const big = await http(srv.url, 'POST', '/api/lobbies', lobbyBody({ name: 'x'.repeat(9000) }));
    expect(big.status).toBe(413);
    expect(errorCode(big)).toBe('PAYLOAD_TOO_LARGE');
    const badUri = await http(srv.url, 'GET', '/api/lobbies/%E0%A4%A');
    expect(badUri.status).toBe(400);
    expect(errorCode(badUri)).toBe('BAD_REQUEST');
  });

  it('lists only public, open lobbies', async () => {
    const pub = await create({ name: 'Public' });
    const priv = await create({ name: 'Private', public: false });
    const closed = await create({ name: 'Closed' });
    expect((await http(srv.url, 'PATCH', `/api/lobbies/${closed.lobby.code}`, { open: false }, bearer(closed.hostSecret))).status).toBe(200);
    const res = await http(srv.url, 'GET', '/api/lobbies');
    expect(res.status).toBe(200);
    const codes = (res.body.lobbies as Array<{ code: string }>).map((l) => l.code);
    expect(codes).toContain(pub.lobby.code);
    expect(codes).not.toContain(priv.lobby.code);
    expect(codes).not.toContain(closed.lobby.code);
    const entry = (res.body.lobbies as Array<Record<string, unknown>>).find((l) => l.code === pub.lobby.code);
    expect(Object.keys(entry!).sort()).toEqual(['code', 'hasPassword', 'maxPlayers', 'maxSpectators', 'meta', 'name', 'open', 'players', 'public', 'spectators']);
  });

  it('joins with a ticket the host can verify', async () => {
    const { lobby, hostSecret } = await create();
    const before = Date.now();
    const res = await http(srv.url, 'POST', `/api/lobbies/${lobby.code.toLowerCase()}/join`, { peerId: 'joiner1' });
    expect(res.status, res.text).toBe(200);
    expect(res.body.hostPeerId).toBe(host.id);
    expect(res.body.lobby.code).toBe(lobby.code);
    expect(verifyTicket(hostSecret, lobby.code, 'joiner1', res.body.ticket, before)).toBe(true);
    expect(verifyTicket(hostSecret, lobby.code, 'someone-else', res.body.ticket, before)).toBe(false);
    expect(verifyTicket(hostSecret, lobby.code, 'joiner1', res.body.ticket, before + 61_000)).toBe(false);
  });

  it('admission errors: 404, 403 LOBBY_CLOSED, 403 BAD_PASSWORD, 409 LOBBY_FULL, 400', async () => {
    const missing = await http(srv.url, 'POST', '/api/lobbies/ZZZZZZ/join', { peerId: 'j' });
    expect([missing.status, errorCode(missing)]).toEqual([404, 'LOBBY_NOT_FOUND']);
    const invalid = await http(srv.url, 'POST', '/api/lobbies/not-a-code!/join', { peerId: 'j' });
    expect([invalid.status, errorCode(invalid)]).toEqual([404, 'LOBBY_NOT_FOUND']);

    const locked = await create({ password: 'hunter2', maxPlayers: 2 });
    expect(locked.lobby).toMatchObject({ hasPassword: true });
    const noPw = await http(srv.url, 'POST', `/api/lobbies/${locked.lobby.code}/join`, { peerId: 'j' });
    expect([noPw.status, errorCode(noPw)]).toEqual([403, 'BAD_PASSWORD']);
    const wrongPw = await http(srv.url, 'POST', `/api/lobbies/${locked.lobby.code}/join`, { peerId: 'j', password: 'hunter3' });
    expect([wrongPw.status, errorCode(wrongPw)]).toEqual([403, 'BAD_PASSWORD']);
    const rightPw = await http(srv.url, 'POST', `/api/lobbies/${locked.lobby.code}/join`, { peerId: 'j', password: 'hunter2' });
    expect(rightPw.status).toBe(200);

    await http(srv.url, 'PATCH', `/api/lobbies/${locked.lobby.code}`, { players: 2 }, bearer(locked.hostSecret));
    const full = await http(srv.url, 'POST', `/api/lobbies/${locked.lobby.code}/join`, { peerId: 'j', password: 'hunter2' });
    expect([full.status, errorCode(full)]).toEqual([409, 'LOBBY_FULL']);
    const fullWrongPw = await http(srv.url, 'POST', `/api/lobbies/${locked.lobby.code}/join`, { peerId: 'j', password: 'no' });
    expect(errorCode(fullWrongPw)).toBe('BAD_PASSWORD');

    await http(srv.url, 'PATCH', `/api/lobbies/${locked.lobby.code}`, { open: false }, bearer(locked.hostSecret));
    const closed = await http(srv.url, 'POST', `/api/lobbies/${locked.lobby.code}/join`, { peerId: 'j', password: 'no' });
    expect([closed.status, errorCode(closed)]).toEqual([403, 'LOBBY_CLOSED']);

    const badBody = await http(srv.url, 'POST', `/api/lobbies/${locked.lobby.code}/join`, { peerId: 'a b' });
    expect([badBody.status, errorCode(badBody)]).toEqual([400, 'BAD_REQUEST']);
  });

  it('host updates with its bearer secret (401 without, 403 wrong)', async () => {
    const { lobby, hostSecret } = await create();
    const path = `/api/lobbies/${lobby.code}`;
    const none = await http(srv.url, 'PATCH', path, { players: 2 });
    expect([none.status, errorCode(none)]).toEqual([401, 'UNAUTHORIZED']);
    const wrong = await http(srv.url, 'PATCH', path, { players: 2 }, bearer('nope'));
    expect([wrong.status, errorCode(wrong)]).toEqual([403, 'UNAUTHORIZED']);
    const bad = await http(srv.url, 'PATCH', path, { players: 5 }, bearer(hostSecret));
    expect([bad.status, errorCode(bad)]).toEqual([400, 'BAD_REQUEST']);
    const ok = await http(srv.url, 'PATCH', path, { players: 3, name: ' Renamed ', meta: { map: 'dust' } }, bearer(hostSecret));
    expect(ok.status).toBe(200);
    expect(ok.body.lobby).toMatchObject({ players: 3, name: 'Renamed', meta: { map: 'dust' }, maxPlayers: 4 });
    expect((await http(srv.url, 'GET', path)).body.lobby.players).toBe(3);
    const unknown = await http(srv.url, 'PATCH', '/api/lobbies/ZZZZZZ', { players: 1 }, bearer(hostSecret));
    expect([unknown.status, errorCode(unknown)]).toEqual([404, 'LOBBY_NOT_FOUND']);
  });

  it('host deletes its lobby (204), after which it is gone', async () => {
    const { lobby, hostSecret } = await create();
    const path = `/api/lobbies/${lobby.code}`;
    expect((await http(srv.url, 'DELETE', path)).status).toBe(401);
    expect((await http(srv.url, 'DELETE', path, undefined, bearer(`${hostSecret}x`))).status).toBe(403);
    const del = await http(srv.url, 'DELETE', path, undefined, bearer(hostSecret));
    expect(del.status).toBe(204);
    const gone = await http(srv.url, 'GET', path);
    expect([gone.status, errorCode(gone)]).toEqual([404, 'LOBBY_NOT_FOUND']);
  });

  it('answers unknown routes with 404 JSON', async () => {
    for (const [method, path] of [['GET', '/api/nope'], ['PUT', '/api/lobbies'], ['GET', '/nope.txt'], ['POST', '/healthz']] as const) {
      const res = await http(srv.url, method, path);
      expect(res.status, path).toBe(404);
      expect(res.body.error.message.length).toBeGreaterThan(5);
    }
  });
});

describe('lobby API rate limits and TURN config', () => {
  let limited: RunningServer;
  let limitedHost: RawPeer;

  beforeAll(async () => {
    limited = await startServer({
      port: 0, createRatePerMinute: 2, joinRatePerMinute: 4, lookupRatePerMinute: 2,
      iceServers: ['stun:stun.example.org:3478'],
      turn: { urls: ['turn:127.0.0.1:3478'], secret: 'coturn-secret', ttlSeconds: 600 },
    });
    limitedHost = await connectRawPeer(limited.url);
  });

  afterAll(async () => {
    await closeAll([limitedHost]);
    await limited.close();
  });

  it('limits creations per IP with 429 RATE_LIMITED and Retry-After', async () => {
    const body = { name: 'x', maxPlayers: 2, public: true, hostPeerId: limitedHost.id, hostPeerToken: limitedHost.token, password: 'pw' };
    expect((await http(limited.url, 'POST', '/api/lobbies', body)).status).toBe(201);
    expect((await http(limited.url, 'POST', '/api/lobbies', { ...body, password: undefined })).status).toBe(201);
    const res = await http(limited.url, 'POST', '/api/lobbies', body);
    expect([res.status, errorCode(res)]).toEqual([429, 'RATE_LIMITED']);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('counts wrong passwords double toward the join limit', async () => {
    const lobbies = (await http(limited.url, 'GET', '/api/lobbies')).body.lobbies as Array<{ code: string; hasPassword: boolean }>;
    const locked = lobbies.find((l) => l.hasPassword)!;
    const join = (password: string) => http(limited.url, 'POST', `/api/lobbies/${locked.code}/join`, { peerId: 'j', password });
    expect((await join('wrong')).status).toBe(403);
    expect((await join('wrong')).status).toBe(403);
    const res = await join('pw');
    expect([res.status, errorCode(res)]).toEqual([429, 'RATE_LIMITED']);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('limits look-ups by code', async () => {
    expect((await http(limited.url, 'GET', '/api/lobbies/ZZZZZZ')).status).toBe(404);
    expect((await http(limited.url, 'GET', '/api/lobbies/ZZZZZZ')).status).toBe(404);
    expect((await http(limited.url, 'GET', '/api/lobbies/ZZZZZZ')).status).toBe(429);
  });

  it('serves TURN REST credentials, never the secret', async () => {
    const before = Math.floor(Date.now() / 1000);
    const res = await http(limited.url, 'GET', '/api/config');
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('coturn-secret');
    const [stun, turn] = res.body.iceServers as Array<{ urls: string | string[]; username?: string; credential?: string }>;
    expect(stun).toEqual({ urls: 'stun:stun.example.org:3478' });
    expect(turn!.urls).toEqual(['turn:127.0.0.1:3478']);
    const [expiry, user] = turn!.username!.split(':');
    expect(user).toMatch(/^hm[A-Za-z0-9_-]{22}$/);
    expect(Number(expiry) - before).toBeGreaterThanOrEqual(599);
    expect(Number(expiry) - before).toBeLessThanOrEqual(601);
    expect(turn!.credential).toBe(createHmac('sha1', 'coturn-secret').update(turn!.username!).digest('base64'));
  });
});
