/**
 * Echo RTT in Node, closed loop (one message in flight), 64 B and 1 KiB, over the five paths
 * (lib/node-paths.ts), all in one process over loopback. Samples are taken in rounds that
 * alternate the paths, so drift on a shared machine hits every path alike; ratios are to the
 * raw channel in the same run.
 */
import { latencyChart } from './lib/chart.js';
import { closedLoop, startEcho, type EchoResult } from './lib/echo.js';
import { PATHS, openPair, type Pair, type PathName } from './lib/node-paths.js';
import { benchMode, mdTable, writeArtifact, writeResult, type Goal } from './lib/report.js';
import { benchServer } from './lib/server.js';
import { ratio, summarize } from './lib/stats.js';

const mode = benchMode();
const samples = { smoke: 40, quick: 1000, full: 5000 }[mode];
const rounds = mode === 'smoke' ? 1 : 4;
const sizes = [64, 1024];
const paths: readonly PathName[] = process.env.BENCH_PATHS ? (process.env.BENCH_PATHS.split(',') as PathName[]) : PATHS;

const server = await benchServer();
const pairs = new Map<PathName, Pair>();
const raw = new Map<string, number[]>();
const setupMs: Record<string, number> = {};
try {
  for (const p of paths) {
    const pair = await openPair(p, { serverUrl: server.url }, { rawBytes: true });
    startEcho(pair);
    pairs.set(p, pair);
    setupMs[p] = Math.round(pair.setupMs * 10) / 10;
  }
  for (let r = 0; r < rounds; r++) {
    for (const p of paths) {
      for (const size of sizes) {
        const res = await closedLoop(pairs.get(p)!, { sizeBytes: size, count: Math.ceil(samples / rounds), warmup: r === 0 ? 50 : 10, timeoutMs: 2000, keepSamples: true });
        const key = `${p}|${size}`;
        raw.set(key, [...(raw.get(key) ?? []), ...(res.samples ?? [])]);
      }
    }
  }
} finally {
  for (const pair of pairs.values()) await pair.close().catch(() => {});
  await server.close();
}

const results: Record<string, Record<string, Omit<EchoResult, 'samples'>>> = {};
for (const p of paths) {
  results[p] = {};
  for (const size of sizes) {
    const xs = raw.get(`${p}|${size}`) ?? [];
    results[p]![String(size)] = { sizeBytes: size, sent: xs.length, received: xs.length, deliveredFraction: 1, rttMs: summarize(xs) };
  }
}
const p50 = (p: PathName, size: number) => results[p]?.[String(size)]?.rttMs.p50;
const rows = paths.flatMap((p) => sizes.map((size) => {
  const s = results[p]![String(size)]!.rttMs;
  return [p, size, s.n, s.p50, s.p99, s.p999, s.max, ratio(s.p50, p50('raw', size))];
}));
const goals: Goal[] = [];
if (paths.includes('raw') && paths.includes('hostmesh-unreliable')) {
  for (const size of sizes) {
    const hm = p50('hostmesh-unreliable', size)!, r = p50('raw', size)!;
    const diffUs = (hm - r) * 1000;
    goals.push({
      goal: `hostmesh unreliable RTT p50 within 10% (or 50 µs) of the raw channel, ${size} B, Node`,
      met: hm <= r * 1.1 || diffUs <= 50,
      detail: `hostmesh ${hm} ms vs raw ${r} ms (${diffUs >= 0 ? '+' : ''}${Math.round(diffUs)} µs, ×${ratio(hm, r)})`,
    });
  }
}
const svg = latencyChart(`Echo RTT in Node (@roamhq/wrtc, loopback), closed loop, ${mode} run`, sizes.map((size) => ({
  title: `${size} B`, rows: paths.map((p) => ({ label: p, s: results[p]![String(size)]!.rttMs })),
})));
writeArtifact('echo-node.svg', svg);
writeResult('echo-node', {
  config: { samplesPerPathAndSize: samples, rounds, sizes, paths, loop: 'closed (one message in flight)', setupMs },
  results, goals,
  notes: ['RTT measured by the sender with performance.now(); both peers in one Node process over loopback.', 'ratio = p50 / raw p50 in the same run.'],
}, `## Echo RTT, Node, closed loop (ms)\n\n${mdTable(['path', 'bytes', 'n', 'p50', 'p99', 'p99.9', 'max', 'p50 / raw'], rows)}\n\n![chart](echo-node.svg)`);
process.exit(0);
