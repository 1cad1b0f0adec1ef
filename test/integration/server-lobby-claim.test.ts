/**
 * Host succession on the server (issue 12, item 3): `GET /api/lobbies/:code/host`,
 * `POST /api/lobbies/:code/claim` and `POST /api/lobbies/:code/release`. Only a holder of the
 * lobby's claim secret (the host shares it with its members) may ask or claim; a claim wins only
 * once the host is gone (socket closed, or released) and only at the epoch it names, so exactly
 * one of several racing members wins; the code then leads newcomers to the winner.
 */
import { describe, expect, it } from 'vitest';
import { errorCode, http } from '../helpers/server-http.js';
import { lobbyFixture } from '../helpers/lobby-fixture.js';
import type { RawPeer } from '../helpers/server-raw-peer.js';

const lobbyKey = 'test-lobby-key-0123456789abcdef';
const { server, peer, closeServer } = lobbyFixture();

const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });
const claimBody = (p: RawPeer, epoch: number) => ({ hostPeerId: p.id, hostPeerToken: p.token, epoch });

async function create(url: string, p: RawPeer) {
  const res = await http(url, 'POST', '/api/lobbies', { name: 'Arena', maxPlayers: 4, public: true, hostPeerId: p.id, hostPeerToken: p.token });
  expect(res.status, res.text).toBe(201);
  return res.body as { lobby: { code: string }; hostSecret: string; claimSecret: string; hostEpoch: number };
}

async function gone(p: RawPeer): Promise<void> {
  p.ws.close();
  await p.closed;
}

describe('lobby succession', () => {
  it('a member claims a lobby whose host is gone; the code leads to it; the old secret stops working', async () => {
    const s = await server({ lobbyKey });
    const host = await peer(s.url);
    const member = await peer(s.url);
    const lobby = await create(s.url, host);
    expect(lobby.hostEpoch).toBe(0);
    const status = await http(s.url, 'GET', `/api/lobbies/${lobby.lobby.code}/host`, undefined, bearer(lobby.claimSecret));
    expect(status.body).toEqual({ hostPeerId: host.id, hostEpoch: 0, present: true });
    // The host is still there: nobody may take over.
    const early = await http(s.url, 'POST', `/api/lobbies/${lobby.lobby.code}/claim`, claimBody(member, 0), bearer(lobby.claimSecret));
    expect([early.status, errorCode(early)]).toEqual([409, 'HOST_PRESENT']);
    await gone(host);
    const away = await http(s.url, 'GET', `/api/lobbies/${lobby.lobby.code}/host`, undefined, bearer(lobby.claimSecret));
    expect(away.body).toMatchObject({ hostPeerId: host.id, present: false });
    const won = await http(s.url, 'POST', `/api/lobbies/${lobby.lobby.code}/claim`, claimBody(member, 0), bearer(lobby.claimSecret));
    expect(won.status, won.text).toBe(200);
    expect(won.body).toMatchObject({ hostEpoch: 1, lobby: { code: lobby.lobby.code } });
    expect(won.body.hostSecret).not.toBe(lobby.hostSecret);
    // Newcomers are sent to the new host; the lobby shows again.
    const joiner = await peer(s.url);
    const join = await http(s.url, 'POST', `/api/lobbies/${lobby.lobby.code}/join`, { peerId: joiner.id });
    expect(join.status, join.text).toBe(200);
    expect(join.body.hostPeerId).toBe(member.id);
    // The old host's secret no longer updates the lobby; the new one does.
    const oldPatch = await http(s.url, 'PATCH', `/api/lobbies/${lobby.lobby.code}`, { players: 2 }, bearer(lobby.hostSecret));
    expect([oldPatch.status, errorCode(oldPatch)]).toEqual([403, 'UNAUTHORIZED']);
    const newPatch = await http(s.url, 'PATCH', `/api/lobbies/${lobby.lobby.code}`, { players: 2 }, bearer(won.body.hostSecret as string));
    expect(newPatch.status, newPatch.text).toBe(200);
  });

  it('of racing claims at one epoch exactly one wins; a stale epoch, a wrong secret or a forged id is refused', async () => {
    const s = await server({ lobbyKey });
    const host = await peer(s.url);
    const members = await Promise.all([1, 2, 3, 4].map(() => peer(s.url)));
    const lobby = await create(s.url, host);
    await gone(host);
    const path = `/api/lobbies/${lobby.lobby.code}/claim`;
    const wrong = await http(s.url, 'POST', path, claimBody(members[0]!, 0), bearer(lobby.hostSecret));
    expect([wrong.status, errorCode(wrong)]).toEqual([403, 'UNAUTHORIZED']);
    const none = await http(s.url, 'POST', path, claimBody(members[0]!, 0));
    expect([none.status, errorCode(none)]).toEqual([401, 'UNAUTHORIZED']);
    const forged = await http(s.url, 'POST', path, { ...claimBody(members[0]!, 0), hostPeerToken: members[1]!.token }, bearer(lobby.claimSecret));
    expect([forged.status, errorCode(forged)]).toEqual([403, 'UNAUTHORIZED']);
    const bad = await http(s.url, 'POST', path, { ...claimBody(members[0]!, 0), epoch: -1 }, bearer(lobby.claimSecret));
    expect([bad.status, errorCode(bad)]).toEqual([400, 'BAD_REQUEST']);
    const results = await Promise.all(members.map((m) => http(s.url, 'POST', path, claimBody(m, 0), bearer(lobby.claimSecret))));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409).map(errorCode)).toEqual(['HOST_CHANGED', 'HOST_CHANGED', 'HOST_CHANGED']);
    const winner = members[results.findIndex((r) => r.status === 200)]!;
    const status = await http(s.url, 'GET', `/api/lobbies/${lobby.lobby.code}/host`, undefined, bearer(lobby.claimSecret));
    expect(status.body).toEqual({ hostPeerId: winner.id, hostEpoch: 1, present: true });
    // A claim that names the old epoch again loses even once the winner is gone too.
    await gone(winner);
    const loser = members.find((m) => m !== winner)!;
    const stale = await http(s.url, 'POST', path, claimBody(loser, 0), bearer(lobby.claimSecret));
    expect([stale.status, errorCode(stale)]).toEqual([409, 'HOST_CHANGED']);
    const next = await http(s.url, 'POST', path, claimBody(loser, 1), bearer(lobby.claimSecret));
    expect([next.status, next.body.hostEpoch]).toEqual([200, 2]);
  });

  it('a host whose socket looks open but answers no ping (frozen, black-holed) is probed, cut off, and replaced', async () => {
    const s = await server({ lobbyKey });
    const frozen = await peer(s.url, undefined, undefined, { autoPong: false });
    const member = await peer(s.url);
    const lobby = await create(s.url, frozen);
    const path = `/api/lobbies/${lobby.lobby.code}/claim`;
    const won = await http(s.url, 'POST', path, claimBody(member, 0), bearer(lobby.claimSecret));
    expect(won.status, won.text).toBe(200);
    // The server closed the frozen host's socket: it cannot take its lobby back with the old secret.
    await frozen.closed;
    const status = await http(s.url, 'GET', `/api/lobbies/${lobby.lobby.code}/host`, undefined, bearer(lobby.claimSecret));
    expect(status.body).toEqual({ hostPeerId: member.id, hostEpoch: 1, present: true });
    // A host that answers the ping keeps its lobby.
    const live = await peer(s.url);
    const other = await create(s.url, live);
    const refused = await http(s.url, 'POST', `/api/lobbies/${other.lobby.code}/claim`, claimBody(member, 0), bearer(other.claimSecret));
    expect([refused.status, errorCode(refused)]).toEqual([409, 'HOST_PRESENT']);
    expect(live.ws.readyState).toBe(live.ws.OPEN);
  });

  it('a released lobby is hidden and claimable at once while the old host is still connected', async () => {
    const s = await server({ lobbyKey });
    const host = await peer(s.url);
    const member = await peer(s.url);
    const lobby = await create(s.url, host);
    const noSecret = await http(s.url, 'POST', `/api/lobbies/${lobby.lobby.code}/release`, undefined, bearer(lobby.claimSecret));
    expect([noSecret.status, errorCode(noSecret)]).toEqual([403, 'UNAUTHORIZED']);
    const released = await http(s.url, 'POST', `/api/lobbies/${lobby.lobby.code}/release`, undefined, bearer(lobby.hostSecret));
    expect(released.status, released.text).toBe(204);
    const look = await http(s.url, 'GET', `/api/lobbies/${lobby.lobby.code}`);
    expect([look.status, errorCode(look)]).toEqual([410, 'HOST_GONE']);
    const won = await http(s.url, 'POST', `/api/lobbies/${lobby.lobby.code}/claim`, claimBody(member, 0), bearer(lobby.claimSecret));
    expect(won.status, won.text).toBe(200);
    const back = await http(s.url, 'GET', `/api/lobbies/${lobby.lobby.code}`);
    expect(back.status, back.text).toBe(200);
  });

  it('a restarted server restores a migrated lobby at its epoch with the same claim secret', async () => {
    const first = await server({ lobbyKey });
    const host = await peer(first.url);
    const lobby = await create(first.url, host);
    const port = first.port;
    await closeServer(first);
    const second = await server({ lobbyKey, port });
    const back = await peer(second.url, host.id, host.token);
    const restore = await http(second.url, 'PUT', `/api/lobbies/${lobby.lobby.code}`, {
      name: 'Arena', maxPlayers: 4, public: true, hostPeerId: back.id, hostPeerToken: back.token, players: 3, open: true,
      claimSecret: lobby.claimSecret, hostEpoch: 5,
    }, bearer(lobby.hostSecret));
    expect(restore.status, restore.text).toBe(200);
    const status = await http(second.url, 'GET', `/api/lobbies/${lobby.lobby.code}/host`, undefined, bearer(lobby.claimSecret));
    expect(status.body).toEqual({ hostPeerId: host.id, hostEpoch: 5, present: true });
    // A claim secret made up for the code is not taken: the restored lobby gets a new one.
    const forged = await http(second.url, 'PUT', `/api/lobbies/ZZZZZZZZ`, {
      name: 'Arena', maxPlayers: 4, public: true, hostPeerId: back.id, hostPeerToken: back.token, claimSecret: lobby.claimSecret,
    }, bearer(lobby.hostSecret));
    expect([forged.status, errorCode(forged)]).toEqual([403, 'UNAUTHORIZED']);
  });
});
