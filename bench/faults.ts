/**
 * Faults: what a running game goes through when something breaks, with default options.
 * - Signaling restart: the server (in-memory store) stops mid-game for `outageMs` and comes back
 *   on the same port with the same lobby key. Measured: echoes host <-> client lost during the
 *   outage (goal: none), the host's signaling reconnect attempts, the time from the server being
 *   back to the host's code answering again (re-registered), and to a newcomer's first snapshot.
 * - Client SIGSTOP 8 s: a client in its own process is stopped for 8 s and resumed. Measured:
 *   SIGCONT -> the host's playerReconnect (seat resumed; goal <= 1 s), whether anyone saw a
 *   playerLeave (goal: no), and which way it came back (the same link, or a new one).
 * - Link black-hole 8 s (root only): a client in its own network namespace behind a veth pair has
 *   all its traffic dropped by nftables for 8 s. Measured: the network back -> the host's
 *   playerReconnect (goal <= 3 s), and which way: ICE restarted on the same link, or a new link.
 * A real server over loopback (veth for the black-hole), real WebRTC peers in Node. Host
 * migration is measured in bench/migration.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Session } from '../sdk/src/node.js';
import { sessionCore } from '../sdk/src/session/session.js';
import type { PeerNetwork } from '../sdk/src/link/peer-network.js';
import { startServer } from '../server/src/index.js';
import { sleep, withTimeout } from './lib/node-paths.js';
import { benchMode, mdGoals, mdTable, writeResult, type Goal } from './lib/report.js';
import { summarize } from './lib/stats.js';
import { sh, vethNamespace } from './lib/veth.js';

const mode = benchMode();
const n = { smoke: 2, quick: 5, full: 20 }[mode];
const outageMs = 2000;
const stopMs = 8000;
const lobbyKey = 'bench-faults-lobby-key-0123456789';
const limits = { createRatePerMinute: 100_000, joinRatePerMinute: 100_000, lookupRatePerMinute: 100_000, maxConnectionsPerIp: 10_000, lobbyKey, lobbyGraceMs: 60_000 };

const serve = (port = 0) => startServer({ port, ...limits });

function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  return withTimeout((async () => { while (!pred()) await sleep(5); })(), ms, what);
}

async function echoOnce(from: Session, to: Session, ms: number): Promise<boolean> {
  const k = Math.random();
  const got = new Promise<boolean>((res) => {
    const timer = setTimeout(() => { off(); res(false); }, ms);
    const off = from.onMessage('pong', (d) => { if (d === k) { clearTimeout(timer); off(); res(true); } });
  });
  from.send('ping', k, { to: to.selfId });
  return got;
}

async function signalingRestart() {
  const rows = { reRegisteredMs: [] as number[], newcomerSnapshotMs: [] as number[], attempts: [] as number[], echoesLost: 0, echoes: 0, closes: 0 };
  for (let i = 0; i < n; i++) {
    let server = await serve();
    const port = server.port;
    const host = await connect(server.url).host({ name: 'faults', playerName: 'Host' });
    const client = await connect(server.url).join(host.code, { playerName: 'Client' });
    client.onMessage('ping', (d, from) => client.send('pong', d, { to: from }));
    host.setState({ e: { x: 1 } });
    const offs = [host, client].map((s) => s.on('close', () => { rows.closes++; }));
    const net = sessionCore(host).net as PeerNetwork;
    const before = net.signaling.reconnectAttempts;
    await server.close();
    const t0 = performance.now();
    while (performance.now() - t0 < outageMs) { rows.echoes++; if (!(await echoOnce(host, client, 1000))) rows.echoesLost++; }
    server = await serve(port);
    const back = performance.now();
    await until(() => host.signalingState === 'open', 30_000, 'host signaling back');
    for (;;) {
      const status = await fetch(`${server.url}/api/lobbies/${host.code}`).then((r) => r.status, () => 0);
      if (status === 200) break;
      if (performance.now() - back > 30_000) throw new Error('lobby never re-registered');
      await sleep(10);
    }
    rows.reRegisteredMs.push(performance.now() - back);
    rows.attempts.push(net.signaling.reconnectAttempts - before);
    const late = await connect(server.url).join(host.code, { playerName: 'Late' });
    await until(() => Object.keys(late.latestState()).length > 0, 10_000, 'newcomer snapshot');
    rows.newcomerSnapshotMs.push(performance.now() - back);
    for (const off of offs) off(); // leaving on purpose is not a fault
    await Promise.all([late.leave(), client.leave()]);
    await host.leave();
    await server.close();
  }
  return rows;
}

function spawnChild(url: string, code: string, prefix: string[] = []): { proc: ChildProcess; lines: string[]; wait(re: RegExp, ms: number): Promise<string> } {
  const [cmd, ...args] = [...prefix, process.execPath, `${process.env.BENCH_BUILD_DIR}/faults-child.mjs`];
  const proc = spawn(cmd!, args, { env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin`, BENCH_SERVER: url, BENCH_CODE: code }, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let buf = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
    for (const w of waiters) w();
  });
  return {
    proc, lines,
    wait: (re, ms) => withTimeout(new Promise<string>((res) => {
      const check = () => { const l = lines.find((x) => re.test(x)); if (l) { waiters.delete(check); res(l); } };
      waiters.add(check);
      check();
    }), ms, `child line ${re}`),
  };
}

async function clientStop() {
  const rows = { resumedMs: [] as number[], leaves: 0, failures: 0, inPlace: 0, newLink: 0 };
  const server = await serve();
  try {
    const host = await connect(server.url).host({ name: 'faults', playerName: 'Host' });
    host.setState({ e: { x: 1 } });
    host.on('playerLeave', () => { rows.leaves++; });
    for (let i = 0; i < n; i++) {
      const child = spawnChild(server.url, host.code);
      try {
        const id = (await child.wait(/^joined /, 15_000)).slice(7);
        await until(() => host.players.has(id), 10_000, 'child in roster');
        await sleep(300); // settle the mesh and a few snapshots before the fault
        const back = new Promise<number>((res) => { const off = host.on('playerReconnect', (p) => { if (p.id === id) { off(); res(performance.now()); } }); });
        const linkBefore = sessionCore(host).links.get(id);
        child.proc.kill('SIGSTOP');
        await sleep(stopMs); // the fault itself: a process stopped for 8 s
        const cont = performance.now();
        child.proc.kill('SIGCONT');
        rows.resumedMs.push((await withTimeout(back, 15_000, 'playerReconnect')) - cont);
        if (sessionCore(host).links.get(id) === linkBefore) rows.inPlace++; else rows.newLink++;
      } catch (err) {
        rows.failures++;
        console.error(`[faults] SIGSTOP run ${i} failed: ${String(err)}`);
      } finally {
        child.proc.kill('SIGCONT');
        await endChild(child.proc, host);
      }
    }
    rows.leaves -= n; // each run's child leaves on purpose at its end
    await host.leave();
  } finally {
    await server.close();
  }
  return rows;
}

const holeMs = 8000;

/** Ends a run's child (it leaves on purpose) and waits until the host has only itself left. */
async function endChild(proc: ChildProcess, host: Session): Promise<void> {
  proc.kill('SIGTERM');
  await new Promise((r) => { if (proc.exitCode !== null) r(null); else proc.once('exit', r); });
  await until(() => host.players.size === 1, 10_000, 'child left').catch(() => {});
}

async function blackHoleRuns() {
  const rows = { restoredMs: [] as number[], leaves: 0, failures: 0, skipped: '', inPlace: 0, newLink: 0, iceRestored: 0 };
  const ns = vethNamespace('hm-fb', 214);
  if (!ns) { rows.skipped = 'needs root, iproute2 and nftables'; return rows; }
  const nft = (cmd: string) => sh('ip', ['netns', 'exec', ns.name, 'nft', cmd]);
  const server = await startServer({ ...limits, host: ns.ours, port: 0 });
  try {
    const host = await connect(server.url).host({ name: 'faults', playerName: 'Host' });
    host.setState({ e: { x: 1 } });
    host.on('playerLeave', () => { rows.leaves++; });
    for (let i = 0; i < n; i++) {
      const child = spawnChild(server.url, host.code, ['ip', 'netns', 'exec', ns.name]);
      try {
        const id = (await child.wait(/^joined /, 20_000)).slice(7);
        await until(() => host.players.has(id), 10_000, 'child in roster');
        await sleep(300); // settle before the fault
        const back = new Promise<number>((res) => { const off = host.on('playerReconnect', (p) => { if (p.id === id) { off(); res(performance.now()); } }); });
        const linkBefore = sessionCore(host).links.get(id);
        nft('add chain inet hm out { type filter hook output priority 0; }');
        nft('add chain inet hm in { type filter hook input priority 0; }');
        nft('add rule inet hm out oifname != "lo" drop');
        nft('add rule inet hm in iifname != "lo" drop');
        await sleep(holeMs); // the fault itself: every packet dropped for 8 s
        nft('flush table inet hm');
        nft('delete chain inet hm out');
        nft('delete chain inet hm in');
        const restored = performance.now();
        rows.restoredMs.push((await withTimeout(back, 30_000, 'playerReconnect')) - restored);
        if (sessionCore(host).links.get(id) === linkBefore) rows.inPlace++; else rows.newLink++;
        if ((linkBefore?.stats().iceRestored ?? 0) > 0) rows.iceRestored++;
      } catch (err) {
        rows.failures++;
        console.error(`[faults] black-hole run ${i} failed: ${String(err)}`);
        try { nft('flush table inet hm'); } catch { /* already clear */ }
      } finally {
        await endChild(child.proc, host);
      }
    }
    rows.leaves -= n; // each run's child leaves on purpose at its end
    await host.leave();
  } finally {
    await server.close();
    ns.remove();
  }
  return rows;
}

const restart = await signalingRestart();
const stop = await clientStop();
const hole = await blackHoleRuns();
const restoredSum = summarize(hole.restoredMs);
const reReg = summarize(restart.reRegisteredMs), late = summarize(restart.newcomerSnapshotMs), tries = summarize(restart.attempts), resumed = summarize(stop.resumedMs);
const goals: Goal[] = [
  { goal: 'signaling outage: no session closes, every echo answered within 1 s', met: restart.closes === 0 && restart.echoesLost === 0, detail: `${restart.echoesLost} of ${restart.echoes} echoes not answered within 1 s, ${restart.closes} sessions closed, over ${n} outages of ${outageMs} ms` },
  { goal: 'link black-hole 8 s -> link restored after the network returns <= 3 s (median), via ICE restart on the same link', met: hole.restoredMs.length > 0 ? restoredSum.p50 <= 3000 && hole.newLink === 0 : null, detail: hole.skipped || `median ${restoredSum.p50} ms, max ${restoredSum.max} ms, n=${restoredSum.n}; same link ${hole.inPlace}, new link ${hole.newLink} (host-side ICE connected again after restart attempts in ${hole.iceRestored}); failures ${hole.failures}, playerLeave seen ${hole.leaves}` },
  { goal: 'client SIGSTOP 8 s -> seat resumed after SIGCONT <= 1 s (median)', met: stop.resumedMs.length > 0 && resumed.p50 <= 1000, detail: `median ${resumed.p50} ms, max ${resumed.max} ms, n=${resumed.n}; same link ${stop.inPlace}, new link ${stop.newLink}; playerLeave seen ${stop.leaves}` },
];
writeResult('faults', {
  config: { n, outageMs, stopMs, holeMs, options: 'defaults (signalingRetryMinMs 500, signalingRetryMaxMs 10000, peerTimeoutMs 5000, reconnectGraceMs 30000)', transport: 'Node (@roamhq/wrtc), loopback' },
  results: { restart, stop, hole, summaries: { reRegisteredMs: reReg, newcomerSnapshotMs: late, reconnectAttempts: tries, seatResumedMs: resumed, blackHoleRestoredMs: restoredSum } },
  goals,
  notes: ['Re-registration time depends on where the back-off stood when the server returned (500 ms doubling, jitter x0.5-1).', 'A link silent past peerTimeoutMs stalls and restarts ICE on its RTCPeerConnection (HOSTMESH_ICE envelope); "same link" counts runs that came back on it, "new link" runs where the stall gave up and the member rejoined its held seat on a new link. "Host-side ICE connected again after restart attempts" counts runs whose host-side ICE state went back to connected after restart attempts; in the others the ICE state never left connected or came back on the old pair.', 'Host migration: bench/migration.ts.'],
}, `## Faults (ms)\n\n${mdTable(['scenario', 'n', 'median', 'max'], [
  [`server down ${outageMs} ms, back on the same port -> host's code answers again`, reReg.n, reReg.p50, reReg.max],
  ['... -> a newcomer\'s first snapshot', late.n, late.p50, late.max],
  ['host signaling reconnect attempts per outage', tries.n, tries.p50, tries.max],
  [`client SIGSTOP ${stopMs / 1000} s -> seat resumed after SIGCONT (same link ${stop.inPlace}, new link ${stop.newLink})`, resumed.n, resumed.p50, resumed.max],
  [`client black-holed ${holeMs / 1000} s (all traffic) -> back in its seat after the network returns (same link ${hole.inPlace}, new link ${hole.newLink})`, restoredSum.n, restoredSum.p50, restoredSum.max],
])}\n\n${mdGoals(goals)}`);
process.exit(0);
