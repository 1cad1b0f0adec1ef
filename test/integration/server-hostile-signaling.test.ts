/**
 * Hostile signaling clients against the real server (raw `ws` sockets, many loopback source
 * addresses): frames that once crashed it, id takeover through the query, reservations,
 * host-id proof, per-address and global caps with room for newcomers, the queue for absent ids.
 * Memory and latency under floods are in server-floods.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/src/index.js';
import { httpFrom, loopback } from '../helpers/server-attack.js';
import { closeAll, connectRawPeer, openRawPeer, randomPeerId, signalingUrl, type RawPeer } from '../helpers/server-raw-peer.js';

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

/** The first thing the server says to a socket opened with `url` from `localAddress`. */
async function firstAnswer(baseUrl: string, url: string, localAddress?: string): Promise<{ peer: RawPeer; type: string; msg: string }> {
  const peer = await openRawPeer(baseUrl, 'x', 'x', 'hostmesh', { url, ...(localAddress === undefined ? {} : { localAddress }) });
  const first = await peer.next(() => true);
  return { peer, type: first.type, msg: String((first.payload as { msg?: unknown } | undefined)?.msg ?? '') };
}

const token = () => randomBytes(8).toString('hex');

describe('frames that crashed the server', () => {
  let srv: RunningServer;
  let a: RawPeer;
  let b: RawPeer;
  beforeAll(async () => {
    srv = await startServer({ port: 0 });
    a = await connectRawPeer(srv.url);
    b = await connectRawPeer(srv.url);
  });
  afterAll(async () => {
    await closeAll([a, b]);
    await srv.close();
  });

  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
  const frames: Array<[string, () => string]> = [
    ['a 12 KB frame nested 6,000 deep in payload', () => `{"type":"OFFER","dst":"${'b'}","payload":${deep(6000)}}`],
    ['a frame nested 6,000 deep in type', () => `{"type":${deep(6000)}}`],
    ['objects nested 3,000 deep in payload', () => `{"type":"CANDIDATE","dst":"b","payload":${deepObject(3000)}}`],
    ['nesting just over the cap (17)', () => `{"type":"OFFER","dst":"b","payload":${deep(17)}}`],
    ['a deep dst', () => `{"type":"OFFER","dst":${deep(5000)},"payload":1}`],
    ['a truncated deep frame', () => `{"type":"OFFER","dst":"b","payload":${'['.repeat(20000)}`],
  ];

  it.each(frames)('%s: only that socket is closed with ERROR; the server and other peers carry on', async (_what, make) => {
    const bad = await connectRawPeer(srv.url);
    bad.send(make().replace('"dst":"b"', `"dst":"${b.id}"`));
    const error = await bad.next((m) => m.type === 'ERROR');
    expect(String((error.payload as { msg?: unknown }).msg)).toMatch(/deeper than 16|not valid JSON/);
    expect((await bad.closed).code).toBe(1008);
    expect((await httpFrom(undefined, srv.url, 'GET', '/healthz')).status).toBe(200);
    await relayWorks(a, b);
    expect(b.messages.some((m) => m.src === bad.id)).toBe(false);
  });

  it('relays a 15-deep payload (under the cap) unchanged', async () => {
    const payload = JSON.parse(deep(15));
    a.send({ type: 'OFFER', dst: b.id, payload });
    const got = await b.next((m) => m.type === 'OFFER' && Array.isArray(m.payload));
    expect(got.payload).toEqual(payload);
  });
});

describe('peer-id takeover through the query', () => {
  let srv: RunningServer;
  beforeAll(async () => { srv = await startServer({ port: 0, lobbyGraceMs: 2000, idReservationMs: 50, maxLobbiesPerHost: 10 }); });
  afterAll(async () => { await srv.close(); });

  it('refuses duplicated id/token/key parameters; the real owner keeps its id and its offers', async () => {
    const victimId = randomPeerId('victim');
    const base = srv.url.replace(/^http/, 'ws') + '/peerjs/peerjs';
    for (const query of [
      `key=hostmesh&id=decoy&token=T&id=${victimId}`,
      `key=hostmesh&id=${victimId}&token=T&id=decoy`,
      `key=hostmesh&id=${victimId}&token=T&token=U`,
      `key=hostmesh&key=hostmesh&id=${victimId}&token=T`,
      `key=hostmesh&id=${'x'.repeat(230)}%3Cimg%3E&token=T`,
      `key=hostmesh&id=a%3Cb%3E&token=T`,
      `key=hostmesh&token=T`,
      `key=hostmesh&id=${victimId}`,
    ]) {
      const { peer, type, msg } = await firstAnswer(srv.url, `${base}?${query}`);
      expect(type, query).toBe('ERROR');
      expect(msg.length, query).toBeGreaterThan(20);
      await peer.closed;
    }
    const owner = await connectRawPeer(srv.url, victimId, token());
    const joiner = await connectRawPeer(srv.url);
    await relayWorks(joiner, owner);
    await closeAll([owner, joiner]);
  });

  it("a departed host's id stays reserved while its lobby is listed, even past idReservationMs; its owner gets it back", async () => {
    const hostToken = token();
    const host = await connectRawPeer(srv.url, randomPeerId('host'), hostToken);
    const created = await httpFrom(undefined, srv.url, 'POST', '/api/lobbies', { name: 'L', maxPlayers: 4, public: true, hostPeerId: host.id, hostPeerToken: hostToken });
    expect(created.status, created.text).toBe(201);
    await closeAll([host]);
    // idReservationMs is 50 ms; a lobby host's reservation lasts lobbyGraceMs + 5 s.
    await new Promise((r) => setTimeout(r, 200));
    const stranger = await firstAnswer(srv.url, signalingUrl(srv.url, host.id, 'stranger-token'));
    expect(stranger.type).toBe('ERROR');
    expect(stranger.msg).toMatch(/reserved for its previous owner/);
    await stranger.peer.closed;
    // The lobby is kept but hidden while its host is away (issue 12: no newcomer is sent to a gone host).
    expect((await httpFrom(undefined, srv.url, 'GET', `/api/lobbies/${created.body.lobby.code}`)).status).toBe(410);
    const back = await connectRawPeer(srv.url, host.id, hostToken);
    expect((await httpFrom(undefined, srv.url, 'GET', `/api/lobbies/${created.body.lobby.code}`)).status).toBe(200);
    const joiner = await connectRawPeer(srv.url);
    await relayWorks(joiner, back);
    await closeAll([back, joiner]);
  });
});

describe('reservations that churn', () => {
  it("100s of connect/disconnect cycles from other addresses do not push out a victim's reservation", async () => {
    const srv = await startServer({ port: 0, maxReservationsPerIp: 5, signalingConnectsPerMinute: 10_000, signalingConnectBurst: 10_000 });
    try {
      const victim = await connectRawPeer(srv.url, randomPeerId('victim'), 'owner-token', { localAddress: '127.0.0.2' });
      await closeAll([victim]);
      for (let i = 0; i < 300; i++) {
        const p = await connectRawPeer(srv.url, randomPeerId('churn'), 't', { localAddress: loopback(i % 3, 7) });
        await closeAll([p]);
      }
      const thief = await firstAnswer(srv.url, signalingUrl(srv.url, victim.id, 'thief'), '127.0.0.3');
      expect(thief.type).toBe('ERROR');
      expect(thief.msg).toMatch(/reserved/);
      const back = await connectRawPeer(srv.url, victim.id, 'owner-token', { localAddress: '127.0.0.2' });
      await closeAll([back]);
    } finally {
      await srv.close();
    }
  });

  it('one address opening sockets in a loop is slowed by the connect rate (429 before the handshake)', async () => {
    const srv = await startServer({ port: 0, signalingConnectsPerMinute: 20, signalingConnectBurst: 20 });
    try {
      const answers: string[] = [];
      for (let i = 0; i < 25; i++) {
        const opened = await openRawPeer(srv.url, randomPeerId(), 't', 'hostmesh', { localAddress: '127.0.0.9' }).then(
          async (peer) => {
            const first = await peer.next(() => true);
            peer.ws.terminate();
            await peer.closed;
            return first.type;
          },
          (err: unknown) => String(err),
        );
        answers.push(opened);
      }
      // 20 at once, and at most one more from the refill (one every 3 s) while the loop runs.
      expect(answers.filter((a) => a === 'OPEN').length).toBeGreaterThanOrEqual(20);
      expect(answers.filter((a) => a === 'OPEN').length).toBeLessThanOrEqual(21);
      expect(answers.at(-1)).toMatch(/429/);
      const refused = await httpFrom('127.0.0.9', srv.url, 'GET', '/peerjs/peerjs?key=hostmesh&id=x1&token=t', undefined, {
        connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      });
      expect(refused.status).toBe(429);
      expect(refused.body.error.message).toMatch(/per minute/);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      const other = await connectRawPeer(srv.url, undefined, undefined, { localAddress: '127.0.0.10' });
      await closeAll([other]);
    } finally {
      await srv.close();
    }
  });
});

describe('host-id proof', () => {
  it('refuses a lobby naming another connected peer as host without its token', async () => {
    const srv = await startServer({ port: 0 });
    try {
      const victimToken = token();
      const victim = await connectRawPeer(srv.url, randomPeerId('v'), victimToken);
      const attackerToken = token();
      const attacker = await connectRawPeer(srv.url, randomPeerId('a'), attackerToken);
      const body = { name: 'Fake', maxPlayers: 4, public: true, hostPeerId: victim.id };
      const wrong = await httpFrom(undefined, srv.url, 'POST', '/api/lobbies', { ...body, hostPeerToken: attackerToken });
      expect(wrong.status).toBe(403);
      expect(wrong.body.error.code).toBe('UNAUTHORIZED');
      const none = await httpFrom(undefined, srv.url, 'POST', '/api/lobbies', body);
      expect(none.status).toBe(400);
      expect(none.body.error.message).toMatch(/hostPeerToken/);
      const own = await httpFrom(undefined, srv.url, 'POST', '/api/lobbies', { ...body, hostPeerToken: victimToken });
      expect(own.status).toBe(201);
      await closeAll([victim, attacker]);
    } finally {
      await srv.close();
    }
  });
});

describe('caps that keep room for newcomers', () => {
  it('an attacker holding every signaling place from 25 addresses cannot keep honest newcomers out', async () => {
    const srv = await startServer({ port: 0, maxSignalingConnections: 100, maxConnectionsPerIp: 8, signalingConnectsPerMinute: 10_000, signalingConnectBurst: 10_000 });
    try {
      const attackers: RawPeer[] = [];
      for (let i = 0; i < 25 * 8; i++) {
        const p = await openRawPeer(srv.url, randomPeerId('atk'), 't', 'hostmesh', { localAddress: loopback(i % 25, 3) });
        await p.next(() => true).catch(() => undefined);
        attackers.push(p);
      }
      const holding = () => attackers.filter((p) => p.ws.readyState === p.ws.OPEN).length;
      expect(holding()).toBeGreaterThanOrEqual(90);
      const early = await connectRawPeer(srv.url, randomPeerId('early'), 't', { localAddress: '127.0.9.1' });
      let admitted = 0;
      for (let i = 0; i < 20; i++) {
        const { peer, type } = await firstAnswer(srv.url, signalingUrl(srv.url, randomPeerId('new'), 't'), loopback(i, 4));
        if (type === 'OPEN') admitted++;
        peer.ws.close();
        await peer.closed;
      }
      expect(admitted).toBe(20);
      expect(early.ws.readyState).toBe(early.ws.OPEN);
      const other = await connectRawPeer(srv.url, undefined, undefined, { localAddress: '127.0.9.2' });
      await relayWorks(early, other);
      await closeAll([early, other, ...attackers]);
    } finally {
      await srv.close();
    }
  });
});

describe('messages for absent ids', () => {
  it('are capped per id and in all; the sender stays connected and honest relay works', async () => {
    const srv = await startServer({ port: 0, maxUndeliveredBytes: 64 * 1024, maxSignalingMessagesPerSecond: 10_000, maxSignalingBytesPerSecond: 10 * 1024 * 1024 });
    try {
      const sender = await connectRawPeer(srv.url);
      const payload = 'x'.repeat(1000);
      // 200 KB towards absent ids: 64 KiB are queued, the rest dropped.
      for (let i = 0; i < 200; i++) sender.send({ type: 'OFFER', dst: `absent${i % 10}`, payload });
      const late = await connectRawPeer(srv.url, 'absent0', 't');
      const got = await late.next((m) => m.type === 'OFFER').then(() => late.messages.filter((m) => m.type === 'OFFER').length);
      expect(got).toBeGreaterThan(0);
      expect(got).toBeLessThanOrEqual(64);
      expect(sender.ws.readyState).toBe(sender.ws.OPEN);
      await relayWorks(sender, late);
      await closeAll([sender, late]);
    } finally {
      await srv.close();
    }
  });
});
