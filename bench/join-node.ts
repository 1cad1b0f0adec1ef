/**
 * Join latency in Node: from `join(code)` to the first complete snapshot, over many joins to
 * one host (30 Hz, the demo arena's state), each joiner leaving before the next joins. Also
 * reported: the time until `join()` resolves (lobby look-up, signaling, WebRTC, handshake,
 * welcome). A real server over loopback, rate limits lifted.
 */
import { connect, type Session } from '../sdk/src/node.js';
import { hookHostTick } from './lib/host-hook.js';
import { sleep, withTimeout } from './lib/node-paths.js';
import { benchMode, mdTable, writeResult } from './lib/report.js';
import { arenaScene } from './lib/scenes.js';
import { benchServer } from './lib/server.js';
import { summarize } from './lib/stats.js';

const mode = benchMode();
const joins = { smoke: 3, quick: 20, full: 80 }[mode];

/** Waits for the first complete snapshot on a fresh session; resolves with performance.now() at its arrival. */
export function firstSnapshot(s: Session, timeoutMs = 10_000): Promise<number> {
  if (Object.keys(s.latestState()).length > 0) return Promise.resolve(performance.now());
  return withTimeout(new Promise<number>((res) => { const off = s.on('snapshot', () => { off(); res(performance.now()); }); }), timeoutMs, 'first snapshot');
}

const server = await benchServer();
const toJoin: number[] = [], toSnapshot: number[] = [];
let failures = 0;
try {
  const conn = { server: server.url, peerTimeoutMs: 30_000 };
  const host = await connect(conn).host({ maxPlayers: 8, tickRateHz: 30 });
  const scene = arenaScene(8, 1 / 30);
  host.setState(scene.next());
  hookHostTick(host, () => host.setState(scene.next()));
  for (let i = 0; i < joins + 2; i++) {
    const t0 = performance.now();
    try {
      const s = await connect(conn).join(host.code, { playerName: `j${i}` });
      const t1 = performance.now();
      const t2 = await firstSnapshot(s);
      if (i >= 2) { toJoin.push(t1 - t0); toSnapshot.push(t2 - t0); } // two warm-up joins
      await s.leave();
    } catch (err) {
      failures++;
      console.error(`[join-node] join ${i} failed: ${String(err)}`);
    }
    await sleep(20);
  }
  await host.leave();
} finally {
  await server.close();
}
const results = { joins: toSnapshot.length, failures, joinResolvedMs: summarize(toJoin), firstSnapshotMs: summarize(toSnapshot) };
writeResult('join-node', {
  config: { joins, tickRateHz: 30, warmupJoins: 2, transport: 'Node (@roamhq/wrtc), loopback' }, results,
  notes: ['At 30 Hz a snapshot leaves every 33 ms, so up to one tick of the figure is waiting for the next tick.'],
}, `## Join latency, Node (ms)\n\n${mdTable(['measure', 'n', 'p50', 'p99', 'max'], [
  ['join() resolved', results.joinResolvedMs.n, results.joinResolvedMs.p50, results.joinResolvedMs.p99, results.joinResolvedMs.max],
  ['first snapshot', results.firstSnapshotMs.n, results.firstSnapshotMs.p50, results.firstSnapshotMs.p99, results.firstSnapshotMs.max],
])}\n\nFailures: ${failures}`);
process.exit(0);
