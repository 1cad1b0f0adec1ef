/**
 * The Chromium side of the benchmarks, bundled to /bench/page.js and driven by
 * bench/chromium.ts through playwright as `window.bench`. One page answers (echoes, hosts),
 * the other measures, so every figure crosses two real renderer processes. Same five paths as
 * in Node: a raw negotiated unreliable channel (signaling relayed by the driver), hostmesh
 * unreliable / reliable, PeerJS default (BinaryPack, reliable) and PeerJS reliable:false.
 */
import { Peer, type DataConnection } from 'peerjs';
import { connect, type Session } from '../../sdk/src/index.js';
import { PEER_KEY } from '../../sdk/src/wire/protocol.js';
import { arenaScene } from '../lib/scenes.js';

type Send = (data: Uint8Array) => void;
const senders = new Map<string, Send>();
const receivers = new Map<string, (data: unknown) => void>();
let pc: RTCPeerConnection | undefined;
let rawCh: RTCDataChannel | undefined;
let session: Session | undefined;
let peer: Peer | undefined;

function bytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  throw new Error('not binary');
}
const deliver = (path: string) => (v: unknown) => receivers.get(path)?.(v);
const gathered = (p: RTCPeerConnection) => new Promise<void>((res) => {
  if (p.iceGatheringState === 'complete') res();
  else p.addEventListener('icegatheringstatechange', () => { if (p.iceGatheringState === 'complete') res(); });
});
const peerOptions = (server: string) => {
  const u = new URL(server);
  return { host: u.hostname, port: Number(u.port), path: '/peerjs', key: PEER_KEY, secure: false, debug: 0, config: { iceServers: [] } };
};

const bench = {
  /** Cross-origin isolation and the smallest performance.now() step seen, µs. */
  timing(): { crossOriginIsolated: boolean; timerResolutionUs: number } {
    let min = Infinity, last = performance.now();
    for (let i = 0; i < 200_000 && min > 0.001; i++) { const t = performance.now(); if (t > last) { min = Math.min(min, t - last); last = t; } }
    return { crossOriginIsolated: globalThis.crossOriginIsolated === true, timerResolutionUs: Math.round(min * 1000 * 100) / 100 };
  },

  /** Raw channel, step 1 (both pages): a peer connection with the negotiated unreliable channel. */
  rawCreate(echo: boolean): void {
    pc = new RTCPeerConnection({ iceServers: [] });
    rawCh = pc.createDataChannel('raw', { negotiated: true, id: 0, ordered: false, maxRetransmits: 0 });
    rawCh.binaryType = 'arraybuffer';
    const ch = rawCh;
    ch.onmessage = echo ? (e) => ch.send(e.data as ArrayBuffer) : (e) => deliver('raw')(e.data);
    senders.set('raw', (d) => ch.send(d as Uint8Array<ArrayBuffer>));
  },
  async rawOffer(): Promise<RTCSessionDescriptionInit> {
    await pc!.setLocalDescription(await pc!.createOffer());
    await gathered(pc!);
    return pc!.localDescription!.toJSON();
  },
  async rawAnswer(offer: RTCSessionDescriptionInit): Promise<RTCSessionDescriptionInit> {
    await pc!.setRemoteDescription(offer);
    await pc!.setLocalDescription(await pc!.createAnswer());
    await gathered(pc!);
    return pc!.localDescription!.toJSON();
  },
  async rawFinish(answer: RTCSessionDescriptionInit): Promise<void> {
    await pc!.setRemoteDescription(answer);
  },
  rawOpen(): Promise<void> {
    return new Promise((res) => { if (rawCh!.readyState === 'open') res(); else rawCh!.addEventListener('open', () => res()); });
  },

  /** hostmesh: host a lobby that echoes 'mu' unreliably and 'mr' reliably, and sends the arena state at `tickRateHz`. */
  async hmHost(server: string, tickRateHz: number): Promise<{ code: string; id: string }> {
    const s = await connect({ server, peerTimeoutMs: 60_000 }).host({ maxPlayers: 8, tickRateHz });
    s.onMessage('mu', (d, from) => s.send('mu', d, { reliable: false, to: from }));
    s.onMessage('mr', (d, from) => s.send('mr', d, { reliable: true, to: from }));
    const scene = arenaScene(8, 1 / tickRateHz);
    s.setState(scene.next());
    setInterval(() => s.setState(scene.next()), 1000 / tickRateHz);
    session = s;
    return { code: s.code, id: s.selfId };
  },
  async hmJoin(server: string, code: string): Promise<void> {
    const s = await connect({ server, peerTimeoutMs: 60_000 }).join(code);
    s.onMessage('mu', deliver('hostmesh-unreliable'));
    s.onMessage('mr', deliver('hostmesh-reliable'));
    senders.set('hostmesh-unreliable', (d) => s.send('mu', d, { reliable: false, to: s.hostId }));
    senders.set('hostmesh-reliable', (d) => s.send('mr', d, { reliable: true, to: s.hostId }));
    session = s;
  },

  /** PeerJS: a peer on our PeerServer that echoes every connection's data. */
  async pjListen(server: string): Promise<string> {
    peer = new Peer(peerOptions(server));
    peer.on('connection', (c) => c.on('data', (d) => { void c.send(d); }));
    return new Promise((res, rej) => { peer!.once('open', res); peer!.once('error', rej); });
  },
  async pjConnect(server: string, id: string): Promise<void> {
    peer = new Peer(peerOptions(server));
    await new Promise((res, rej) => { peer!.once('open', res); peer!.once('error', rej); });
    const open = (c: DataConnection) => new Promise<void>((res) => c.once('open', () => res()));
    for (const [path, reliable] of [['peerjs-default', true], ['peerjs-unordered', false]] as const) {
      const c = peer.connect(id, { reliable });
      c.on('data', deliver(path));
      await open(c);
      senders.set(path, (d) => { void c.send(d); });
    }
  },

  /** Closed-loop echo over `path`: RTTs in ms (warm-up excluded). */
  async echo(path: string, size: number, count: number, warmup: number, timeoutMs: number): Promise<{ rtts: number[]; lost: number }> {
    const send = senders.get(path);
    if (!send) throw new Error(`path ${path} is not connected`);
    let waiting: ((seq: number) => void) | undefined;
    receivers.set(path, (v) => { const b = bytes(v); waiting?.(new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0, true)); });
    const rtts: number[] = [];
    let lost = 0;
    for (let seq = 0; seq < count + warmup; seq++) {
      const msg = new Uint8Array(size);
      new DataView(msg.buffer).setUint32(0, seq, true);
      const t0 = performance.now();
      const ok = await new Promise<boolean>((res) => {
        const timer = setTimeout(() => res(false), timeoutMs);
        waiting = (s) => { if (s === seq) { clearTimeout(timer); res(true); } };
        send(msg);
      });
      const rtt = performance.now() - t0;
      if (seq < warmup) continue;
      if (ok) rtts.push(rtt); else lost++;
    }
    receivers.delete(path);
    return { rtts, lost };
  },

  /** Joins `code` `n` times (leaving in between): ms to join() resolved and to the first complete snapshot. */
  async joinLoop(server: string, code: string, n: number): Promise<{ toJoin: number[]; toSnapshot: number[]; failures: string[] }> {
    const toJoin: number[] = [], toSnapshot: number[] = [], failures: string[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      try {
        const s = await connect({ server }).join(code);
        const t1 = performance.now();
        const t2 = Object.keys(s.latestState()).length > 0 ? performance.now()
          : await new Promise<number>((res, rej) => { const off = s.on('snapshot', () => { off(); res(performance.now()); }); setTimeout(() => rej(new Error('no snapshot in 10 s')), 10_000); });
        toJoin.push(t1 - t0); toSnapshot.push(t2 - t0);
        await s.leave();
      } catch (err) { failures.push(String(err)); }
      await new Promise((r) => setTimeout(r, 30));
    }
    return { toJoin, toSnapshot, failures };
  },

  async close(): Promise<void> {
    await session?.leave().catch(() => {});
    peer?.destroy();
    pc?.close();
  },
};

(globalThis as unknown as { bench: typeof bench }).bench = bench;
