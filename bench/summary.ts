/**
 * Collects the result files of a run into `summary.json` and `summary.md`: the key figures
 * side by side (echo p50/p99 per path in Node and Chromium, 10% loss, codec ratios, 900-cube
 * kbit/s, join latency, host cost) and every goal with met / missed. Missing benches are
 * listed as not run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PATHS } from './lib/node-paths.js';
import { mdGoals, mdTable, resultsDir, writeResult, type Goal, type ResultFile } from './lib/report.js';

function load<T>(name: string): ResultFile<T> | undefined {
  const f = join(resultsDir(), `${name}.json`);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as ResultFile<T>) : undefined;
}
type S = { p50: number; p99: number; max: number };
const echoNode = load<Record<string, Record<string, { rttMs: S }>>>('echo-node');
const echoChromium = load<{ echo?: Record<string, Record<string, S>>; join?: { toSnapshot: S; toJoin: S }; timing?: { crossOriginIsolated: boolean; timerResolutionUs: number }; skipped?: string }>('echo-chromium');
const loss = load<Record<string, Record<string, { stream30: { rttMs: S; deliveredFraction: number }; snapshots: { ageMs: S; wireKbps: number | null } } | { error: string }>> & { skipped?: string }>('loss');
const codec = load<Record<string, Record<string, { totalUs: number; bytes: number }>>>('codec');
const bandwidth = load<{ model: { scene: string; hz: number; lagTicks: number; kbps: number; jsonKbps: number; msgpackKbps: number }[]; session: { scene: string; hz: number; kbps: number }[] }>('bandwidth');
const joinNode = load<{ firstSnapshotMs: S; joinResolvedMs: S }>('join-node');
const hostCost = load<{ rows: { topology?: string; clients: number; cpuMsPerTick: number; ticksPerSec: number; sustained: boolean }[]; highestSustained: number; stopReason: string; highestSustainedStar?: number; stopReasonStar?: string }>('host-cost');

const parts: string[] = [];
const echoRows = PATHS.map((p) => {
  const n = (s: number) => echoNode?.results[p]?.[String(s)]?.rttMs, c = (s: number) => echoChromium?.results.echo?.[p]?.[String(s)];
  return [p, n(64)?.p50, n(64)?.p99, n(1024)?.p50, n(1024)?.p99, c(64)?.p50, c(64)?.p99, c(1024)?.p50, c(1024)?.p99];
});
parts.push('## Echo RTT, closed loop (ms)', '', mdTable(['path', 'Node 64 B p50', 'p99', 'Node 1 KiB p50', 'p99', 'Chromium 64 B p50', 'p99', 'Chromium 1 KiB p50', 'p99'], echoRows));
if (echoChromium?.results.timing) parts.push('', `Chromium pages: crossOriginIsolated = ${echoChromium.results.timing.crossOriginIsolated}, performance.now() step ${echoChromium.results.timing.timerResolutionUs} µs.`);

const l10 = loss?.results['10'];
if (l10) {
  parts.push('', '## 10% UDP loss (Node, netns + nftables)', '', mdTable(['path', '30 Hz echo p50', 'p99', 'max', 'delivered', 'snapshot age p50', 'p99', 'wire kbit/s'], PATHS.flatMap((p) => {
    const r = l10[p];
    if (!r || 'error' in r) return [];
    return [[p, r.stream30.rttMs.p50, r.stream30.rttMs.p99, r.stream30.rttMs.max, r.stream30.deliveredFraction, r.snapshots.ageMs.p50, r.snapshots.ageMs.p99, r.snapshots.wireKbps]];
  })));
} else parts.push('', `## Loss: ${loss?.results.skipped ? `skipped (${loss.results.skipped})` : 'not run'}`);

if (codec) {
  parts.push('', '## Codec, encode + decode (µs) and bytes', '', mdTable(['state', 'hostmesh full', 'hostmesh delta', 'JSON', 'msgpackr', 'BinaryPack', 'bytes: hostmesh full / delta / JSON'], Object.entries(codec.results).map(([name, r]) => [
    name, r['hostmesh-full']?.totalUs, r['hostmesh-delta']?.totalUs, r.json?.totalUs, r.msgpackr?.totalUs, r.binarypack?.totalUs, `${r['hostmesh-full']?.bytes} / ${r['hostmesh-delta']?.bytes} / ${r.json?.bytes}`,
  ])));
}
if (bandwidth) {
  const m = bandwidth.results.model.filter((r) => r.lagTicks === 3);
  parts.push('', '## Bandwidth per client (kbit/s, ack lag 3 ticks ≈ 50 ms RTT)', '', mdTable(['scene', 'Hz', 'hostmesh', 'full JSON', 'full msgpack', 'real session (loopback)'], m.map((r) => [
    r.scene, r.hz, r.kbps, r.jsonKbps, r.msgpackKbps, bandwidth.results.session.find((s) => s.scene === r.scene && s.hz === r.hz)?.kbps,
  ])), '', 'Gaffer on Games, 901 cubes at 60 Hz: 17,370 kbit/s uncompressed; target 256 kbit/s.');
}
const cj = echoChromium?.results.join;
parts.push('', '## Join latency: join(code) to first snapshot (ms)', '', mdTable(['where', 'p50', 'p99', 'max', 'join() resolved p50'], [
  ['Node', joinNode?.results.firstSnapshotMs.p50, joinNode?.results.firstSnapshotMs.p99, joinNode?.results.firstSnapshotMs.max, joinNode?.results.joinResolvedMs.p50],
  ['Chromium', cj?.toSnapshot.p50, cj?.toSnapshot.p99, cj?.toSnapshot.max, cj?.toJoin.p50],
]));
if (hostCost) {
  const h = hostCost.results;
  parts.push('', '## Host cost at 30 Hz (Node)', '', mdTable(['topology', 'clients', 'CPU ms / tick', 'ticks/s', 'sustained'], h.rows.map((r) => [r.topology ?? 'mesh', r.clients, r.cpuMsPerTick, r.ticksPerSec, r.sustained ? 'yes' : 'no'])),
    '', `Highest client count sustained at 30 Hz: mesh **${h.highestSustained}** (${h.stopReason})${h.highestSustainedStar === undefined ? '' : `, star **${h.highestSustainedStar}** (${h.stopReasonStar})`}.`);
}
const goals: Goal[] = [echoNode, echoChromium, loss, codec, bandwidth].flatMap((f) => f?.goals ?? []);
const ran = { 'echo-node': !!echoNode, 'echo-chromium': !!echoChromium, loss: !!loss, codec: !!codec, bandwidth: !!bandwidth, 'join-node': !!joinNode, 'host-cost': !!hostCost };
writeResult('summary', { config: { ran }, results: { goals }, goals: [] }, `${parts.join('\n')}\n\n## Goals\n\n${mdGoals(goals)}`);
process.exit(0);
