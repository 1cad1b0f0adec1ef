/**
 * Child of loss.ts, run inside a network namespace whose nftables rules drop LOSS_PCT% of UDP.
 * For each path (lib/node-paths.ts), one pair at a time: echo of an open-loop stream at 30 Hz
 * and at 60 Hz, closed-loop ping-pong, and snapshot freshness: the host side sends 60 Hz
 * snapshots of the demo arena (8 players, 16 entities) and at each 60 Hz render tick the
 * client records the age of the newest snapshot it holds. Snapshots: hostmesh unreliable uses
 * the real replication (setState, deltas against acks); the other paths send the full state
 * each tick through their own serializer, as a user of each would. Wire bytes: the namespace's
 * nftables counter of UDP bytes sent (both directions, retransmissions and headers included).
 * Prints one JSON line on stdout.
 */
import { closedLoop, openLoop, startEcho, type EchoResult } from './lib/echo.js';
import { sessionCore } from '../sdk/src/session/session.js';
import { hookHostTick } from './lib/host-hook.js';
import { udpBytesSent } from './lib/netns.js';
import { PATHS, openPair, sleep, type Pair, type PathName } from './lib/node-paths.js';
import { benchMode } from './lib/report.js';
import { arenaScene } from './lib/scenes.js';
import { benchServer } from './lib/server.js';
import { summarize, type Summary } from './lib/stats.js';

const mode = benchMode();
const lossPct = Number(process.env.LOSS_PCT ?? 0);
// A quick run measures the three paths the goals compare; a full run all five.
const paths: readonly PathName[] = process.env.BENCH_PATHS ? (process.env.BENCH_PATHS.split(',') as PathName[])
  : mode === 'full' ? PATHS : ['hostmesh-unreliable', 'peerjs-default', 'peerjs-unordered'];
const D = {
  smoke: { s30: 1000, s60: 1000, closed: 10, snap: 1000 },
  quick: { s30: 3000, s60: 1500, closed: 20, snap: 2500 },
  full: { s30: 8000, s60: 5000, closed: 100, snap: 6000 },
}[mode];
const SIZE = 64;
const unreliablePath = (p: PathName) => p === 'raw' || p === 'hostmesh-unreliable';

export interface SnapshotFreshness { renderTicks: number; ageMs: Summary; snapshotsSent: number; snapshotsReceived: number; wireBytes: number | null; wireKbps: number | null }
export interface PathLoss { setupMs: number; stream30: EchoResult; stream60: EchoResult; closed: EchoResult; snapshots: SnapshotFreshness }

async function snapshots(pair: Pair, durationMs: number): Promise<SnapshotFreshness> {
  const scene = arenaScene(8, 1 / 60);
  let newestTick = -1, newestSentAt = NaN, received = 0, sent = 0;
  let stopSender: () => void;
  const bytes0 = udpBytesSent();
  if (pair.path === 'hostmesh-unreliable') {
    const { host, client } = pair.sessions!;
    const hook = hookHostTick(host, () => { host.setState(scene.next()); sent++; });
    host.setState(scene.next());
    client.on('snapshot', (_state, tick) => {
      received++;
      if (tick > newestTick) { newestTick = tick; newestSentAt = hook.sentAt.get(tick) ?? NaN; }
    });
    stopSender = () => { host.setState = () => {}; (sessionCore(host).replication as unknown as { sendSnapshots(): void }).sendSnapshots = () => {}; };
  } else {
    pair.a.onMessage((v) => {
      received++;
      const m = v as { k: number; t: number };
      if (m.k > newestTick) { newestTick = m.k; newestSentAt = m.t; }
    });
    // setInterval, like the SDK's host ticker in Node, so every path's send phase drifts
    // against the render ticks the same way.
    let k = 0;
    const timer = setInterval(() => { pair.b.send({ k: k++, t: performance.now(), s: scene.next() }); sent++; }, 1000 / 60);
    stopSender = () => clearInterval(timer);
  }
  // Render ticks at 60 Hz on the client: age of the newest snapshot held.
  await sleep(300); // first snapshots
  const ages: number[] = [];
  const t0 = performance.now();
  for (let i = 0; performance.now() - t0 < durationMs; i++) {
    const wait = t0 + i * (1000 / 60) - performance.now();
    if (wait > 1) await sleep(wait);
    if (Number.isFinite(newestSentAt)) ages.push(performance.now() - newestSentAt);
  }
  const elapsed = performance.now() - t0 + 300;
  stopSender();
  const bytes1 = udpBytesSent();
  const wireBytes = bytes0 !== undefined && bytes1 !== undefined ? bytes1 - bytes0 : null;
  await sleep(200);
  return { renderTicks: ages.length, ageMs: summarize(ages), snapshotsSent: sent, snapshotsReceived: received, wireBytes, wireKbps: wireBytes === null ? null : Math.round((wireBytes * 8) / elapsed * 10) / 10 };
}

const out: Record<string, PathLoss | { error: string }> = {};
const server = await benchServer();
for (const path of paths) {
  let pair: Pair | undefined;
  try {
    pair = await openPair(path, { serverUrl: server.url }, { tickRateHz: 60 });
    startEcho(pair);
    const drainMs = unreliablePath(path) ? 500 : 4000;
    const stream30 = await openLoop(pair, { sizeBytes: SIZE, rateHz: 30, durationMs: D.s30, drainMs });
    const stream60 = await openLoop(pair, { sizeBytes: SIZE, rateHz: 60, durationMs: D.s60, drainMs });
    const closed = await closedLoop(pair, { sizeBytes: SIZE, count: D.closed, warmup: 3, timeoutMs: unreliablePath(path) ? 300 : 4000 });
    pair.b.onMessage(() => {});
    const snaps = await snapshots(pair, D.snap);
    out[path] = { setupMs: Math.round(pair.setupMs), stream30, stream60, closed, snapshots: snaps };
    console.error(`[loss ${lossPct}%] ${path}: stream30 p99 ${stream30.rttMs.p99} ms (${stream30.deliveredFraction}), stream60 p99 ${stream60.rttMs.p99} ms, closed p99 ${closed.rttMs.p99} ms, snapshot age p99 ${snaps.ageMs.p99} ms, ${snaps.wireKbps} kbit/s on the wire`);
  } catch (err) {
    out[path] = { error: String((err as Error).stack ?? err) };
    console.error(`[loss ${lossPct}%] ${path} failed: ${String(err)}`);
  } finally {
    await pair?.close().catch(() => {});
    await sleep(300);
  }
}
await server.close();
console.log(JSON.stringify({ lossPct, paths: out }));
process.exit(0);
