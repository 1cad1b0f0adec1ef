/**
 * Interest management on the 900-cube scene (issue 13): bytes a client is sent per tick with and
 * without a radius filter. Eight clients stand at fixed points of the 45 m x 45 m grid and each
 * sees only the cubes within `RADIUS_M` of it; 10% of the cubes move, so cubes cross the radius
 * (added and removed against each client's own acked subset). Each tick, every client gets a
 * delta against the tick it acked `ACK_LAG_TICKS` ago, as in the codec bench: without a filter one
 * shared delta of the whole state, with one its own subset's delta (session/interest.ts, the
 * host's code). Figures are bytes per client per tick (median, p99), the first (full) snapshot,
 * and the host's filtering + per-client encoding time per tick for all eight clients.
 */
import { SnapshotEncoder } from '../sdk/src/snapshot/encoder.js';
import { SnapshotHistory } from '../sdk/src/snapshot/history.js';
import type { QState } from '../sdk/src/snapshot/qstate.js';
import type { Entity } from '../sdk/src/snapshot/schema.js';
import { filterState } from '../sdk/src/session/interest.js';
import { SNAPSHOT_PACKET_BUDGET } from '../sdk/src/wire/snapshot-frame.js';
import { benchMode, mdTable, writeResult, type Goal } from './lib/report.js';
import { cubeScene, cubeSchema } from './lib/scenes.js';
import { percentile } from './lib/stats.js';

const mode = benchMode();
const TICKS = mode === 'smoke' ? 40 : mode === 'quick' ? 300 : 1200;
const ACK_LAG_TICKS = 3;
const RADIUS_M = 10;
const CLIENTS = Array.from({ length: 8 }, (_, i) => ({ id: `client${i}`, x: 5 + (i % 4) * 12, y: 8 + Math.floor(i / 4) * 25 }));

const scene = cubeScene(900);
const encoder = new SnapshotEncoder({ schema: cubeSchema, budgetBytes: SNAPSHOT_PACKET_BUDGET });
const near = (clientId: string, _id: string, e: Entity): boolean => {
  const c = CLIENTS.find((k) => k.id === clientId)!;
  return Math.hypot((e.x as number) - c.x, (e.y as number) - c.y) <= RADIUS_M;
};
const subsets = new Map(CLIENTS.map((c) => [c.id, new SnapshotHistory<QState>(64)]));
const all: number[] = [], filtered: number[] = [], kept: number[] = [], filterMs: number[] = [];
let firstAll = 0, firstFiltered = 0;
const sum = (ps: Uint8Array[]) => ps.reduce((a, p) => a + p.length, 0);
for (let t = 1; t <= TICKS; t++) {
  const raw = scene.next();
  encoder.commit(t, raw);
  const ack = t > ACK_LAG_TICKS ? t - ACK_LAG_TICKS : undefined;
  const full = encoder.quantizedAt(t)!;
  const wholeBytes = sum(encoder.encodeFor(ack));
  const t0 = performance.now();
  for (const c of CLIENTS) {
    const h = subsets.get(c.id)!;
    const cur = filterState(full, raw, c.id, near, h.get(h.newestTick ?? -1));
    h.set(t, cur);
    const base = ack === undefined ? undefined : h.get(ack);
    const bytes = sum(encoder.encodeSubset(t, cur, base && { tick: ack!, state: base }));
    if (t === 1) { firstFiltered += bytes / CLIENTS.length; firstAll = wholeBytes; }
    else if (t > 20) { filtered.push(bytes); all.push(wholeBytes); kept.push(cur.ids.length); }
  }
  if (t > 20) filterMs.push(performance.now() - t0);
}
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const med = (xs: number[]) => percentile(sorted(xs), 50), p99 = (xs: number[]) => percentile(sorted(xs), 99);
const saved = 1 - med(filtered) / med(all);
const results = {
  clients: CLIENTS.length, ticks: TICKS, radiusM: RADIUS_M, ackLagTicks: ACK_LAG_TICKS, samples: filtered.length,
  cubesSeenMedian: med(kept),
  withoutFilter: { medianBytes: med(all), p99Bytes: p99(all), firstSnapshotBytes: firstAll },
  withFilter: { medianBytes: med(filtered), p99Bytes: p99(filtered), firstSnapshotBytes: Math.round(firstFiltered) },
  savedMedianPct: Math.round(saved * 1000) / 10,
  hostFilterAndEncodeMsPerTick: { median: Math.round(med(filterMs) * 1000) / 1000, p99: Math.round(p99(filterMs) * 1000) / 1000 },
};
console.log(`[interest] ${JSON.stringify(results)}`);
const goals: Goal[] = [{ goal: 'a radius filter cuts the bytes each client is sent on the 900-cube scene', met: saved > 0.5, detail: `median ${med(all)} → ${med(filtered)} bytes per client per tick (${results.savedMedianPct}% saved), ${med(kept)} of 900 cubes in sight` }];
writeResult('interest', {
  config: { scene: 'cubes-900 (10% moving)', clients: CLIENTS, radiusM: RADIUS_M, ticks: TICKS, ackLagTicks: ACK_LAG_TICKS, packetBudgetBytes: SNAPSHOT_PACKET_BUDGET },
  results, goals,
  notes: ['Bytes are snapshot packet bytes (the codec\'s output) per client per tick; the session adds 13 bytes of header per packet.', 'Ticks 1-20 are left out of the medians (first snapshots and the JIT).'],
}, `## Bytes per client per tick, 900 cubes, radius ${RADIUS_M} m (n = ${filtered.length} client-ticks)\n\n${mdTable(['', 'median bytes', 'p99 bytes', 'first (full) snapshot bytes'], [
  ['every cube', results.withoutFilter.medianBytes, results.withoutFilter.p99Bytes, results.withoutFilter.firstSnapshotBytes],
  [`cubes within ${RADIUS_M} m (median ${results.cubesSeenMedian} cubes)`, results.withFilter.medianBytes, results.withFilter.p99Bytes, results.withFilter.firstSnapshotBytes],
])}\n\nSaved: ${results.savedMedianPct}% (medians). Host cost of filtering and encoding 8 subsets per tick: median ${results.hostFilterAndEncodeMsPerTick.median} ms, p99 ${results.hostFilterAndEncodeMsPerTick.p99} ms.`);
process.exit(0);
