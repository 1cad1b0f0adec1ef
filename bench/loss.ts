/**
 * Loss benchmark: for 0, 1, 5 and 10% UDP loss (nftables in a network namespace; FACTS.md),
 * runs loss-child.ts inside the namespace: the five paths' open-loop echo at 30 and 60 Hz,
 * closed-loop ping-pong, and 60 Hz snapshot freshness with bytes on the wire. Needs root;
 * anywhere else it writes a result saying why it was skipped. The namespace and the child are
 * removed on every exit path.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { latencyChart } from './lib/chart.js';
import { Netns, lossUnavailable } from './lib/netns.js';
import { PATHS } from './lib/node-paths.js';
import { benchMode, mdTable, writeArtifact, writeResult, type Goal } from './lib/report.js';
import { ratio } from './lib/stats.js';
import type { PathLoss } from './loss-child.js';

const mode = benchMode();
const levels = mode === 'full' ? [0, 1, 5, 10] : mode === 'quick' ? [10] : [0];
const skip = lossUnavailable();
if (skip) {
  console.warn(`[loss] SKIPPED: ${skip}`);
  writeResult('loss', { config: { levels }, results: { skipped: skip } }, `Skipped: ${skip}`);
  process.exit(0);
}

const ns = new Netns();
let child: ChildProcess | undefined;
const cleanup = () => { child?.kill('SIGKILL'); ns.remove(); };
process.on('SIGTERM', () => { cleanup(); process.exit(1); });
process.on('SIGINT', () => { cleanup(); process.exit(1); });

const results: Record<string, Record<string, PathLoss | { error: string }>> = {};
try {
  ns.create();
  for (const pct of levels) {
    ns.setLoss(pct);
    const line = await new Promise<string>((resolve, reject) => {
      child = spawn(ns.prefix()[0]!, [...ns.prefix().slice(1), process.execPath, `${process.env.BENCH_BUILD_DIR}/loss-child.mjs`], {
        stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOSS_PCT: String(pct), PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` },
      });
      let out = '';
      child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
      child.once('error', reject);
      child.once('exit', (code) => {
        child = undefined;
        const last = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
        if (last) resolve(last); else reject(new Error(`loss child (${pct}%) exited ${code} without a result`));
      });
    });
    results[String(pct)] = (JSON.parse(line) as { paths: Record<string, PathLoss> }).paths;
  }
} finally {
  cleanup();
}

const ok = (x: PathLoss | { error: string } | undefined): PathLoss | undefined => (x && !('error' in x) ? x : undefined);
const f = (x: number | null | undefined) => (x === null || x === undefined ? null : x);
const streamRows: (string | number | null)[][] = [], snapRows: (string | number | null)[][] = [];
for (const pct of levels) for (const p of PATHS) {
  const r = ok(results[String(pct)]?.[p]);
  if (!r) { streamRows.push([`${pct}%`, p, 'failed']); continue; }
  streamRows.push([`${pct}%`, p, r.stream30.rttMs.p50, r.stream30.rttMs.p99, r.stream30.rttMs.max, r.stream30.deliveredFraction, r.stream60.rttMs.p50, r.stream60.rttMs.p99, r.stream60.rttMs.max, r.stream60.deliveredFraction, r.closed.rttMs.p50, r.closed.rttMs.p99, r.closed.rttMs.max, r.closed.deliveredFraction]);
  snapRows.push([`${pct}%`, p, r.snapshots.ageMs.p50, r.snapshots.ageMs.p99, r.snapshots.ageMs.max, r.snapshots.snapshotsSent, r.snapshots.snapshotsReceived, f(r.snapshots.wireKbps)]);
}

const goals: Goal[] = [];
const at10 = results['10'];
if (at10) {
  const hm = ok(at10['hostmesh-unreliable']), pjU = ok(at10['peerjs-unordered']), pjD = ok(at10['peerjs-default']);
  if (hm && pjU && pjD) {
    const h = hm.stream30.rttMs.p99, u = pjU.stream30.rttMs.p99, d = pjD.stream30.rttMs.p99;
    goals.push({ goal: 'at 10% loss, 30 Hz stream: hostmesh unreliable echo p99 ≥ 20× lower than PeerJS reliable:false', met: u / h >= 20, detail: `${h} ms vs ${u} ms: ×${ratio(u, h)}` });
    goals.push({ goal: 'at 10% loss, 30 Hz stream: hostmesh unreliable echo p99 ≥ 50× lower than the PeerJS default connection', met: d / h >= 50, detail: `${h} ms vs ${d} ms: ×${ratio(d, h)}` });
    const a = hm.snapshots.ageMs.p99, ad = pjD.snapshots.ageMs.p99, au = pjU.snapshots.ageMs.p99;
    goals.push({ goal: 'at 10% loss: snapshot age p99 at most 3 intervals (50 ms at 60 Hz)', met: a <= 50, detail: `hostmesh unreliable ${a} ms` });
    goals.push({ goal: 'at 10% loss: snapshot age p99 ≥ 10× lower than over the PeerJS default connection', met: ad / a >= 10, detail: `${a} ms vs ${ad} ms: ×${ratio(ad, a)}` });
    const bh = hm.snapshots.wireKbps, bu = pjU.snapshots.wireKbps;
    goals.push({ goal: 'at 10% loss: snapshot age no worse than PeerJS reliable:false while sending fewer bytes', met: a <= au && bh !== null && bu !== null && bh < bu, detail: `age p99 ${a} ms vs ${au} ms; wire ${bh} vs ${bu} kbit/s` });
  }
}
const chartLevels = levels.filter((l) => l === 0 || l === 10);
writeArtifact('loss.svg', latencyChart(`Echo RTT of a 30 Hz stream under UDP loss (Node, netns + nftables), ${mode} run`, chartLevels.map((pct) => ({
  title: `${pct}% UDP loss`, rows: PATHS.flatMap((p) => { const r = ok(results[String(pct)]?.[p]); return r ? [{ label: p, s: r.stream30.rttMs }] : []; }),
}))));
writeResult('loss', {
  config: { levels, payloadBytes: 64, paths: PATHS, durations: mode, note: 'closed-loop timeouts: 300 ms on unreliable paths (raw, hostmesh-unreliable), 4 s on reliable ones' },
  results, goals,
  notes: [
    'RTT figures cover delivered echoes only; "delivered" is the fraction of messages whose echo came back (a round trip crosses the lossy link twice).',
    'Snapshot age = now − send time of the newest snapshot the client holds, sampled at 60 Hz render ticks on the client; an interval is 16.7 ms.',
    'Wire kbit/s = all UDP bytes sent in the namespace during the snapshot phase (both directions: snapshots, acks, SCTP SACKs and retransmissions, DTLS/UDP/IP headers).',
    'hostmesh unreliable snapshots are deltas against acked ticks (real replication); the other paths send the full 16-entity state each tick (msgpackr for raw, hostmesh codec for hostmesh reliable, BinaryPack for PeerJS).',
  ],
}, [
  '## Echo RTT under loss, 64 B (ms)',
  '',
  mdTable(['loss', 'path', '30 Hz p50', '30 Hz p99', '30 Hz max', '30 Hz delivered', '60 Hz p50', '60 Hz p99', '60 Hz max', '60 Hz delivered', 'ping-pong p50', 'ping-pong p99', 'ping-pong max', 'ping-pong delivered'], streamRows),
  '',
  '![chart](loss.svg)',
  '',
  '## Snapshot freshness at 60 Hz (ms) and bytes on the wire',
  '',
  mdTable(['loss', 'path', 'age p50', 'age p99', 'age max', 'snapshots sent', 'received', 'wire kbit/s'], snapRows),
].join('\n'));
process.exit(0);
