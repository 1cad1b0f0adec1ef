/**
 * Child of soak.ts, run inside a network namespace whose nftables rules drop LOSS_PCT% of UDP
 * (each direction, so about twice that per round trip). A real server, a host and CLIENTS clients
 * in this process, default options (peer timeout 5 s): the host ticks at 30 Hz with one entity per
 * player, each client sends inputs at 30 Hz and a numbered reliable chat message every 500 ms, and
 * the host broadcasts a numbered reliable message every 500 ms. For SOAK_MS it records every fault
 * event a false disconnect would show (playerDisconnect, playerLeave, reconnecting, close, a stalled
 * link), whether every reliable message arrived once and in order, and RTT/loss samples each second.
 * Prints one JSON line on stdout.
 */
import { connect, type Session } from '../sdk/src/node.js';
import { sessionCore } from '../sdk/src/session/session.js';
import { sleep } from './lib/node-paths.js';
import { benchServer } from './lib/server.js';
import { summarize, type Summary } from './lib/stats.js';

const soakMs = Number(process.env.SOAK_MS ?? 60_000);
const clientsN = Number(process.env.SOAK_CLIENTS ?? 3);
const lossPct = Number(process.env.LOSS_PCT ?? 2);

/** What the soak saw. */
export interface SoakResult {
  lossPct: number;
  soakMs: number;
  clients: number;
  /** Fault events, each as "<who> <event> [<detail>]": a clean run has none. */
  faults: string[];
  /** Members in every roster at the end, per session (host first). */
  rosters: number[];
  reliable: { sent: number; received: number; outOfOrder: number };
  inputs: { sent: number; reachedHost: number };
  snapshots: { perClient: number[] };
  links: { stalls: number; recoveries: number; iceRestarts: number };
  rttMs: Summary;
  heartbeatLoss: Summary;
}

const server = await benchServer();
const host = await connect(server.url).host({ name: 'soak', playerName: 'Host', tickRateHz: 30, maxPlayers: clientsN + 1 });
const clients: Session[] = [];
for (let i = 0; i < clientsN; i++) clients.push(await connect(server.url).join(host.code, { playerName: `C${i}` }));
const all = [host, ...clients];
const faults: string[] = [];
const t0 = performance.now();
const at = () => `${((performance.now() - t0) / 1000).toFixed(1)}s`;
for (const [i, s] of all.entries()) {
  const who = i === 0 ? 'host' : `C${i - 1}`;
  s.on('playerDisconnect', (p) => faults.push(`${at()} ${who} playerDisconnect ${p.name}`));
  s.on('playerLeave', (p, why) => faults.push(`${at()} ${who} playerLeave ${p.name} ${why}`));
  s.on('reconnecting', () => faults.push(`${at()} ${who} reconnecting`));
  s.on('close', (why, err) => faults.push(`${at()} ${who} close ${why} ${err?.code ?? ''}`));
}

// The game: one entity per player, moved by its inputs.
const world: Record<string, { x: number; y: number }> = Object.fromEntries(all.map((s) => [s.selfId, { x: 0, y: 0 }]));
let inputsReached = 0;
host.onInput((input, from) => {
  inputsReached++;
  const e = world[from];
  const d = input as { dx?: unknown };
  if (e && typeof d.dx === 'number') world[from] = { x: e.x + d.dx, y: e.y };
});
host.on('tick', () => host.setState(world));
host.setState(world);

// Reliable traffic both ways, numbered: every message must arrive once and in order.
const expected = new Map<string, number>(); // "<receiver> <sender>" -> next seq
let sent = 0, received = 0, outOfOrder = 0;
const receive = (me: string) => (d: unknown, from: string) => {
  const key = `${me} ${from}`;
  const seq = (d as { n: number }).n;
  if (seq !== (expected.get(key) ?? 0)) outOfOrder++;
  expected.set(key, seq + 1);
  received++;
};
for (const s of all) s.onMessage('seq', receive(s.selfId));
const seqs = new Map<Session, number>();
const snapshots = clients.map(() => 0);
clients.forEach((c, i) => c.on('snapshot', () => { snapshots[i]!++; }));
let inputsSent = 0;
const inputTimer = setInterval(() => { for (const c of clients) { c.sendInput({ dx: 0.01 }); inputsSent++; } }, 1000 / 30);
const chatTimer = setInterval(() => {
  for (const s of all) {
    const n = seqs.get(s) ?? 0;
    seqs.set(s, n + 1);
    if (s === host) { host.send('seq', { n }); sent += clientsN; } else { s.send('seq', { n }, { to: host.selfId }); sent++; }
  }
}, 500);
const rtts: number[] = [], losses: number[] = [];
const sampleTimer = setInterval(() => {
  for (const c of clients) {
    const st = c.stats()[c.hostId];
    if (st && Number.isFinite(st.rttMs)) { rtts.push(st.rttMs); losses.push(st.loss); }
  }
}, 1000);

await sleep(soakMs);
clearInterval(inputTimer);
clearInterval(chatTimer);
clearInterval(sampleTimer);
await sleep(1500); // the last reliable messages land
const links = { stalls: 0, recoveries: 0, iceRestarts: 0 };
for (const s of all) for (const link of sessionCore(s).links.values()) {
  const st = link.stats();
  links.stalls += st.stalls; links.recoveries += st.recoveries; links.iceRestarts += st.iceRestarts;
}
const result: SoakResult = {
  lossPct, soakMs, clients: clientsN, faults: [...faults], // leaving below is not a fault
  rosters: all.map((s) => s.players.size),
  reliable: { sent, received, outOfOrder },
  inputs: { sent: inputsSent, reachedHost: inputsReached },
  snapshots: { perClient: snapshots },
  links,
  rttMs: summarize(rtts),
  heartbeatLoss: summarize(losses),
};
for (const c of clients) await c.leave();
await host.leave();
await server.close();
console.log(JSON.stringify(result));
process.exit(0);
