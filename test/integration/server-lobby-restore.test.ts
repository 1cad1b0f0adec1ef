/**
 * `PUT /api/lobbies/:code`: a host re-registers its lobby after signaling came back. A server
 * that still has the lobby refreshes it for its host only; a server that forgot it (restarted
 * with the in-memory store) re-creates it under the same code only for a secret issued for that
 * code under the same lobby key, and only for a host id proven by its signaling token.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/src/index.js';
import { errorCode, http } from '../helpers/server-http.js';
import { closeAll, connectRawPeer, type RawPeer } from '../helpers/server-raw-peer.js';

const lobbyKey = 'test-lobby-key-0123456789abcdef';
const open: { servers: RunningServer[]; peers: RawPeer[] } = { servers: [], peers: [] };
const limits = { createRatePerMinute: 1000, joinRatePerMinute: 1000, lookupRatePerMinute: 1000, codeMissesPerMinute: 1000 };

afterEach(async () => {
  await closeAll(open.peers.splice(0));
  for (const s of open.servers.splice(0)) await s.close();
});

async function server(options: Record<string, unknown> = {}): Promise<RunningServer> {
  const s = await startServer({ port: 0, ...limits, ...options });
  open.servers.push(s);
  return s;
}

async function peer(url: string, id?: string, token?: string): Promise<RawPeer> {
  const p = await connectRawPeer(url, id, token);
  open.peers.push(p);
  return p;
}

const body = (p: RawPeer, extra: Record<string, unknown> = {}) => ({ name: 'Arena', maxPlayers: 4, public: true, hostPeerId: p.id, hostPeerToken: p.token, ...extra });
const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

async function create(url: string, p: RawPeer, extra: Record<string, unknown> = {}) {
  const res = await http(url, 'POST', '/api/lobbies', body(p, extra));
  expect(res.status, res.text).toBe(201);
  return res.body as { lobby: { code: string }; hostSecret: string };
}

describe('lobby restore', () => {
  it('refreshes a lobby the server still has, for its host only', async () => {
    const s = await server({ lobbyKey });
    const host = await peer(s.url);
    const other = await peer(s.url);
    const { lobby, hostSecret } = await create(s.url, host);
    const ok = await http(s.url, 'PUT', `/api/lobbies/${lobby.code}`, body(host, { players: 3, open: true }), bearer(hostSecret));
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.lobby).toMatchObject({ code: lobby.code, players: 3 });
    const wrongSecret = await http(s.url, 'PUT', `/api/lobbies/${lobby.code}`, body(host), bearer(`${hostSecret.slice(0, -2)}xx`));
    expect([wrongSecret.status, errorCode(wrongSecret)]).toEqual([403, 'UNAUTHORIZED']);
    const noSecret = await http(s.url, 'PUT', `/api/lobbies/${lobby.code}`, body(host));
    expect([noSecret.status, errorCode(noSecret)]).toEqual([401, 'UNAUTHORIZED']);
    // The secret alone does not let another player id take the lobby over.
    const otherHost = await http(s.url, 'PUT', `/api/lobbies/${lobby.code}`, body(other), bearer(hostSecret));
    expect([otherHost.status, errorCode(otherHost)]).toEqual([409, 'UNAUTHORIZED']);
    // Nor a host id without its signaling token.
    const forgedToken = await http(s.url, 'PUT', `/api/lobbies/${lobby.code}`, body(host, { hostPeerToken: other.token }), bearer(hostSecret));
    expect([forgedToken.status, errorCode(forgedToken)]).toEqual([403, 'UNAUTHORIZED']);
  });

  it('re-creates a forgotten lobby under the same code after a restart with the same lobby key', async () => {
    const first = await server({ lobbyKey });
    const host = await peer(first.url);
    const { lobby, hostSecret } = await create(first.url, host, { password: 'pw' });
    const port = Number(new URL(first.url).port);
    await closeAll(open.peers.splice(0));
    await first.close();
    open.servers.splice(0);
    const second = await server({ lobbyKey, port });
    // The first request may meet a pooled keep-alive socket of the old server: it fails once.
    const lookup = await http(second.url, 'GET', `/api/lobbies/${lobby.code}`).catch(() => http(second.url, 'GET', `/api/lobbies/${lobby.code}`));
    expect(lookup.status).toBe(404);
    const back = await peer(second.url, host.id, host.token);
    const restored = await http(second.url, 'PUT', `/api/lobbies/${lobby.code}`, body(back, { password: 'pw', players: 2 }), bearer(hostSecret));
    expect(restored.status, restored.text).toBe(200);
    expect(restored.body.lobby).toMatchObject({ code: lobby.code, players: 2, hasPassword: true });
    const joiner = await peer(second.url);
    const join = await http(second.url, 'POST', `/api/lobbies/${lobby.code}/join`, { peerId: joiner.id, password: 'pw' });
    expect(join.status, join.text).toBe(200);
    expect(join.body.hostPeerId).toBe(host.id);
    // Its host secret still rules it.
    const update = await http(second.url, 'PATCH', `/api/lobbies/${lobby.code}`, { open: false }, bearer(hostSecret));
    expect(update.status, update.text).toBe(200);
  });

  it('refuses to re-create a forgotten code without a secret issued for it under this key', async () => {
    const a = await server({ lobbyKey });
    const b = await server({ lobbyKey: 'another-lobby-key-0123456789' });
    const hostA = await peer(a.url);
    const { lobby, hostSecret } = await create(a.url, hostA);
    const other = await create(a.url, await peer(a.url));
    const hostB = await peer(b.url);
    // Another key (a restart without a fixed LOBBY_KEY): the code is lost.
    const wrongKey = await http(b.url, 'PUT', `/api/lobbies/${lobby.code}`, body(hostB), bearer(hostSecret));
    expect([wrongKey.status, errorCode(wrongKey)]).toEqual([403, 'UNAUTHORIZED']);
    // Same key, but a secret issued for another code, or made up.
    const c = await server({ lobbyKey });
    const hostC = await peer(c.url);
    for (const secret of [other.hostSecret, 'AAAAAAAAAAAAAAAAAAAAAA.' + 'A'.repeat(43), hostSecret.split('.')[1]!, `${hostSecret}.x`]) {
      const res = await http(c.url, 'PUT', `/api/lobbies/${lobby.code}`, body(hostC), bearer(secret));
      expect([res.status, errorCode(res)], secret).toEqual([403, 'UNAUTHORIZED']);
    }
    expect((await http(c.url, 'GET', `/api/lobbies/${lobby.code}`)).status).toBe(404);
    // A host id that is not on signaling cannot restore, even with the right secret.
    const offline = await http(c.url, 'PUT', `/api/lobbies/${lobby.code}`, { ...body(hostA) }, bearer(hostSecret));
    expect([offline.status, errorCode(offline)]).toEqual([409, 'HOST_UNREACHABLE']);
    // Bad bodies and codes are 4xx, never a crash.
    for (const bad of [null, [], { name: 'x' }, body(hostC, { players: 99 }), body(hostC, { open: 'yes' })]) {
      const res = await http(c.url, 'PUT', `/api/lobbies/${lobby.code}`, bad, bearer(hostSecret));
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await http(c.url, 'PUT', '/api/lobbies/!!', body(hostC), bearer(hostSecret))).status).toBe(404);
  });
});
