/**
 * File transfer and voice figures, over loopback in one Node process (@roamhq/wrtc) and
 * between two Chromium pages:
 * - throughput of `session.sendFile` (its own connection, SHA-256 + CRC-32, windows) against a
 *   plain PeerJS reliable DataConnection sending the same bytes in one `conn.send()` (PeerJS's
 *   BinaryPack chunking and buffering), n runs each, from the send call to the receiver's bytes;
 * - snapshot age at the client (host tick sent → client `snapshot` event), 30 Hz, an 8-player
 *   arena scene: idle, during a 20 MB sendFile (host to that client), and during the same bytes
 *   chunked by hand over the game's own reliable channel (`session.send`, 15 KiB messages);
 * - voice: bitrate per stream (RTP payload and packets, from getStats) while a 440 Hz tone plays
 *   and during silence (DTX), and mouth-to-ear latency (tone onset at the RTCAudioSource to the
 *   first loud frame at the RTCAudioSink), Node only.
 */
import { existsSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import wrtc from '@roamhq/wrtc';
import { chromium } from 'playwright-core';
import type { DataConnection, Peer as PeerType } from 'peerjs';
import { connect, type IncomingTransfer, type Session } from '../sdk/src/node.js';
import { PEER_KEY } from '../sdk/src/wire/protocol.js';
import { hookHostTick } from './lib/host-hook.js';
import { machineInfo } from './lib/machine.js';
import { sleep, withTimeout } from './lib/node-paths.js';
import { benchMode, mdTable, writeResult, type Goal } from './lib/report.js';
import { arenaScene } from './lib/scenes.js';
import { benchServer } from './lib/server.js';
import { summarize, type Summary } from './lib/stats.js';

const mode = benchMode();
const fileBytes = mode === 'smoke' ? 2 * 1024 * 1024 : 20 * 1024 * 1024;
const runs = { smoke: 1, quick: 3, full: 7 }[mode];
const ageSeconds = { smoke: 2, quick: 8, full: 20 }[mode];
const voiceSeconds = { smoke: 2, quick: 6, full: 15 }[mode];
const m2eRuns = { smoke: 3, quick: 10, full: 30 }[mode];
const server = await benchServer();
const conn = { server: server.url, peerTimeoutMs: 30_000, connectTimeoutMs: 20_000 };
const mbps = (bytes: number, ms: number) => Math.round((bytes / 1e6 / (ms / 1000)) * 10) / 10;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function pair(tickRateHz = 30): Promise<{ host: Session; client: Session }> {
  const host = await connect(conn).host({ maxPlayers: 4, tickRateHz });
  const client = await connect(conn).join(host.code);
  await withTimeout((async () => { while (!host.players.has(client.selfId)) await sleep(5); })(), 10_000, 'joined');
  return { host, client };
}

/** One sendFile from `from` to `to`, accepted at once; resolves with ms from the call to the verified bytes. */
async function sendOnce(from: Session, to: Session, data: Uint8Array): Promise<number> {
  const offered = new Promise<IncomingTransfer>((r) => { const off = to.on('fileOffer', (o) => { off(); r(o); }); });
  const t0 = performance.now();
  const [t] = from.sendFile(to.selfId, data, { name: 'bench.bin' });
  const file = await (await offered).accept();
  const ms = performance.now() - t0;
  await t!.done;
  if (file.bytes.length !== data.length) throw new Error('size mismatch');
  return ms;
}

// ---- Node throughput: hostmesh sendFile vs plain PeerJS ----
const data = new Uint8Array(randomBytes(fileBytes));
const node: Record<string, number[]> = { hostmesh: [], peerjs: [] };
{
  const { host, client } = await pair();
  for (let r = 0; r < runs; r++) node.hostmesh!.push(await sendOnce(host, client, data));
  await client.leave();
  await host.leave();
}
{
  const mod = (await import('peerjs')) as unknown as { Peer?: typeof PeerType; default?: { Peer: typeof PeerType } };
  const Peer = (mod.Peer ?? mod.default?.Peer)!;
  const url = new URL(server.url);
  const options = { host: url.hostname, port: Number(url.port), path: '/peerjs', key: PEER_KEY, secure: false, debug: 0, config: { iceServers: [] } };
  const pa = new Peer(options), pb = new Peer(options);
  const opened = (p: PeerType) => new Promise<string>((res, rej) => { p.once('open', res); p.once('error', rej); });
  const [, idB] = await Promise.all([opened(pa), opened(pb)]);
  const incoming = new Promise<DataConnection>((res) => pb.once('connection', res));
  const ca = pa.connect(idB, { reliable: true });
  const cb = await incoming;
  await Promise.all([ca, cb].map((c) => new Promise<void>((res) => { if (c.open) res(); else c.once('open', () => res()); })));
  for (let r = 0; r < runs; r++) {
    const got = new Promise<unknown>((res) => cb.once('data', res));
    const t0 = performance.now();
    void ca.send(data);
    const d = await withTimeout(got, 120_000, 'PeerJS file');
    node.peerjs!.push(performance.now() - t0);
    const bytes = d instanceof ArrayBuffer ? new Uint8Array(d) : (d as Uint8Array);
    if (bytes.byteLength !== data.length) throw new Error(`PeerJS delivered ${bytes.byteLength} bytes`);
  }
  ca.close(); cb.close(); pa.destroy(); pb.destroy();
}

// ---- Snapshot age: idle, during sendFile, during the same bytes on the game link ----
const age: Record<string, Summary> = {};
{
  const { host, client } = await pair(30);
  const scene = arenaScene(8, 1 / 30);
  host.setState(scene.next());
  const hook = hookHostTick(host, () => host.setState(scene.next()));
  let ages: number[] = [];
  client.on('snapshot', (_s, tick) => { const at = hook.sentAt.get(tick); if (at !== undefined) ages.push(performance.now() - at); });
  client.onMessage('chunk', () => {});
  const measure = async (name: string, load: (stop: () => boolean) => Promise<void>) => {
    ages = [];
    hook.reset();
    const until = performance.now() + ageSeconds * 1000;
    const stop = () => performance.now() > until;
    await Promise.all([load(stop), sleep(ageSeconds * 1000)]);
    age[name] = summarize(ages);
  };
  await sleep(1000);
  await measure('idle', async () => {});
  await measure('sendFile', async (stop) => { while (!stop()) await sendOnce(host, client, data); });
  await measure('same link', async (stop) => {
    const piece = 15 * 1024;
    while (!stop()) {
      for (let at = 0; at < data.length && !stop(); at += piece) {
        host.send('chunk', data.subarray(at, at + piece), { to: client.selfId });
        if (at % (64 * piece) === 0) await sleep(0); // let the tick timer run, as a game would
      }
    }
  });
  await client.leave();
  await host.leave();
}

// ---- Voice (Node): bitrate per stream, DTX in silence, mouth-to-ear ----
interface VoiceRow { state: string; payloadKbps: number; packetsPerSec: number; wireKbps: number }
const voice: VoiceRow[] = [];
const m2e: number[] = [];
{
  const { host, client } = await pair();
  const source = new wrtc.nonstandard.RTCAudioSource();
  let loud = true;
  let onsetAt = 0;
  const rate = 48_000, frame = 480;
  let t = 0;
  const timer = setInterval(() => {
    const samples = new Int16Array(frame);
    if (loud) for (let i = 0; i < frame; i++, t++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * t) / rate));
    source.onData({ samples, sampleRate: rate, bitsPerSample: 16, channelCount: 1, numberOfFrames: frame });
  }, 10);
  const track = source.createTrack() as unknown as MediaStreamTrack;
  const gotStream = new Promise<MediaStream>((r) => client.voice.on('stream', (_id, s) => r(s)));
  await host.voice.start({ stream: new MediaStream([track]) });
  const stream = await withTimeout(gotStream, 15_000, 'voice stream');
  let heardAt = 0;
  const sink = new wrtc.nonstandard.RTCAudioSink(stream.getAudioTracks()[0] as never);
  sink.ondata = (d: { samples: Int16Array }) => {
    if (heardAt || !onsetAt) return;
    let peak = 0;
    for (let i = 0; i < d.samples.length; i++) peak = Math.max(peak, Math.abs(d.samples[i]!));
    if (peak > 2000) heardAt = performance.now();
  };
  const out = () => host.voice.connections().find((c) => c.direction === 'out')!.pc;
  const rtp = async () => {
    const stats = await out().getStats();
    let bytes = 0, packets = 0, header = 0;
    stats.forEach((s: { type: string; kind?: string; bytesSent?: number; packetsSent?: number; headerBytesSent?: number }) => {
      if (s.type === 'outbound-rtp') { bytes += s.bytesSent ?? 0; packets += s.packetsSent ?? 0; header += s.headerBytesSent ?? 0; }
    });
    return { bytes, packets, header };
  };
  const bitrate = async (state: string) => {
    const a = await rtp(); const t0 = performance.now();
    await sleep(voiceSeconds * 1000);
    const b = await rtp(); const s = (performance.now() - t0) / 1000;
    const pps = (b.packets - a.packets) / s;
    // On the wire: RTP payload + RTP header (getStats headerBytesSent, else 12) + SRTP tag 10 + UDP 8 + IPv4 20.
    const headerPer = b.packets > a.packets && b.header > a.header ? (b.header - a.header) / (b.packets - a.packets) : 12;
    voice.push({ state, payloadKbps: Math.round(((b.bytes - a.bytes) * 8) / s / 100) / 10, packetsPerSec: Math.round(pps * 10) / 10, wireKbps: Math.round((((b.bytes - a.bytes) + (b.packets - a.packets) * (headerPer + 10 + 8 + 20)) * 8) / s / 100) / 10 });
  };
  await sleep(1500);
  await bitrate('440 Hz tone');
  loud = false;
  await sleep(500);
  await bitrate('silence (DTX)');
  for (let i = 0; i < m2eRuns; i++) {
    loud = false; heardAt = 0; onsetAt = 0;
    await sleep(400);
    onsetAt = performance.now();
    loud = true;
    await withTimeout((async () => { while (!heardAt) await sleep(1); })(), 5000, 'tone onset at the sink');
    m2e.push(heardAt - onsetAt);
  }
  clearInterval(timer);
  sink.stop();
  track.stop();
  await client.leave();
  await host.leave();
}

// ---- Chromium: sendFile between two pages ----
const chromiumMs: number[] = [];
let chromiumVersion = 'not run';
const exe = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (exe) {
  const browser = await chromium.launch({ executablePath: exe, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--disable-features=WebRtcHideLocalIpsWithMdns', '--disable-renderer-backgrounding', '--disable-background-timer-throttling'] });
  chromiumVersion = browser.version();
  try {
    const open = async () => {
      const p = await browser.newPage();
      await p.goto(`${server.url}/healthz`);
      await p.addScriptTag({ type: 'module', content: "import * as hm from '/hostmesh.js'; window.hm = hm;" });
      await p.waitForFunction(() => 'hm' in window);
      return p;
    };
    const [a, b] = [await open(), await open()];
    type W = { hm: typeof import('../sdk/src/index.js'); s: Session };
    const code = await a.evaluate(async () => { const w = window as unknown as W; w.s = await w.hm.connect(location.origin).host({ name: 'bench' }) as unknown as Session; return w.s.code; });
    const bId = await b.evaluate(async (c) => {
      const w = window as unknown as W;
      w.s = await w.hm.connect(location.origin).join(c) as unknown as Session;
      w.s.on('fileOffer', (o) => { void o.accept(); });
      return w.s.selfId;
    }, code);
    for (let r = 0; r < runs; r++) {
      chromiumMs.push(await a.evaluate(async ([to, n]) => {
        const w = window as unknown as W;
        const bytes = new Uint8Array(n as number);
        crypto.getRandomValues(bytes.subarray(0, 65536));
        const t0 = performance.now();
        const [t] = w.s.sendFile(to as string, new Blob([bytes]));
        await t!.done;
        return performance.now() - t0;
      }, [bId, fileBytes] as const));
    }
  } finally {
    await browser.close();
  }
}
await server.close();

const tickMs = 1000 / 30;
const goals: Goal[] = [{
  goal: 'snapshot age p99 at the receiver during a 20 MB transfer within its idle p99 plus one tick interval (33.3 ms at 30 Hz)',
  met: age.sendFile!.p99 <= age.idle!.p99 + tickMs,
  detail: `idle p99 ${age.idle!.p99} ms, during sendFile p99 ${age.sendFile!.p99} ms (max ${age.sendFile!.max}), during the same bytes on the game link p99 ${age['same link']!.p99} ms (max ${age['same link']!.max})`,
}];
const sumMs = (xs: number[]) => summarize(xs);
const results = {
  fileBytes, runs,
  node: { hostmesh: { ms: sumMs(node.hostmesh!), mbps: mbps(fileBytes, sumMs(node.hostmesh!).p50) }, peerjs: { ms: sumMs(node.peerjs!), mbps: mbps(fileBytes, sumMs(node.peerjs!).p50) } },
  chromium: chromiumMs.length ? { hostmesh: { ms: sumMs(chromiumMs), mbps: mbps(fileBytes, sumMs(chromiumMs).p50) } } : null,
  snapshotAgeMs: age,
  voice: { bitrate: voice, mouthToEarMs: summarize(m2e) },
};
void sha;
writeResult('transfer', {
  machine: { ...machineInfo(), chromium: chromiumVersion } as ReturnType<typeof machineInfo>,
  config: { fileBytes, runs, ageSeconds, tickRateHz: 30, scene: 'arena-8p', voiceSeconds, m2eRuns, voiceMaxBitrateKbps: 32 },
  results, goals,
  notes: [
    'Throughput: from the send call to the receiver holding the verified bytes (hostmesh includes hashing the file with SHA-256 and opening its connection); median of n runs, MB = 10^6 bytes.',
    'PeerJS baseline: one `conn.send(bytes)` on `peer.connect(id, { reliable: true })` (BinaryPack, PeerJS chunking); the game link is not involved.',
    'Snapshot age: performance.now() at the client\'s snapshot event minus the host\'s tick send time (same process, same clock).',
    'Voice wire kbit/s adds per packet the RTP header, a 10-byte SRTP tag, UDP 8 and IPv4 20 bytes; loopback, Node (@roamhq/wrtc libwebrtc), Opus with FEC, DTX, 32 kbit/s cap.',
    'Mouth-to-ear: from the first non-silent 10 ms frame fed to RTCAudioSource to the first frame above 2000 (of 32767) at RTCAudioSink; includes Opus framing and the receiver jitter buffer, loopback.',
  ],
}, [
  `## File throughput, ${fileBytes / 1024 / 1024} MiB, loopback (n = ${runs} each)`, '',
  mdTable(['path', 'median ms', 'max ms', 'MB/s (median)'], [
    ['Node: hostmesh sendFile', results.node.hostmesh.ms.p50, results.node.hostmesh.ms.max, results.node.hostmesh.mbps],
    ['Node: PeerJS reliable conn.send', results.node.peerjs.ms.p50, results.node.peerjs.ms.max, results.node.peerjs.mbps],
    ...(results.chromium ? [[`Chromium ${chromiumVersion}: hostmesh sendFile`, results.chromium.hostmesh.ms.p50, results.chromium.hostmesh.ms.max, results.chromium.hostmesh.mbps]] : []),
  ]), '',
  `## Snapshot age at the client, 30 Hz arena, ${ageSeconds} s each (ms)`, '',
  mdTable(['load', 'n', 'p50', 'p99', 'max'], Object.entries(age).map(([k, s]) => [k, s.n, s.p50, s.p99, s.max])), '',
  `## Voice per stream (Node, loopback, ${voiceSeconds} s each)`, '',
  mdTable(['audio', 'payload kbit/s', 'packets/s', 'on the wire kbit/s'], voice.map((v) => [v.state, v.payloadKbps, v.packetsPerSec, v.wireKbps])), '',
  `Mouth-to-ear (n = ${m2e.length}): median ${summarize(m2e).p50} ms, max ${summarize(m2e).max} ms.`,
].join('\n'));
process.exit(0);
