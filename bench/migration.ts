/**
 * Host migration: how long a game stands still when its host goes, and what it loses. A host in
 * its own process (bench/migration-host.ts: a tick counter at 30 Hz, a score per player, a
 * checkpoint) and three members here, default options. Per scenario, n runs:
 * - host SIGKILL (a crash: its signaling socket closes at once; goal <= 1.5 s median);
 * - host black-holed (root only: the host in its own network namespace behind a veth pair, all
 *   its traffic dropped by nftables; nothing closes, the server finds its socket silent when a
 *   member claims the lobby; goal <= 6 s);
 * - graceful host leave (SIGTERM: leave(), a handover; goal <= 500 ms).
 * Measured from the fault to the first snapshot from the new host at every other member (the
 * slowest member of the run; the new host itself counts from its hostChange), and the ticks lost:
 * the newest counter any member had seen before the fault minus the counter the new host resumed
 * from (goal: 0, nothing beyond the last snapshot), and whether any score or entity was lost.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Session, type State } from '../sdk/src/node.js';
import { startServer } from '../server/src/index.js';
import { sleep, withTimeout } from './lib/node-paths.js';
import { benchMode, mdTable, writeResult, type Goal } from './lib/report.js';
import { summarize } from './lib/stats.js';
import { blackHole, vethNamespace } from './lib/veth.js';

const mode = benchMode();
const n = { smoke: 2, quick: 5, full: 20 }[mode];
const MEMBERS = 3;
const limits = { createRatePerMinute: 100_000, joinRatePerMinute: 100_000, lookupRatePerMinute: 100_000, maxConnectionsPerIp: 10_000, lobbyGraceMs: 60_000 };

type Scenario = 'kill' | 'blackhole' | 'leave';
interface Run { slowestMs: number; perMemberMs: number[]; lostTicks: number; entitiesLost: number }

function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  return withTimeout((async () => { while (!pred()) await sleep(5); })(), ms, what);
}

function spawnHost(url: string, prefix: string[]): { proc: ChildProcess; hosting: Promise<[string, string]> } {
  const [cmd, ...args] = [...prefix, process.execPath, `${process.env.BENCH_BUILD_DIR}/migration-host.mjs`];
  const proc = spawn(cmd!, args, { env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin`, BENCH_SERVER: url }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const hosting = withTimeout(new Promise<[string, string]>((res) => {
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /hosting (\S+) (\S+)/.exec(out);
      if (m) res([m[1]!, m[2]!]);
    });
  }), 20_000, 'the host process');
  return { proc, hosting };
}

/** Once it hosts, a member carries the game on from its latest state (the counter ticks on). */
function playOn(session: Session, resumedFrom: Map<Session, number>): void {
  session.on('hostChange', () => {
    if (!session.isHost) return;
    const state = structuredClone(session.latestState()) as State;
    let counter = Number(state.clock?.n ?? 0);
    resumedFrom.set(session, counter);
    session.on('tick', () => { state.clock = { n: ++counter }; session.setState({ ...state }); });
  });
}

async function runOnce(scenario: Scenario, url: string, ns: ReturnType<typeof vethNamespace>): Promise<Run> {
  const host = spawnHost(url, scenario === 'blackhole' && ns ? ['ip', 'netns', 'exec', ns.name] : []);
  const members: Session[] = [];
  const resumedFrom = new Map<Session, number>();
  let hole: { restore(): void } | undefined;
  try {
    const [code, hostId] = await host.hosting;
    for (let i = 0; i < MEMBERS; i++) {
      const s = await connect(url).join(code, { playerName: `M${i + 1}` });
      playOn(s, resumedFrom);
      members.push(s);
    }
    await until(() => members.every((m) => members.every((x) => (m.latestState()[x.selfId] as { score?: number } | undefined)?.score !== undefined)), 15_000, 'everyone in the state');
    await sleep(500);
    const seenBefore = () => Math.max(...members.map((m) => Number(m.latestState().clock?.n ?? 0)));
    const entitiesBefore = Object.keys(members[0]!.latestState()).length;
    // Per member: when it first heard the new host (its first snapshot; the new host: its hostChange).
    const heard = members.map((m) => new Promise<number>((res) => {
      m.on('hostChange', () => {
        if (m.isHost) { res(performance.now()); return; }
        const off = m.on('snapshot', () => { if (m.hostId !== hostId) { off(); res(performance.now()); } });
      });
    }));
    let lastSeen = seenBefore();
    const t0 = performance.now();
    if (scenario === 'kill') host.proc.kill('SIGKILL');
    else if (scenario === 'leave') host.proc.kill('SIGTERM');
    else hole = blackHole(ns!.name);
    lastSeen = Math.max(lastSeen, seenBefore()); // a snapshot may have been in flight at the fault
    const times = await withTimeout(Promise.all(heard), 30_000, 'the new host heard at every member');
    const perMemberMs = times.map((t) => t - t0);
    const newHost = members.find((m) => m.isHost);
    const entitiesAfter = Math.min(...members.filter((m) => !m.isHost).map((m) => Object.keys(m.latestState()).length));
    return {
      slowestMs: Math.max(...perMemberMs), perMemberMs,
      lostTicks: newHost ? lastSeen - (resumedFrom.get(newHost) ?? 0) : NaN,
      entitiesLost: Math.max(0, entitiesBefore - entitiesAfter),
    };
  } finally {
    hole?.restore();
    host.proc.kill('SIGKILL');
    await new Promise((r) => { if (host.proc.exitCode !== null || host.proc.signalCode !== null) r(null); else host.proc.once('exit', r); });
    await Promise.allSettled(members.map((m) => m.leave()));
  }
}

async function scenario(name: Scenario) {
  const rows = { runs: [] as Run[], failures: 0, skipped: '' };
  const ns = name === 'blackhole' ? vethNamespace('hm-mg', 215) : null;
  if (name === 'blackhole' && !ns) { rows.skipped = 'needs root, iproute2 and nftables'; return rows; }
  const server = await startServer({ ...limits, port: 0, ...(ns ? { host: ns.ours } : {}) });
  try {
    for (let i = 0; i < n; i++) {
      try {
        rows.runs.push(await runOnce(name, server.url, ns));
      } catch (err) {
        rows.failures++;
        console.error(`[migration] ${name} run ${i} failed: ${String(err)}`);
      }
    }
  } finally {
    await server.close();
    ns?.remove();
  }
  return rows;
}

const kill = await scenario('kill');
const hole = await scenario('blackhole');
const leave = await scenario('leave');
const slowest = (r: { runs: Run[] }) => summarize(r.runs.map((x) => x.slowestMs));
const lost = (r: { runs: Run[] }) => summarize(r.runs.map((x) => x.lostTicks));
const [k, b, l] = [slowest(kill), slowest(hole), slowest(leave)];
const allRuns = [...kill.runs, ...hole.runs, ...leave.runs];
const lostAll = lost({ runs: allRuns });
const entitiesLost = allRuns.reduce((a, r) => a + r.entitiesLost, 0);
const detail = (s: ReturnType<typeof summarize>, r: { failures: number; skipped: string }) => r.skipped || `median ${s.p50} ms, max ${s.max} ms, n=${s.n}, failures ${r.failures}`;
const goals: Goal[] = [
  { goal: 'host SIGKILL -> first snapshot from the new host at every member <= 1.5 s (median)', met: k.n > 0 ? k.p50 <= 1500 : null, detail: detail(k, kill) },
  { goal: 'host black-holed -> the same <= 6 s (median)', met: b.n > 0 ? b.p50 <= 6000 : null, detail: detail(b, hole) },
  { goal: 'graceful host leave -> the same <= 500 ms (median)', met: l.n > 0 ? l.p50 <= 500 : null, detail: detail(l, leave) },
  { goal: 'lost state after migration: nothing beyond the last snapshot (0 ticks, no entity lost)', met: lostAll.n > 0 ? lostAll.max <= 0 && entitiesLost === 0 : null, detail: `ticks lost: median ${lostAll.p50}, max ${lostAll.max} (n=${lostAll.n}); entities lost: ${entitiesLost}` },
];
writeResult('migration', {
  config: { n, members: MEMBERS, tickRateHz: 30, options: 'defaults (heartbeatIntervalMs 1000, peerTimeoutMs 5000, reconnectGraceMs 30000)', transport: 'Node (@roamhq/wrtc), loopback (veth for the black-hole)' },
  results: { kill, blackhole: hole, leave, summaries: { killMs: k, blackholeMs: b, leaveMs: l, lostTicks: lostAll, entitiesLost } },
  goals,
  notes: [
    'Per run, the slowest of the three members; the new host counts from its hostChange, the others from their first snapshot from it.',
    'Ticks lost = the newest clock any member had seen at the fault minus the clock the new host resumed from (its own newest snapshot).',
  ],
}, `## Host migration (ms)\n\n${mdTable(['scenario', 'n', 'median', 'p90', 'max', 'failures'], [
  ['host SIGKILL -> new host heard at every member', k.n, k.p50, k.p90, k.max, kill.failures],
  ['host black-holed (all traffic) -> the same', b.n, b.p50, b.p90, b.max, hole.skipped || hole.failures],
  ['graceful host leave -> the same', l.n, l.p50, l.p90, l.max, leave.failures],
  ['ticks lost at the takeover (all scenarios)', lostAll.n, lostAll.p50, lostAll.p90, lostAll.max, ''],
])}`);
process.exit(0);
