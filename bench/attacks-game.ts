/**
 * Child process of attacks.ts: a Node host at 30 Hz and one honest client, away from the
 * attackers' process, measuring what each attack costs them. Per phase: the host process's
 * event-loop delay (perf_hooks histogram, 5 ms resolution), ticks, and the gaps between the
 * honest client's snapshots. IPC: sends `{ ready, code, hostId, clientId }`; takes
 * `{ start: phase }` and `{ stop: true }` (answered with the phase's figures) and `{ quit: true }`;
 * sends `{ left: { id, reason, atMs } }` when the host removes a player (atMs: Date.now()).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { connect } from '../sdk/src/node.js';
import { percentile } from './lib/stats.js';

const server = process.env.HM_SERVER!;
const fast = { heartbeatIntervalMs: 500, peerTimeoutMs: 5000, connectTimeoutMs: 5000 } as const;
const host = await connect({ server, ...fast }).host({ name: 'Bench arena', maxPlayers: 16, playerName: 'Ann', tickRateHz: 30 });
host.on('tick', (tick) => host.setState({ [host.selfId]: { x: tick % 500, y: 0, angle: tick / 30 }, coin: { x: 1, y: 2 } }));
host.onInput(() => {});
host.on('playerLeave', (p, reason) => process.send!({ left: { id: p.id, reason, atMs: Date.now() } }));
const client = await connect({ server, ...fast }).join(host.code, { playerName: 'Bob' });
let ticks = 0;
host.on('tick', () => { ticks++; });
let last = -1;
let gaps: number[] = [];
client.on('snapshot', () => {
  const now = performance.now();
  if (last >= 0) gaps.push(now - last);
  last = now;
});
const lag = monitorEventLoopDelay({ resolution: 5 });
lag.enable();
let phase = '';
let phaseStart = 0;

process.on('message', (m: { start?: string; stop?: boolean; quit?: boolean }) => {
  if (m.start) {
    phase = m.start;
    phaseStart = performance.now();
    lag.reset();
    gaps = [];
    ticks = 0;
  } else if (m.stop) {
    const seconds = (performance.now() - phaseStart) / 1000;
    process.send!({
      phase, seconds, ticksPerSec: ticks / seconds, lagMaxMs: lag.max / 1e6, lagP99Ms: lag.percentile(99) / 1e6,
      snapshotGapP99Ms: percentile([...gaps].sort((a, b) => a - b), 99), snapshotGapMaxMs: gaps.length ? Math.max(...gaps) : NaN, snapshots: gaps.length,
      clientOpen: !client.isClosed, players: host.players.size,
    });
  } else if (m.quit) {
    void Promise.allSettled([client.leave(), host.leave()]).then(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true, code: host.code, hostId: host.selfId, clientId: client.selfId });
