/**
 * Signaling load: simulated peers (WebSocket only, no WebRTC) against one node and against
 * three nodes on Redis, each node a real server process.
 * - Hold: idle peers registered with signaling (PeerJS heartbeats every 5 s), opened by worker
 *   processes (bench/signaling-load-child.ts; one process can hold at most `ulimit -n` sockets)
 *   from loopback source addresses. Reports peers held, where it stopped and why (the first
 *   refusal), and server memory per idle peer (RSS growth of the nodes / peers held).
 * - Exchanges under that load: a host opens signaling, creates a lobby over HTTP; a joiner
 *   opens signaling on the same or another node, joins over HTTP, sends an OFFER (2 KB SDP), the
 *   host answers, two CANDIDATEs go each way, both leave and the lobby is deleted. OFFER delivery
 *   (one way, one clock) and OFFER->ANSWER round trip, split same-node / cross-node.
 * - Kill (three nodes): lobbies whose hosts are spread over the nodes; one node is SIGKILLed;
 *   the hosts that were on it reconnect to another node with their id and token and re-register
 *   (PUT /api/lobbies/:code). Lobbies lost outside the dead node, and those restored.
 * - Soak (LOAD_SOAK_MIN > 0, three nodes): exchanges at a steady rate over a held population;
 *   node RSS sampled every 15 s; growth from the first sample after a 1-minute warm-up.
 * Env: LOAD_SCENARIOS (one,three,kill), LOAD_PEERS_ONE, LOAD_PEERS_THREE, LOAD_EXCHANGES,
 * LOAD_RATE (exchanges/s), LOAD_SOAK_MIN, LOAD_SOAK_PEERS, LOAD_KILL_LOBBIES, LOAD_RESULT_NAME.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { startRedis, type RedisProcess } from '../test/helpers/redis.js';
import { benchMode, mdTable, writeResult, type Goal } from './lib/report.js';
import { summarize, type Summary } from './lib/stats.js';

const mode = benchMode();
const env = (name: string, fallback: number): number => (process.env[name] === undefined ? fallback : Number(process.env[name]));
const scenarios = (process.env.LOAD_SCENARIOS ?? 'one,three,kill').split(',').filter(Boolean);
const peersOne = env('LOAD_PEERS_ONE', { smoke: 200, quick: 3000, full: 25_000 }[mode]);
const peersThree = env('LOAD_PEERS_THREE', { smoke: 300, quick: 6000, full: 50_000 }[mode]);
const exchanges = env('LOAD_EXCHANGES', { smoke: 20, quick: 300, full: 1000 }[mode]);
const rate = env('LOAD_RATE', { smoke: 20, quick: 50, full: 50 }[mode]);
const soakMin = env('LOAD_SOAK_MIN', 0);
const soakPeers = env('LOAD_SOAK_PEERS', 3000);
const killLobbies = env('LOAD_KILL_LOBBIES', { smoke: 15, quick: 90, full: 300 }[mode]);
const PER_WORKER = 15_000;
const buildDir = process.env.BENCH_BUILD_DIR ?? 'node_modules/.cache/hostmesh-bench';
const lobbyKey = 'signaling-load-lobby-key-0123456789';

interface Proc { proc: ChildProcessWithoutNullStreams; out: () => string; waitFor(re: RegExp, ms: number): Promise<RegExpMatchArray> }

function run(file: string, extraEnv: Record<string, string>): Proc {
  const proc = spawn(process.execPath, [file], { env: { ...process.env, ...extraEnv } });
  let out = '';
  const listeners = new Set<() => void>();
  proc.stdout.on('data', (d: Buffer) => { out += d.toString(); for (const l of listeners) l(); });
  proc.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  return {
    proc, out: () => out,
    waitFor(re, ms) {
      return new Promise((resolve, reject) => {
        const check = (): void => { const m = re.exec(out); if (m) { listeners.delete(check); clearTimeout(t); resolve(m); } };
        const t = setTimeout(() => { listeners.delete(check); reject(new Error(`no ${re} within ${ms} ms: ${out.slice(-500)}`)); }, ms);
        listeners.add(check);
        proc.once('exit', () => { if (!re.exec(out)) { clearTimeout(t); reject(new Error(`exited without ${re}: ${out.slice(-500)}`)); } });
        check();
      });
    },
  };
}

function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? NaN : Number(m[1]) * 1024;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Node { url: string; id: string; proc: Proc }

async function startNodes(count: number, redis: RedisProcess | undefined, extra: Record<string, unknown> = {}): Promise<Node[]> {
  const nodes: Node[] = [];
  for (let i = 0; i < count; i++) {
    const id = `node-${i + 1}`;
    const proc = run(`${buildDir}/signaling-load-server.mjs`, {
      LOAD_SERVER_OPTIONS: JSON.stringify({ lobbyKey, nodeId: id, ...(redis ? { redisUrl: redis.url } : {}), ...extra }),
    });
    const [, url] = await proc.waitFor(/listening (\S+)/, 20_000);
    nodes.push({ url: url!, id, proc });
  }
  return nodes;
}

async function stopAll(procs: Proc[]): Promise<void> {
  await Promise.all(procs.map((p) => new Promise<void>((r) => {
    if (p.proc.exitCode !== null || p.proc.signalCode !== null) { r(); return; }
    p.proc.once('exit', () => r());
    p.proc.kill('SIGTERM');
    setTimeout(() => p.proc.kill('SIGKILL'), 5000).unref();
  })));
}

/** A simulated peer: one signaling socket, messages by type. */
interface SimPeer { id: string; token: string; ws: WebSocket; wait(type: string, ms?: number): Promise<{ type: string; src?: string; payload?: unknown; at: number }>; close(): void }

function simPeer(url: string, id = `sim${randomBytes(8).toString('hex')}`, token = randomBytes(8).toString('hex')): Promise<SimPeer> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/peerjs/peerjs?key=hostmesh&id=${id}&token=${token}`);
  const queue: { type: string; src?: string; payload?: unknown; at: number }[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data) => {
    try {
      queue.push({ ...(JSON.parse(data.toString()) as { type: string }), at: performance.now() });
    } catch { /* ignore */ }
    for (const w of waiters.splice(0)) w();
  });
  ws.on('error', () => {});
  const peer: SimPeer = {
    id, token, ws,
    wait(type, ms = 15_000) {
      return new Promise((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`${id}: no ${type} in ${ms} ms (got ${queue.map((m) => m.type).join(',')})`)), ms);
        const check = (): void => {
          const i = queue.findIndex((m) => m.type === type);
          if (i >= 0) { clearTimeout(deadline); resolve(queue.splice(i, 1)[0]!); return; }
          if (ws.readyState > WebSocket.OPEN) { clearTimeout(deadline); reject(new Error(`${id}: socket closed waiting for ${type}`)); return; }
          waiters.push(check);
        };
        check();
      });
    },
    close: () => ws.close(),
  };
  ws.on('close', () => { for (const w of waiters.splice(0)) w(); });
  return peer.wait('OPEN').then(() => peer);
}

async function api(url: string, method: string, path: string, body?: unknown, secret?: string): Promise<{ status: number; json: any }> {
  const res = await fetch(`${url}${path}`, {
    method, headers: { 'content-type': 'application/json', ...(secret ? { authorization: `Bearer ${secret}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

interface ExchangeResult { offerMs: number; roundTripMs: number; cross: boolean }

async function exchange(hostUrl: string, joinUrl: string): Promise<ExchangeResult> {
  const host = await simPeer(hostUrl);
  let joiner: SimPeer | undefined;
  try {
    const created = await api(hostUrl, 'POST', '/api/lobbies', { name: 'load', maxPlayers: 4, public: false, hostPeerId: host.id, hostPeerToken: host.token });
    if (created.status !== 201) throw new Error(`create ${created.status} ${JSON.stringify(created.json)}`);
    const code = created.json.lobby.code as string;
    joiner = await simPeer(joinUrl);
    const joined = await api(joinUrl, 'POST', `/api/lobbies/${code}/join`, { peerId: joiner.id });
    if (joined.status !== 200) throw new Error(`join ${joined.status} ${JSON.stringify(joined.json)}`);
    const connectionId = `dc_${randomBytes(6).toString('hex')}`;
    const t0 = performance.now();
    joiner.ws.send(JSON.stringify({ type: 'OFFER', dst: host.id, payload: { type: 'data', connectionId, sdp: { type: 'offer', sdp: 'v=0'.padEnd(2000, 'x') } } }));
    const offer = await host.wait('OFFER');
    host.ws.send(JSON.stringify({ type: 'ANSWER', dst: joiner.id, payload: { type: 'data', connectionId, sdp: { type: 'answer', sdp: 'v=0'.padEnd(2000, 'y') } } }));
    const answer = await joiner.wait('ANSWER');
    for (let k = 0; k < 2; k++) {
      joiner.ws.send(JSON.stringify({ type: 'CANDIDATE', dst: host.id, payload: { connectionId, candidate: { candidate: `candidate:${k} 1 udp 1 127.0.0.1 ${5000 + k} typ host` } } }));
      host.ws.send(JSON.stringify({ type: 'CANDIDATE', dst: joiner.id, payload: { connectionId, candidate: { candidate: `candidate:${k} 1 udp 1 127.0.0.1 ${6000 + k} typ host` } } }));
    }
    await Promise.all([host.wait('CANDIDATE'), host.wait('CANDIDATE'), joiner.wait('CANDIDATE'), joiner.wait('CANDIDATE')]);
    await api(hostUrl, 'DELETE', `/api/lobbies/${code}`, undefined, created.json.hostSecret as string);
    return { offerMs: offer.at - t0, roundTripMs: answer.at - t0, cross: hostUrl !== joinUrl };
  } finally {
    host.close();
    joiner?.close();
  }
}

/** Runs `total` exchanges at `perSecond`, host and joiner on nodes picked round robin. */
async function exchangesAt(nodes: Node[], total: number, perSecond: number): Promise<{ ok: ExchangeResult[]; failed: number; firstError: string }> {
  const ok: ExchangeResult[] = [];
  let failed = 0;
  let firstError = '';
  const running: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const host = nodes[i % nodes.length]!;
    const join = nodes[Math.floor(i / nodes.length) % nodes.length]!;
    running.push(exchange(host.url, join.url).then((r) => { ok.push(r); }, (err: unknown) => { failed++; firstError ||= (err as Error).message; }));
    await sleep(1000 / perSecond);
  }
  await Promise.all(running);
  return { ok, failed, firstError };
}

/** Holds `peers` idle peers over `nodes`; resolves with what was held. */
async function hold(nodes: Node[], peers: number): Promise<{ held: number; failed: number; firstFailure: string; closedAfterOpen: number; firstClose: string; workers: Proc[]; heldBy: number[]; seconds: number }> {
  const workers: Proc[] = [];
  const started = performance.now();
  const count = Math.ceil(peers / PER_WORKER);
  for (let w = 0; w < count; w++) {
    workers.push(run(`${buildDir}/signaling-load-child.mjs`, {
      LOAD_URLS: nodes.map((n) => n.url).join(','), LOAD_COUNT: String(Math.min(PER_WORKER, peers - w * PER_WORKER)), LOAD_SRC: `127.1.${w}.1`, LOAD_PARALLEL: '100',
    }));
  }
  let held = 0;
  let failed = 0;
  let firstFailure = '';
  let closedAfterOpen = 0;
  let firstClose = '';
  const heldBy: number[] = [];
  for (const w of workers) {
    const m = await w.waitFor(/ready (\d+) (\d+) (.*)\n/, 20 * 60_000);
    heldBy.push(Number(m[1]));
    held += Number(m[1]);
    failed += Number(m[2]);
    firstFailure ||= JSON.parse(m[3]!) as string;
    const c = await w.waitFor(/closes (\d+) (.*)\n/, 10_000);
    closedAfterOpen += Number(c[1]);
    firstClose ||= JSON.parse(c[2]!) as string;
  }
  return { held, failed, firstFailure, closedAfterOpen, firstClose, workers, heldBy, seconds: Math.round((performance.now() - started) / 1000) };
}

interface LoadResult {
  nodes: number;
  asked: number;
  held: number;
  failed: number;
  firstFailure: string;
  rampSeconds: number;
  rssBeforeMiB: number[];
  rssAfterMiB: number[];
  bytesPerIdlePeer: number;
  /** Sockets that opened and were later closed during the ramp, and the first close code and reason. */
  closedAfterOpen: number;
  firstClose: string;
  /** Per node after the ramp, from its /metrics: sockets, peers, refusals by reason. */
  /** Idle peers held while the exchanges ran. */
  idleDuringExchanges: number;
  nodeMetrics: { node: string; sockets: number; peers: number; refused: Record<string, number> }[];
  exchanges: { ok: number; failed: number; firstError: string; sameNode: { offerMs: Summary; roundTripMs: Summary }; crossNode: { offerMs: Summary; roundTripMs: Summary } };
}

const mib = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;

async function loadScenario(nodeCount: number, peers: number): Promise<LoadResult> {
  const redis = nodeCount > 1 ? await startRedis() : undefined;
  const nodes = await startNodes(nodeCount, redis);
  let workers: Proc[] = [];
  try {
    await exchangesAt(nodes, 3 * nodeCount, 20); // warm-up
    await sleep(2000);
    const before = nodes.map((n) => rss(n.proc.proc.pid!));
    console.log(`[load] ${nodeCount} node(s): holding ${peers} idle peers`);
    const h = await hold(nodes, peers);
    workers = h.workers;
    console.log(`[load] held ${h.held}, failed ${h.failed} (${h.firstFailure}) in ${h.seconds} s`);
    await sleep(5000);
    const after = nodes.map((n) => rss(n.proc.proc.pid!));
    const nodeMetrics = await Promise.all(nodes.map(async (n) => {
      const text = await fetch(`${n.url}/metrics`).then((r) => r.text()).catch(() => ''); // a node out of descriptors may not answer
      const value = (name: string) => Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
      const refused: Record<string, number> = {};
      for (const m of text.matchAll(/^hostmesh_signaling_refused_total\{[^}]*reason="([^"]+)"[^}]*\} (\S+)/gm)) refused[m[1]!] = Number(m[2]);
      return { node: n.id, sockets: value('hostmesh_signaling_sockets'), peers: value('hostmesh_peers'), refused };
    }));
    console.log(`[load] closed after open: ${h.closedAfterOpen} (${h.firstClose}); nodes: ${JSON.stringify(nodeMetrics)}`);
    // A node out of file descriptors cannot take the exchanges' sockets: stop the last worker
    // (its peers leave) so the exchanges run beside the rest of the load.
    let idleDuringExchanges = h.held;
    if (h.failed > 0 && workers.length > 1) {
      await stopAll([workers[workers.length - 1]!]);
      idleDuringExchanges -= h.heldBy[h.heldBy.length - 1]!;
      await sleep(3000);
    }
    console.log(`[load] ${exchanges} exchanges at ${rate}/s beside ${idleDuringExchanges} idle peers`);
    const ex = await exchangesAt(nodes, exchanges, rate);
    const split = (cross: boolean) => ({
      offerMs: summarize(ex.ok.filter((r) => r.cross === cross).map((r) => r.offerMs)),
      roundTripMs: summarize(ex.ok.filter((r) => r.cross === cross).map((r) => r.roundTripMs)),
    });
    const grown = after.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0);
    return {
      nodes: nodeCount, asked: peers, held: h.held, failed: h.failed, firstFailure: h.firstFailure, rampSeconds: h.seconds,
      rssBeforeMiB: before.map(mib), rssAfterMiB: after.map(mib), bytesPerIdlePeer: h.held > 0 ? Math.round(grown / h.held) : NaN,
      closedAfterOpen: h.closedAfterOpen, firstClose: h.firstClose, nodeMetrics, idleDuringExchanges,
      exchanges: { ok: ex.ok.length, failed: ex.failed, firstError: ex.firstError, sameNode: split(false), crossNode: split(true) },
    };
  } finally {
    await stopAll([...workers, ...nodes.map((n) => n.proc)]);
    await redis?.stop();
  }
}

interface KillResult { lobbies: number; onKilled: number; lostElsewhere: number; restored: number; notRestored: number; restoreMs: Summary }

async function killScenario(lobbies: number): Promise<KillResult> {
  const redis = await startRedis();
  const nodes = await startNodes(3, redis, { presenceTtlMs: 5000 });
  const hosts: { peer: SimPeer; node: number; code: string; secret: string }[] = [];
  try {
    for (let i = 0; i < lobbies; i++) {
      const node = i % 3;
      const peer = await simPeer(nodes[node]!.url);
      const created = await api(nodes[(i + 1) % 3]!.url, 'POST', '/api/lobbies', { name: `kill ${i}`, maxPlayers: 4, public: true, hostPeerId: peer.id, hostPeerToken: peer.token });
      if (created.status !== 201) throw new Error(`create ${created.status}`);
      hosts.push({ peer, node, code: created.json.lobby.code, secret: created.json.hostSecret });
    }
    const victim = 0;
    nodes[victim]!.proc.proc.kill('SIGKILL');
    const killedAt = performance.now();
    const survivors = nodes.filter((_, i) => i !== victim);
    const restoreMs: number[] = [];
    // Hosts of the dead node reconnect (same id and token) to a live node and re-register.
    await Promise.all(hosts.filter((h) => h.node === victim).map(async (h, k) => {
      const target = survivors[k % survivors.length]!;
      h.peer = await simPeer(target.url, h.peer.id, h.peer.token);
      const put = await api(target.url, 'PUT', `/api/lobbies/${h.code}`, { name: 'kill', maxPlayers: 4, public: true, players: 1, open: true, hostPeerId: h.peer.id, hostPeerToken: h.peer.token }, h.secret);
      if (put.status === 200) restoreMs.push(performance.now() - killedAt);
    }));
    let lostElsewhere = 0;
    let restored = 0;
    for (const h of hosts) {
      const status = (await api(survivors[0]!.url, 'GET', `/api/lobbies/${h.code}`)).status;
      if (h.node === victim) restored += status === 200 ? 1 : 0;
      else lostElsewhere += status === 200 ? 0 : 1;
    }
    const onKilled = hosts.filter((h) => h.node === victim).length;
    return { lobbies, onKilled, lostElsewhere, restored, notRestored: onKilled - restored, restoreMs: summarize(restoreMs) };
  } finally {
    for (const h of hosts) h.peer.close();
    await stopAll(nodes.map((n) => n.proc));
    await redis.stop();
  }
}

interface SoakResult { minutes: number; peersHeld: number; exchangesOk: number; exchangesFailed: number; samples: { minute: number; rssMiB: number[] }[]; growthPercent: number[] }

async function soak(minutes: number, peers: number): Promise<SoakResult> {
  const redis = await startRedis();
  const nodes = await startNodes(3, redis);
  let workers: Proc[] = [];
  try {
    const h = await hold(nodes, peers);
    workers = h.workers;
    const samples: { minute: number; rssMiB: number[] }[] = [];
    const started = performance.now();
    let ok = 0;
    let failed = 0;
    const sampler = setInterval(() => samples.push({ minute: Math.round((performance.now() - started) / 600) / 100, rssMiB: nodes.map((n) => mib(rss(n.proc.proc.pid!))) }), 15_000);
    while (performance.now() - started < minutes * 60_000) {
      const r = await exchangesAt(nodes, rate * 10, rate);
      ok += r.ok.length;
      failed += r.failed;
    }
    clearInterval(sampler);
    samples.push({ minute: Math.round((performance.now() - started) / 600) / 100, rssMiB: nodes.map((n) => mib(rss(n.proc.proc.pid!))) });
    const base = samples.find((s) => s.minute >= 1) ?? samples[0]!;
    const last = samples[samples.length - 1]!;
    return {
      minutes, peersHeld: h.held, exchangesOk: ok, exchangesFailed: failed, samples,
      growthPercent: last.rssMiB.map((v, i) => Math.round(((v - base.rssMiB[i]!) / base.rssMiB[i]!) * 1000) / 10),
    };
  } finally {
    await stopAll([...workers, ...nodes.map((n) => n.proc)]);
    await redis.stop();
  }
}

const results: { one?: LoadResult; three?: LoadResult; kill?: KillResult; soak?: SoakResult } = {};
if (scenarios.includes('one')) results.one = await loadScenario(1, peersOne);
if (scenarios.includes('three')) results.three = await loadScenario(3, peersThree);
if (scenarios.includes('kill')) results.kill = await killScenario(killLobbies);
if (soakMin > 0) results.soak = await soak(soakMin, soakPeers);

const rows = [results.one, results.three].filter((r): r is LoadResult => r !== undefined).map((r) => [
  r.nodes, r.asked, r.held, r.failed, r.firstFailure.slice(0, 60) || '–', `${r.closedAfterOpen}${r.firstClose ? ` (${r.firstClose.slice(0, 40)})` : ''}`, r.rampSeconds, r.bytesPerIdlePeer, r.rssAfterMiB.join(' / '),
]);
const latRows = [results.one, results.three].filter((r): r is LoadResult => r !== undefined).flatMap((r) => (['sameNode', 'crossNode'] as const)
  .filter((k) => r.exchanges[k].offerMs.n > 0)
  .map((k) => [`${r.nodes} node(s), ${k === 'sameNode' ? 'same node' : 'cross node'}, beside ${r.idleDuringExchanges} idle`, r.exchanges[k].offerMs.n, r.exchanges[k].offerMs.p50, r.exchanges[k].offerMs.p99, r.exchanges[k].roundTripMs.p50, r.exchanges[k].roundTripMs.p99, r.exchanges[k].roundTripMs.max]));
const goals: Goal[] = [];
if (results.three && results.three.asked >= 50_000) goals.push({ goal: '50,000 simulated peers across three nodes', met: results.three.held >= 50_000, detail: `${results.three.held} held of ${results.three.asked}${results.three.failed ? `; first refusal: ${results.three.firstFailure}` : ''}` });
if (results.kill) goals.push({ goal: 'kill -9 of one node loses 0 lobbies outside it; its hosts restore theirs', met: results.kill.lostElsewhere === 0 && results.kill.notRestored === 0, detail: `${results.kill.lostElsewhere} lost elsewhere, ${results.kill.restored}/${results.kill.onKilled} restored` });
if (results.soak) goals.push({ goal: `RSS growth over a ${results.soak.minutes}-minute churn soak <= 10%`, met: results.soak.growthPercent.every((g) => g <= 10), detail: `growth per node ${results.soak.growthPercent.join(' / ')} %` });

writeResult(process.env.LOAD_RESULT_NAME ?? 'signaling-load', {
  config: { scenarios, peersOne, peersThree, exchanges, ratePerSecond: rate, soakMin, soakPeers, killLobbies, perWorker: PER_WORKER, ulimitNofile: 'see notes' },
  results, goals,
  notes: [
    'Simulated peers are WebSocket-only PeerJS clients (OPEN, HEARTBEAT every 5 s, OFFER/ANSWER/CANDIDATE), opened by worker processes from 127.1.<worker>.1; servers are real hostmesh server processes (limits lifted), three of them on one real redis-server.',
    'Every process here (server node or worker) may hold at most `ulimit -n` file descriptors (20,000 hard on this machine; raising it is not permitted in this container): a node stops near 20,000 sockets.',
    'Offer delivery is one way (joiner send -> host receive, one clock); round trip is OFFER sent -> ANSWER received, both through the server(s).',
  ],
}, [
  '## Peers held and memory per idle peer',
  '',
  mdTable(['nodes', 'asked', 'held', 'refused', 'first refusal', 'closed after open', 'ramp s', 'bytes / idle peer', 'node RSS after, MiB'], rows),
  '',
  '## Signaling latency under that load (ms)',
  '',
  mdTable(['path', 'n', 'offer p50', 'offer p99', 'offer->answer p50', 'p99', 'max'], latRows),
  ...(results.kill ? ['', '## Kill -9 of one of three nodes', '', mdTable(['lobbies', 'on killed node', 'lost elsewhere', 'restored', 'restore p50 ms', 'restore max ms'], [[results.kill.lobbies, results.kill.onKilled, results.kill.lostElsewhere, results.kill.restored, results.kill.restoreMs.p50, results.kill.restoreMs.max]])] : []),
  ...(results.soak ? ['', `## Churn soak (${results.soak.minutes} min, ${results.soak.peersHeld} idle peers, ${rate} exchanges/s)`, '', mdTable(['minute', 'node RSS MiB'], results.soak.samples.map((s) => [s.minute, s.rssMiB.join(' / ')])), '', `Exchanges: ${results.soak.exchangesOk} ok, ${results.soak.exchangesFailed} failed. RSS growth from minute 1: ${results.soak.growthPercent.join(' / ')} %.`] : []),
].join('\n'));
process.exit(0);
