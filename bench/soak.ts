/**
 * Soak: a session under steady packet loss must not see a false disconnect. A host and three
 * clients (soak-child.ts, default options) play inside a network namespace whose nftables rules
 * drop 2% of UDP packets, for 10 minutes (full), 60 s (quick) or 30 s (smoke, the slice `npm test`
 * runs). Goal: no playerDisconnect, playerLeave, reconnecting or close, no stalled link, every
 * member still in every roster, every reliable message delivered once and in order. Needs root;
 * elsewhere it writes a result saying why it was skipped. The namespace and the child are removed
 * on every exit path.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Netns, lossUnavailable } from './lib/netns.js';
import { benchMode, mdTable, writeResult, type Goal } from './lib/report.js';
import type { SoakResult } from './soak-child.js';

const mode = benchMode();
const soakMs = Number(process.env.SOAK_MS ?? { smoke: 30_000, quick: 60_000, full: 600_000 }[mode]);
const lossPct = 2;
const skip = lossUnavailable();
if (skip) {
  console.warn(`[soak] SKIPPED: ${skip}`);
  writeResult('soak', { config: { soakMs, lossPct }, results: { skipped: skip } }, `Skipped: ${skip}`);
  process.exit(0);
}

const ns = new Netns();
let child: ChildProcess | undefined;
const cleanup = () => { child?.kill('SIGKILL'); ns.remove(); };
process.on('SIGTERM', () => { cleanup(); process.exit(1); });
process.on('SIGINT', () => { cleanup(); process.exit(1); });

let r: SoakResult;
try {
  ns.create();
  ns.setLoss(lossPct);
  const line = await new Promise<string>((resolve, reject) => {
    child = spawn(ns.prefix()[0]!, [...ns.prefix().slice(1), process.execPath, `${process.env.BENCH_BUILD_DIR}/soak-child.mjs`], {
      stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOSS_PCT: String(lossPct), SOAK_MS: String(soakMs), PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` },
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    child.once('error', reject);
    child.once('exit', (code) => {
      child = undefined;
      const last = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      if (last) resolve(last); else reject(new Error(`soak child exited ${code} without a result`));
    });
  });
  r = JSON.parse(line) as SoakResult;
} finally {
  cleanup();
}

const everyoneIn = r.rosters.every((n) => n === r.clients + 1);
const goals: Goal[] = [
  { goal: `${soakMs / 60_000} min at ${lossPct}% UDP loss: no false disconnect (no playerDisconnect, playerLeave, reconnecting, close; no stalled link)`, met: r.faults.length === 0 && r.links.stalls === 0, detail: `${r.faults.length} fault events, ${r.links.stalls} stalls${r.faults.length ? `: ${r.faults.slice(0, 5).join('; ')}` : ''}` },
  { goal: 'every member still in every roster', met: everyoneIn, detail: `rosters ${r.rosters.join(', ')} (expected ${r.clients + 1} each)` },
  { goal: 'every reliable message delivered once, in order', met: r.reliable.received === r.reliable.sent && r.reliable.outOfOrder === 0, detail: `${r.reliable.received}/${r.reliable.sent}, ${r.reliable.outOfOrder} out of order` },
];
writeResult('soak', {
  config: { soakMs, lossPct, clients: r.clients, options: 'defaults (peerTimeoutMs 5000, heartbeat 1000 ms, 30 Hz ticks, inputs 30 Hz, reliable message every 500 ms per member)' },
  results: r, goals,
  notes: ['Loss is applied to every UDP packet leaving any socket in the namespace: each direction of a round trip loses 2%.', 'RTT and heartbeat loss are each client\'s link to the host, sampled once a second.'],
}, [
  `A host and ${r.clients} clients for ${soakMs / 1000} s at ${lossPct}% UDP loss (Node peers in a network namespace).`,
  '',
  mdTable(['fault events', 'stalls', 'ICE restarts', 'reliable sent', 'delivered', 'out of order', 'inputs sent', 'reached host', 'snapshots per client', 'RTT p50 ms', 'RTT p99 ms', 'RTT max ms', 'heartbeat loss p50'], [[
    r.faults.length, r.links.stalls, r.links.iceRestarts, r.reliable.sent, r.reliable.received, r.reliable.outOfOrder, r.inputs.sent, r.inputs.reachedHost,
    r.snapshots.perClient.join(' / '), r.rttMs.p50, r.rttMs.p99, r.rttMs.max, r.heartbeatLoss.p50,
  ]]),
].join('\n'));
process.exit(goals.every((g) => g.met) ? 0 : 1);
