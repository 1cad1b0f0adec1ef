/**
 * The ICE-restart envelope (HOSTMESH_ICE) end to end, against the real server and real WebRTC
 * peers in Node. The server: relays exactly the envelope's shape (rebuilt, `src` stamped from the
 * sender's registered id, whatever the sender wrote), closes a socket that sends a malformed or
 * oversized one, drops envelopes for ids that are not connected and those over the per-socket
 * rate, and keeps relaying for everyone else. The peers: a forced ICE restart on a live link
 * brings it back on the same RTCPeerConnection (restarts during a restart included); forged,
 * duplicated, stale, out-of-turn envelopes and ones for unknown connections are dropped and
 * counted, never thrown, and the link carries on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Session } from '../../sdk/src/node.js';
import { sessionCore } from '../../sdk/src/session/session.js';
import type { PeerNetwork } from '../../sdk/src/link/peer-network.js';
import type { IceRestarter } from '../../sdk/src/link/ice-restart.js';
import type { Link } from '../../sdk/src/link/link.js';
import { ICE_SIGNAL_TYPE } from '../../sdk/src/wire/protocol.js';
import { ICE_RELAY_RATE } from '../../server/src/signaling/ice-relay.js';
import { startServer, type RunningServer } from '../../server/src/index.js';
import { closeAll, connectRawPeer, randomPeerId, type RawPeer } from '../helpers/server-raw-peer.js';
import { until } from '../helpers/wait.js';

let srv: RunningServer;
beforeAll(async () => { srv = await startServer({ port: 0 }); });
afterAll(async () => { await srv.close(); });

const offer = (extra: Record<string, unknown> = {}) => ({ connectionId: 'dc_abc123', gen: 1, kind: 'offer', sdp: 'v=0 fake', ...extra });

describe('the server relays the ICE envelope and nothing like it', () => {
  let a: RawPeer;
  let b: RawPeer;
  beforeAll(async () => { a = await connectRawPeer(srv.url); b = await connectRawPeer(srv.url); });
  afterAll(async () => { await closeAll([a, b]); });

  it('forwards a valid envelope with the sender stamped as src and only the known fields', async () => {
    a.send({ type: ICE_SIGNAL_TYPE, dst: b.id, src: 'someone-else', payload: offer({ sdp: 'v=0 one', evil: { x: 1 } }) } as never);
    const got = await b.next((m) => m.type === ICE_SIGNAL_TYPE && (m.payload as { sdp?: string }).sdp === 'v=0 one');
    expect(got.src).toBe(a.id);
    expect(got.payload).toEqual({ connectionId: 'dc_abc123', gen: 1, kind: 'offer', sdp: 'v=0 one' });
    b.send({ type: ICE_SIGNAL_TYPE, dst: a.id, payload: { connectionId: 'dc_abc123', gen: 1, kind: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 10.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 } } });
    expect((await a.next((m) => m.type === ICE_SIGNAL_TYPE)).src).toBe(b.id);
  });

  const malformed: Array<[string, unknown]> = [
    ['an unknown kind', offer({ kind: 'renegotiate' })],
    ['a negative generation', offer({ gen: -1 })],
    ['a fractional generation', offer({ gen: 1.5 })],
    ['a generation past 2^31', offer({ gen: 2 ** 31 })],
    ['an offer without an SDP', offer({ sdp: undefined })],
    ['an SDP over 32 KiB', offer({ sdp: 'x'.repeat(33 * 1024) })],
    ['a bad connection id', offer({ connectionId: '../../etc' })],
    ['a candidate that is not a string', { connectionId: 'dc_1', gen: 0, kind: 'candidate', candidate: { candidate: 42 } }],
    ['a candidate with a huge sdpMLineIndex', { connectionId: 'dc_1', gen: 0, kind: 'candidate', candidate: { candidate: 'c', sdpMLineIndex: 1e9 } }],
    ['a payload that is an array', [offer()]],
    ['no payload', undefined],
  ];
  it.each(malformed)('%s: only the sender is refused (ERROR, closed); the relay carries on for others', async (_what, payload) => {
    const bad = await connectRawPeer(srv.url);
    bad.send({ type: ICE_SIGNAL_TYPE, dst: b.id, payload } as never);
    await bad.next((m) => m.type === 'ERROR');
    await bad.closed;
    const n = Math.random().toString(36).slice(2);
    a.send({ type: ICE_SIGNAL_TYPE, dst: b.id, payload: offer({ sdp: `v=0 after ${n}` }) });
    await b.next((m) => (m.payload as { sdp?: string } | undefined)?.sdp === `v=0 after ${n}`);
    expect(b.messages.filter((m) => m.src === bad.id)).toEqual([]);
  });

  it('drops envelopes for an id that is not connected (never queued) and keeps the sender open', async () => {
    const ghost = randomPeerId('ghost');
    a.send({ type: ICE_SIGNAL_TYPE, dst: ghost, payload: offer() });
    const late = await connectRawPeer(srv.url, ghost);
    a.send({ type: ICE_SIGNAL_TYPE, dst: ghost, payload: offer({ sdp: 'v=0 now' }) });
    const got = await late.next((m) => m.type === ICE_SIGNAL_TYPE);
    expect((got.payload as { sdp: string }).sdp).toBe('v=0 now'); // the first one was not held for it
    await closeAll([late]);
  });

  it(`rate-limits each socket to ${ICE_RELAY_RATE.perSecond}/s (bursts of ${ICE_RELAY_RATE.burst}): the rest is dropped, the socket stays`, async () => {
    const flooder = await connectRawPeer(srv.url);
    const sink = await connectRawPeer(srv.url);
    for (let i = 0; i < 150; i++) flooder.send({ type: ICE_SIGNAL_TYPE, dst: sink.id, payload: offer({ gen: i + 1 }) });
    await sink.next((m) => (m.payload as { gen?: number } | undefined)?.gen === ICE_RELAY_RATE.burst);
    flooder.send({ type: 'HEARTBEAT' });
    await new Promise((r) => setTimeout(r, 300)); // what was over the rate would have arrived by now
    const got = sink.messages.filter((m) => m.type === ICE_SIGNAL_TYPE).length;
    expect(got).toBeGreaterThanOrEqual(ICE_RELAY_RATE.burst);
    expect(got).toBeLessThan(150);
    expect(flooder.ws.readyState).toBe(flooder.ws.OPEN);
    // Tokens come back with time.
    await new Promise((r) => setTimeout(r, 1000));
    flooder.send({ type: ICE_SIGNAL_TYPE, dst: sink.id, payload: offer({ gen: 10_000 }) });
    await sink.next((m) => (m.payload as { gen?: number } | undefined)?.gen === 10_000);
    await closeAll([flooder, sink]);
  });
});

type Net = Pick<PeerNetwork, 'signaling'> & { restarters: Map<string, IceRestarter>; peer: { socket: { send(m: unknown): void } } };

/** The host's link to the client and the restarters on both ends. */
function internals(host: Session, client: Session) {
  const hostNet = sessionCore(host).net as unknown as Net;
  const clientNet = sessionCore(client).net as unknown as Net;
  const hostLink = sessionCore(host).links.get(client.selfId)!;
  const clientLink = sessionCore(client).links.get(host.selfId)!;
  const pcOf = (l: Link) => (l as unknown as { channels: { reliable: unknown } }).channels.reliable;
  const [hostKey, hostRestarter] = [...hostNet.restarters].find(([k]) => k.startsWith(`${client.selfId} `))!;
  const clientRestarter = [...clientNet.restarters].find(([k]) => k.startsWith(`${host.selfId} `))![1];
  const connectionId = hostKey.split(' ')[1]!;
  return { hostNet, clientNet, hostLink, clientLink, pcOf, hostRestarter, clientRestarter, connectionId };
}

describe('ICE restart between real peers', () => {
  let host: Session;
  let client: Session;
  beforeAll(async () => {
    host = await connect(srv.url).host({ name: 'Ice', playerName: 'Host' });
    client = await connect(srv.url).join(host.code, { playerName: 'Bob' });
    host.onMessage('ping-back', (d, from) => host.send('pong', d, { to: from }));
  });
  afterAll(async () => { await client.leave(); await host.leave(); });

  async function roundTrip(): Promise<void> {
    const n = Math.random();
    const got = new Promise<void>((resolve) => { const off = client.onMessage('pong', (d) => { if (d === n) { off(); resolve(); } }); });
    client.send('ping-back', n, { to: host.selfId });
    await got;
  }

  it('a forced restart from either side brings the same connection back (twice at once included)', async () => {
    const i = internals(host, client);
    const connBefore = i.pcOf(i.hostLink);
    const restoredBefore = i.clientRestarter.stats.restored + i.hostRestarter.stats.restored;
    // The dialling side (the client) offers; the host asks it to. Both at once, twice: a restart during a restart.
    i.clientRestarter.start();
    i.hostRestarter.start();
    i.clientRestarter.stop();
    i.clientRestarter.start();
    await until(() => i.clientRestarter.stats.attempts >= 2 && i.hostRestarter.stats.attempts >= 1, 10_000, 'restart attempts on both sides');
    expect(i.pcOf(i.hostLink)).toBe(connBefore);
    await until(() => !i.clientRestarter.restarting || i.clientRestarter.stats.restored + i.hostRestarter.stats.restored > restoredBefore, 15_000, 'ICE connected again');
    i.clientRestarter.stop();
    i.hostRestarter.stop();
    await roundTrip();
    expect(sessionCore(host).links.get(client.selfId)).toBe(i.hostLink);
    expect(i.hostLink.ready && i.clientLink.ready).toBe(true);
    expect(host.players.has(client.selfId)).toBe(true);
  }, 30_000);

  it('forged, unknown, duplicated, stale and out-of-turn envelopes are dropped and counted; the link carries on', async () => {
    const i = internals(host, client);
    const mallory = await connectRawPeer(srv.url);
    const droppedBefore = i.hostNet.signaling.signalsDropped;
    // A third party names the client's connection: its src is stamped by the server, so no restarter matches.
    for (const kind of ['offer', 'answer', 'request']) {
      mallory.send({ type: ICE_SIGNAL_TYPE, dst: host.selfId, payload: { connectionId: i.connectionId, gen: 99, kind, sdp: 'v=0 forged' } });
    }
    mallory.send({ type: ICE_SIGNAL_TYPE, dst: host.selfId, payload: { connectionId: i.connectionId, gen: 99, kind: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 10.9.9.9 9 typ host' } } });
    await until(() => i.hostNet.signaling.signalsDropped >= droppedBefore + 4, 5000, 'forged envelopes dropped');
    // From the right peer, for a connection that does not exist.
    const send = (payload: unknown) => i.clientNet.peer.socket.send({ type: ICE_SIGNAL_TYPE, dst: host.selfId, payload });
    send({ connectionId: 'dc_nosuchconnection', gen: 1, kind: 'offer', sdp: 'v=0 x' });
    await until(() => i.hostNet.signaling.signalsDropped >= droppedBefore + 5, 5000, 'unknown connection dropped');
    // From the right peer for the right connection, but wrong: the host never takes an answer
    // (it does not offer), a request (only the dialler offers), a stale or duplicated offer
    // generation, or a garbage SDP.
    const refusedBefore = i.hostRestarter.stats.signalsRefused;
    send({ connectionId: i.connectionId, gen: 1, kind: 'answer', sdp: 'v=0 x' });
    send({ connectionId: i.connectionId, gen: 0, kind: 'request' });
    send({ connectionId: i.connectionId, gen: 0, kind: 'offer', sdp: 'v=0 stale' });
    send({ connectionId: i.connectionId, gen: 1_000_000, kind: 'offer', sdp: 'not an sdp at all' });
    send({ connectionId: i.connectionId, gen: 0, kind: 'candidate', candidate: { candidate: 'garbage' } });
    await until(() => i.hostRestarter.stats.signalsRefused >= refusedBefore + 4, 5000, 'wrong envelopes refused');
    // A burst far over what is queued: refused past the queue, never thrown.
    for (let k = 0; k < 200; k++) i.hostRestarter.receive({ connectionId: i.connectionId, gen: 0, kind: 'answer', sdp: 'v=0' });
    await until(() => i.hostRestarter.stats.signalsRefused >= refusedBefore + 200, 5000, 'burst refused');
    await roundTrip();
    expect(i.hostLink.ready && !i.hostLink.stalled).toBe(true);
    expect(sessionCore(host).links.get(client.selfId)).toBe(i.hostLink);
    await closeAll([mallory]);
  }, 30_000);
});
