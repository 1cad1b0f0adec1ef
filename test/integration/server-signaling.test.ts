import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/src/index.js';
import { http } from '../helpers/server-http.js';
import { closeAll, connectRawPeer, openRawPeer, randomPeerId, type RawPeer } from '../helpers/server-raw-peer.js';

let relayCount = 0;

/** A sends an OFFER to B and B an ANSWER back, through the server. */
async function relayWorks(a: RawPeer, b: RawPeer): Promise<void> {
  const n = ++relayCount;
  a.send({ type: 'OFFER', dst: b.id, payload: { sdp: `offer-${n}` } });
  const offer = await b.next((m) => m.type === 'OFFER' && (m.payload as { sdp?: string }).sdp === `offer-${n}`);
  expect(offer.src).toBe(a.id);
  b.send({ type: 'ANSWER', dst: a.id, payload: { sdp: `answer-${n}` } });
  await a.next((m) => m.type === 'ANSWER' && (m.payload as { sdp?: string }).sdp === `answer-${n}`);
}

/** Opens sockets for `id`/`token` until the server's first answer satisfies `accept` (within `timeoutMs`). */
async function retryUntil(url: string, id: string, token: string, accept: (type: string) => boolean, timeoutMs = 5000): Promise<RawPeer> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const peer = await openRawPeer(url, id, token);
    const first = await peer.next(() => true);
    if (accept(first.type)) return peer;
    await peer.closed;
  }
  throw new Error(`server never answered as expected for ${id}`);
}

describe('hostile signaling', () => {
  let srv: RunningServer;
  let a: RawPeer;
  let b: RawPeer;

  beforeAll(async () => {
    srv = await startServer({ port: 0, maxSignalingFrameBytes: 1024 });
    a = await connectRawPeer(srv.url);
    b = await connectRawPeer(srv.url);
  });

  afterAll(async () => {
    await closeAll([a, b]);
    await srv.close();
  });

  const hostile: Array<[string, string | Buffer]> = [
    ['null', 'null'],
    ['a number', '5'],
    ['truncated JSON', '{"type":"OFFER","dst":"'],
    ['an unknown type', '{"type":"NOPE"}'],
    ['a string', '"OFFER"'],
    ['an array', '[{"type":"OFFER"}]'],
    ['LEAVE without dst (would unregister the sender)', '{"type":"LEAVE"}'],
    ['an object as dst', '{"type":"OFFER","dst":{"id":"x"},"payload":1}'],
    ['a binary frame', Buffer.from([0x7b, 0x7d])],
  ];

  it.each(hostile)('closes only the socket that sent %s, the server and other peers carry on', async (_what, frame) => {
    await relayWorks(a, b);
    const bad = await connectRawPeer(srv.url);
    bad.send(frame);
    const error = await bad.next((m) => m.type === 'ERROR');
    expect(typeof (error.payload as { msg?: unknown }).msg).toBe('string');
    expect((await bad.closed).code).toBe(1008);
    expect((await http(srv.url, 'GET', '/healthz')).status).toBe(200);
    await relayWorks(a, b);
    await relayWorks(b, a);
  });

  it('closes a socket that sends a frame over maxPayload (1009), others unaffected', async () => {
    const bad = await connectRawPeer(srv.url);
    bad.send(JSON.stringify({ type: 'OFFER', dst: a.id, payload: 'x'.repeat(2000) }));
    expect((await bad.closed).code).toBe(1009);
    expect(a.messages.some((m) => m.src === bad.id)).toBe(false);
    expect((await http(srv.url, 'GET', '/healthz')).status).toBe(200);
    await relayWorks(a, b);
  });

  it('keeps sockets that send valid messages, heartbeats and offers to unknown ids', async () => {
    const c = await connectRawPeer(srv.url);
    c.send({ type: 'HEARTBEAT' });
    c.send({ type: 'OFFER', dst: 'not-connected-yet', payload: { sdp: 'x' } });
    c.send({ type: 'CANDIDATE', dst: a.id, payload: { candidate: 'c' }, src: 'spoofed' } as never);
    const candidate = await a.next((m) => m.type === 'CANDIDATE' && m.src === c.id);
    expect(candidate.payload).toEqual({ candidate: 'c' });
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    await closeAll([c]);
  });

  it('serves CSPRNG ids and keeps discovery off', async () => {
    const id = await http(srv.url, 'GET', '/peerjs/hostmesh/id');
    expect(id.status).toBe(200);
    expect(id.text).toMatch(/^[0-9a-f]{32}$/);
    expect((await http(srv.url, 'GET', '/peerjs/hostmesh/peers')).status).toBe(401);
  });

  it('refuses malformed ids and tokens with a PeerJS ERROR', async () => {
    for (const [id, token] of [['has space', 'tok'], ['x'.repeat(65), 'tok'], ['ok-id', 'bad token!']]) {
      const peer = await openRawPeer(srv.url, id, token);
      const error = await peer.next((m) => m.type === 'ERROR');
      expect((error.payload as { msg: string }).msg).toMatch(/Invalid (peer id|token)/);
      await peer.closed;
    }
    const wrongKey = await openRawPeer(srv.url, randomPeerId(), 'tok', 'other-key');
    await wrongKey.next((m) => m.type === 'ERROR');
    await wrongKey.closed;
  });
});

describe('signaling limits', () => {
  let srv: RunningServer;

  beforeAll(async () => {
    srv = await startServer({ port: 0, maxConnectionsPerIp: 3, maxSignalingMessagesPerSecond: 5, idReservationMs: 60_000 });
  });

  afterAll(async () => {
    await srv.close();
  });

  it('caps signaling sockets per IP', async () => {
    const peers = [await connectRawPeer(srv.url), await connectRawPeer(srv.url), await connectRawPeer(srv.url)];
    const fourth = await openRawPeer(srv.url);
    const error = await fourth.next((m) => m.type === 'ERROR');
    expect((error.payload as { msg: string }).msg).toMatch(/Too many signaling connections/);
    await fourth.closed;
    await relayWorks(peers[0]!, peers[1]!);
    await closeAll([peers[2]]);
    const again = await retryUntil(srv.url, randomPeerId(), 'tok', (t) => t === 'OPEN');
    await closeAll([...peers.slice(0, 2), again]);
  });

  it('closes a socket that floods messages', async () => {
    const flooder = await retryUntil(srv.url, randomPeerId(), 'tok', (t) => t === 'OPEN');
    for (let i = 0; i < 10; i++) flooder.send({ type: 'HEARTBEAT' });
    const error = await flooder.next((m) => m.type === 'ERROR');
    expect((error.payload as { msg: string }).msg).toMatch(/Too many signaling messages/);
    await flooder.closed;
  });

  it('refuses another token on a live id (ID-TAKEN) and on a just-freed id (reserved)', async () => {
    const id = randomPeerId('victim');
    const owner = await retryUntil(srv.url, id, 'owner-token', (t) => t === 'OPEN');
    const thief = await openRawPeer(srv.url, id, 'thief-token');
    expect((await thief.next(() => true)).type).toBe('ID-TAKEN');
    await thief.closed;
    await closeAll([owner]);
    const refused = await retryUntil(srv.url, id, 'thief-token', (t) => t === 'ERROR');
    expect((refused.messages[0]!.payload as { msg: string }).msg).toMatch(/reserved for its previous owner/);
    await refused.closed;
    const back = await retryUntil(srv.url, id, 'owner-token', (t) => t === 'OPEN');
    await closeAll([back]);
  });

  it('frees a reserved id after idReservationMs', async () => {
    const quick = await startServer({ port: 0, idReservationMs: 30 });
    const id = randomPeerId();
    const owner = await connectRawPeer(quick.url, id, 'one');
    await closeAll([owner]);
    const next = await retryUntil(quick.url, id, 'two', (t) => t === 'OPEN');
    await closeAll([next]);
    await quick.close();
  });
});

describe('host presence', () => {
  it('deletes a lobby once its host has been gone for lobbyGraceMs; a reconnect within it keeps the lobby', async () => {
    const srv = await startServer({ port: 0, lobbyGraceMs: 150, lookupRatePerMinute: 1e6 });
    const tokens = { h1: randomBytes(8).toString('hex'), h2: randomBytes(8).toString('hex') };
    const h1 = await connectRawPeer(srv.url, randomPeerId('h1'), tokens.h1);
    const h2 = await connectRawPeer(srv.url, randomPeerId('h2'), tokens.h2);
    const make = async (host: RawPeer) => (await http(srv.url, 'POST', '/api/lobbies', { name: 'L', maxPlayers: 2, public: true, hostPeerId: host.id, hostPeerToken: host.token })).body.lobby.code as string;
    const code1 = await make(h1);
    const code2 = await make(h2);
    expect((await http(srv.url, 'GET', '/healthz')).body.lobbies).toBe(2);

    await closeAll([h1]);
    await closeAll([h2]);
    const h1again = await retryUntil(srv.url, h1.id, tokens.h1, (t) => t === 'OPEN');
    const deadline = Date.now() + 5000;
    while ((await http(srv.url, 'GET', `/api/lobbies/${code2}`)).status !== 404) {
      expect(Date.now(), 'lobby of the gone host was never deleted').toBeLessThan(deadline);
    }
    expect((await http(srv.url, 'GET', `/api/lobbies/${code1}`)).status).toBe(200);
    expect((await http(srv.url, 'GET', '/healthz')).body.lobbies).toBe(1);
    await closeAll([h1again]);
    await srv.close();
  });
});
