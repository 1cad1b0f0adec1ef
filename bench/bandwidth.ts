/**
 * Bandwidth per client of hostmesh snapshots, against sending the full state as JSON or
 * msgpack, for (a) the demo arena with 8 players and (b) Gaffer on Games' 900-cube scene
 * (position + quaternion, 10% moving), at 60 Hz (and the arena at 30 Hz, the demo's rate).
 * Model: the real SnapshotEncoder/Decoder; the client acks each complete snapshot and the
 * host's baseline is the newest ack it has, `lag` ticks old (1 tick ≈ 0 RTT; 3 ≈ 50 ms RTT at
 * 60 Hz; 6 ≈ 100 ms; 12 ≈ 200 ms). Bytes are data-channel payload: each packet plus the
 * session's 13 bytes of frame header (type byte + inputAck + host time). Then the same
 * scenes through a real session (host + one Node client over loopback), measured as the
 * host link's bytesOut (heartbeats included).
 */
import { Packr } from 'msgpackr';
import { connect } from '../sdk/src/node.js';
import { SnapshotDecoder } from '../sdk/src/snapshot/decoder.js';
import { SnapshotEncoder } from '../sdk/src/snapshot/encoder.js';
import { SNAPSHOT_HEADER_BYTES, SNAPSHOT_PACKET_BUDGET } from '../sdk/src/wire/snapshot-frame.js';
import type { Schema } from '../sdk/src/snapshot/schema.js';
import { hookHostTick } from './lib/host-hook.js';
import { sleep, withTimeout } from './lib/node-paths.js';
import { benchMode, mdTable, writeResult, type Goal } from './lib/report.js';
import { arenaScene, cubeScene, cubeSchema, type Scene } from './lib/scenes.js';
import { benchServer } from './lib/server.js';

const mode = benchMode();
const FRAME_OVERHEAD = SNAPSHOT_HEADER_BYTES + 1;
const GAFFER = { uncompressedKbps: 17_370, targetKbps: 256, source: 'Glenn Fiedler, "Snapshot Compression", gafferongames.com (2015): 901 cubes at 60 Hz, 17.37 Mbit/s uncompressed, target 256 kbit/s' };
const packr = new Packr({ useRecords: false });

interface ModelRow { scene: string; hz: number; lagTicks: number; bytesPerTick: number; kbps: number; packetsPerTick: number; fullKbps: number; jsonKbps: number; msgpackKbps: number }

function model(name: string, make: () => Scene, schema: Schema | undefined, hz: number, lag: number, ticks: number): ModelRow {
  const scene = make();
  const s = schema ? { schema } : {};
  const enc = new SnapshotEncoder({ ...s, budgetBytes: SNAPSHOT_PACKET_BUDGET });
  const dec = new SnapshotDecoder(s);
  const acks: number[] = []; // acks[t] = newest complete tick the client had after tick t
  let bytes = 0, packets = 0, full = 0, json = 0, msgpack = 0;
  const warm = 30;
  for (let t = 0; t < ticks + warm; t++) {
    const state = scene.next();
    enc.commit(t, state);
    const base = t - lag >= 0 ? acks[t - lag] : undefined;
    const ps = enc.encodeFor(base);
    for (const p of ps) dec.receive(p, t);
    acks[t] = dec.ackTick ?? -1;
    if (t < warm) continue;
    bytes += ps.reduce((a, p) => a + p.length + FRAME_OVERHEAD, 0);
    packets += ps.length;
    full += enc.encodeFor(undefined).reduce((a, p) => a + p.length + FRAME_OVERHEAD, 0);
    json += Buffer.byteLength(JSON.stringify(state));
    msgpack += packr.pack(state).length;
  }
  const kbps = (b: number) => Math.round(((b / ticks) * 8 * hz) / 100) / 10;
  return { scene: name, hz, lagTicks: lag, bytesPerTick: Math.round(bytes / ticks), kbps: kbps(bytes), packetsPerTick: Math.round((packets / ticks) * 100) / 100, fullKbps: kbps(full), jsonKbps: kbps(json), msgpackKbps: kbps(msgpack) };
}

const ticks = mode === 'smoke' ? 40 : mode === 'quick' ? 300 : 1200;
const scenes = [
  { name: 'arena-8p', make: () => arenaScene(8), schema: undefined, hz: [30, 60] },
  { name: 'cubes-900', make: () => cubeScene(900), schema: cubeSchema, hz: [60] },
];
const modelRows: ModelRow[] = [];
for (const sc of scenes) for (const hz of sc.hz) for (const lag of [1, 3, 6, 12]) {
  modelRows.push(model(sc.name, () => (sc.name === 'arena-8p' ? arenaScene(8, 1 / hz) : sc.make()), sc.schema, hz, lag, ticks));
}

// The same through a real session: host link bytesOut over a measured window.
interface SessionRow { scene: string; hz: number; seconds: number; kbps: number; snapshotBytesLast: number; clientSnapshots: number }
const sessionRows: SessionRow[] = [];
const server = await benchServer();
try {
  for (const sc of [{ ...scenes[0]!, hz: 30 }, { ...scenes[0]!, hz: 60 }, { ...scenes[1]!, hz: 60 }]) {
    const conn = { server: server.url, peerTimeoutMs: 30_000 };
    const scene = sc.name === 'arena-8p' ? arenaScene(8, 1 / sc.hz) : sc.make();
    const host = await connect(conn).host({ maxPlayers: 2, tickRateHz: sc.hz, ...(sc.schema ? { schema: sc.schema } : {}) });
    host.setState(scene.next());
    const hook = hookHostTick(host, () => host.setState(scene.next()));
    const client = await connect(conn).join(host.code);
    let snaps = 0;
    client.on('snapshot', () => { snaps++; });
    await withTimeout((async () => { while (snaps < 10) await sleep(10); })(), 10_000, 'first snapshots');
    const seconds = mode === 'smoke' ? 1 : mode === 'quick' ? 1.5 : 6;
    const b0 = host.stats()[client.selfId]!.bytesOut, t0 = performance.now(), s0 = snaps;
    void hook;
    await sleep(seconds * 1000);
    const st = host.stats()[client.selfId]!;
    const dt = (performance.now() - t0) / 1000;
    sessionRows.push({ scene: sc.name, hz: sc.hz, seconds: Math.round(dt * 10) / 10, kbps: Math.round(((st.bytesOut - b0) * 8) / dt / 100) / 10, snapshotBytesLast: st.snapshotBytes ?? 0, clientSnapshots: snaps - s0 });
    await client.leave();
    await host.leave();
  }
} finally {
  await server.close();
}

const cube60 = modelRows.filter((r) => r.scene === 'cubes-900');
const at50ms = cube60.find((r) => r.lagTicks === 3)!;
const worst = cube60.reduce((a, b) => (b.kbps > a.kbps ? b : a));
const real = sessionRows.find((r) => r.scene === 'cubes-900');
const goals: Goal[] = [{
  goal: '900-entity scene at most 256 kbit/s per client at 60 Hz',
  met: at50ms.kbps <= 256 && (real === undefined || real.kbps <= 256),
  detail: `model: ${at50ms.kbps} kbit/s at ~50 ms RTT (ack lag 3 ticks), ${worst.kbps} kbit/s at lag ${worst.lagTicks}; real loopback session ${real?.kbps ?? '–'} kbit/s; full JSON ${at50ms.jsonKbps} kbit/s, full msgpack ${at50ms.msgpackKbps} kbit/s; Gaffer: ${GAFFER.uncompressedKbps} uncompressed, ${GAFFER.targetKbps} target`,
}];
writeResult('bandwidth', {
  config: { ticksPerModelRun: ticks, frameOverheadBytes: FRAME_OVERHEAD, packetBudgetBytes: SNAPSHOT_PACKET_BUDGET, gaffer: GAFFER },
  results: { model: modelRows, session: sessionRows, gaffer: GAFFER }, goals,
  notes: [
    'kbit/s = payload bits per second to one client (SCTP/DTLS/UDP/IP headers not included, as in Gaffer\'s figures).',
    '"full" = a full hostmesh snapshot every tick (no deltas): the cost for a client that never acks.',
    'Session rows: host link bytesOut to one client over the window (snapshots + heartbeats), loopback, no loss: the client acks within a tick.',
  ],
}, [
  '## Model: real encoder/decoder, client acks every complete snapshot, host baseline `lag` ticks old',
  '',
  mdTable(['scene', 'Hz', 'ack lag (ticks)', 'bytes/tick', 'kbit/s', 'packets/tick', 'full snapshots kbit/s', 'full JSON kbit/s', 'full msgpack kbit/s'],
    modelRows.map((r) => [r.scene, r.hz, r.lagTicks, r.bytesPerTick, r.kbps, r.packetsPerTick, r.fullKbps, r.jsonKbps, r.msgpackKbps])),
  '',
  `Gaffer on Games, 901 cubes at 60 Hz: ${GAFFER.uncompressedKbps} kbit/s uncompressed, ${GAFFER.targetKbps} kbit/s target.`,
  '',
  '## Real session (host + 1 Node client, loopback)',
  '',
  mdTable(['scene', 'Hz', 'seconds', 'host → client kbit/s', 'last snapshot bytes', 'snapshots received'], sessionRows.map((r) => [r.scene, r.hz, r.seconds, r.kbps, r.snapshotBytesLast, r.clientSnapshots])),
].join('\n'));
process.exit(0);
