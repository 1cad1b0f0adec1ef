/**
 * The five message paths the benchmarks compare, as connected endpoint pairs in one Node
 * process (over loopback, or whatever network the process runs in):
 * - `raw`: a plain RTCPeerConnection pair (@roamhq/wrtc) with in-process signaling and one
 *   negotiated channel `ordered:false, maxRetransmits:0`: the settings of hostmesh's
 *   unreliable channel, without hostmesh. The floor: with `rawBytes`, byte arrays go out as
 *   they are (echo); otherwise values are packed with msgpackr (snapshots).
 * - `hostmesh-unreliable` / `hostmesh-reliable`: a real server, a host and a joiner;
 *   `session.send(type, data, { reliable, to })`.
 * - `peerjs-default`: PeerJS `connect(id, { reliable: true })` with its default BinaryPack
 *   serialization. `peerjs-unordered`: PeerJS `reliable: false`, which is still reliable
 *   (unordered; FACTS.md). PeerJS always talks to OUR PeerServer, never peerjs.com.
 * Every endpoint sends and receives JS values: raw packs them with msgpackr (unless rawBytes),
 * hostmesh with its codec, PeerJS with BinaryPack, as a user of each would.
 */
import wrtc from '@roamhq/wrtc';
import { Packr } from 'msgpackr';
import type { DataConnection, Peer as PeerType } from 'peerjs';
import { connect, type Session } from '../../sdk/src/node.js';
import { PEER_KEY } from '../../sdk/src/wire/protocol.js';

/** Path names, in display order. */
export const PATHS = ['raw', 'hostmesh-unreliable', 'hostmesh-reliable', 'peerjs-default', 'peerjs-unordered'] as const;
/** A path name. */
export type PathName = (typeof PATHS)[number];

/** One side of a connected pair. */
export interface Endpoint {
  /** Sends one message to the other side (may be dropped on unreliable paths). */
  send(value: unknown): void;
  /** Registers the (single) receive handler. */
  onMessage(cb: (value: unknown) => void): void;
}

/** A connected pair: `a` measures, `b` answers or sends snapshots. */
export interface Pair {
  path: PathName;
  a: Endpoint;
  b: Endpoint;
  /** Connection setup time, ms. */
  setupMs: number;
  close(): Promise<void>;
  /** hostmesh paths only: the two sessions (b hosts). */
  sessions?: { host: Session; client: Session };
}

/** Where the pairs connect for signaling. */
export interface PairContext {
  serverUrl: string;
}

const packr = new Packr({ useRecords: false });

/** Bytes of any binary value a channel delivers (ArrayBuffer, typed array, Buffer). */
export function toBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  throw new Error(`not binary: ${Object.prototype.toString.call(v)}`);
}

function handlerSlot(): { set(cb: (v: unknown) => void): void; call(v: unknown): void } {
  let h: (v: unknown) => void = () => {};
  return { set: (cb) => { h = cb; }, call: (v) => h(v) };
}

/** Raw negotiated unreliable channel between two in-process RTCPeerConnections; `bytes`: send byte arrays as they are (no codec: the floor). */
async function rawPair(bytes: boolean): Promise<Pair> {
  const t0 = performance.now();
  const pcA = new wrtc.RTCPeerConnection({ iceServers: [] });
  const pcB = new wrtc.RTCPeerConnection({ iceServers: [] });
  pcA.onicecandidate = (e: { candidate: RTCIceCandidate | null }) => { if (e.candidate) void pcB.addIceCandidate(e.candidate); };
  pcB.onicecandidate = (e: { candidate: RTCIceCandidate | null }) => { if (e.candidate) void pcA.addIceCandidate(e.candidate); };
  const init = { negotiated: true, id: 0, ordered: false, maxRetransmits: 0 };
  const chA = pcA.createDataChannel('raw', init);
  const chB = pcB.createDataChannel('raw', init);
  chA.binaryType = chB.binaryType = 'arraybuffer';
  const opened = (ch: RTCDataChannel) => new Promise<void>((res) => { if (ch.readyState === 'open') res(); else ch.onopen = () => res(); });
  const offer = await pcA.createOffer();
  await pcA.setLocalDescription(offer);
  await pcB.setRemoteDescription(offer);
  const answer = await pcB.createAnswer();
  await pcB.setLocalDescription(answer);
  await pcA.setRemoteDescription(answer);
  await withTimeout(Promise.all([opened(chA), opened(chB)]), 15_000, 'raw channel open');
  const end = (ch: RTCDataChannel): Endpoint => {
    const slot = handlerSlot();
    ch.onmessage = (e: MessageEvent) => slot.call(bytes ? e.data : packr.unpack(toBytes(e.data)));
    return {
      send: (v) => {
        if (ch.readyState !== 'open' || ch.bufferedAmount >= 16384) return;
        ch.send((bytes ? toBytes(v) : packr.pack(v)) as Uint8Array<ArrayBuffer>);
      },
      onMessage: slot.set,
    };
  };
  return {
    path: 'raw', a: end(chA), b: end(chB), setupMs: performance.now() - t0,
    close: async () => { chA.close(); chB.close(); pcA.close(); pcB.close(); },
  };
}

/** A hostmesh host (b) and a joiner (a) on one server. */
async function hostmeshPair(ctx: PairContext, reliable: boolean, opts: { tickRateHz?: number } = {}): Promise<Pair> {
  const t0 = performance.now();
  const conn = { server: ctx.serverUrl, heartbeatIntervalMs: 1000, peerTimeoutMs: 30_000, connectTimeoutMs: 20_000 };
  const host = await connect(conn).host({ name: 'bench', maxPlayers: 2, tickRateHz: opts.tickRateHz ?? 30 });
  const client = await connect(conn).join(host.code, { playerName: 'bench' });
  await withTimeout((async () => { while (!host.players.has(client.selfId)) await sleep(5); })(), 10_000, 'host sees joiner');
  const setupMs = performance.now() - t0;
  const end = (s: Session, to: string): Endpoint => {
    const slot = handlerSlot();
    s.onMessage('m', (d) => slot.call(d));
    return { send: (v) => s.send('m', v, { reliable, to }), onMessage: slot.set };
  };
  return {
    path: reliable ? 'hostmesh-reliable' : 'hostmesh-unreliable',
    a: end(client, host.selfId), b: end(host, client.selfId), setupMs,
    sessions: { host, client },
    close: async () => { await client.leave(); await host.leave(); },
  };
}

let PeerCtor: typeof PeerType | undefined;

/** Two PeerJS peers on our PeerServer and one DataConnection (BinaryPack) between them. */
async function peerjsPair(ctx: PairContext, reliable: boolean): Promise<Pair> {
  if (!PeerCtor) {
    const mod = (await import('peerjs')) as unknown as { Peer?: typeof PeerType; default?: { Peer: typeof PeerType } };
    PeerCtor = mod.Peer ?? mod.default?.Peer;
  }
  const url = new URL(ctx.serverUrl);
  const options = { host: url.hostname, port: Number(url.port), path: '/peerjs', key: PEER_KEY, secure: false, debug: 0, config: { iceServers: [] } };
  const t0 = performance.now();
  const open = (p: PeerType) => withTimeout(new Promise<string>((res, rej) => { p.once('open', res); p.once('error', rej); }), 15_000, 'PeerJS signaling');
  const pa = new PeerCtor!(options);
  const pb = new PeerCtor!(options);
  const [, idB] = await Promise.all([open(pa), open(pb)]);
  const incoming = new Promise<DataConnection>((res) => pb.once('connection', res));
  const ca = pa.connect(idB, { reliable });
  const cb = await withTimeout(incoming, 15_000, 'PeerJS connection');
  await withTimeout(Promise.all([ca, cb].map((c) => new Promise<void>((res) => { if (c.open) res(); else c.once('open', () => res()); }))), 15_000, 'PeerJS open');
  const end = (c: DataConnection): Endpoint => {
    const slot = handlerSlot();
    c.on('data', (d) => slot.call(d));
    return { send: (v) => { void c.send(v); }, onMessage: slot.set };
  };
  return {
    path: reliable ? 'peerjs-default' : 'peerjs-unordered', a: end(ca), b: end(cb), setupMs: performance.now() - t0,
    close: async () => { ca.close(); cb.close(); pa.destroy(); pb.destroy(); },
  };
}

/** Connects a pair over `path`. */
export function openPair(path: PathName, ctx: PairContext, opts: { tickRateHz?: number; rawBytes?: boolean } = {}): Promise<Pair> {
  switch (path) {
    case 'raw': return rawPair(opts.rawBytes ?? false);
    case 'hostmesh-unreliable': return hostmeshPair(ctx, false, opts);
    case 'hostmesh-reliable': return hostmeshPair(ctx, true, opts);
    case 'peerjs-default': return peerjsPair(ctx, true);
    case 'peerjs-unordered': return peerjsPair(ctx, false);
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Rejects with a clear message when `p` takes longer than `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error(`timed out after ${ms} ms: ${what}`)), ms); }),
  ]);
}
