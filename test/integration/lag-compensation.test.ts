/**
 * Lag compensation against real peers: a target moves along x at 300 units/s on the host; a
 * client with 50 ms of added latency each way (link conditioner on both ends: 100 ms round trip)
 * shoots where it sees the target (its interpolated view), and the host judges each shot against
 * `stateAt(shooter)`, the state rewound to what that client showed when it fired. The rewound x
 * must match what the client displayed within one quantization step (0.01), while the host's
 * present state is far off (which is why rewinding is needed). Judged are the shots drawn by
 * interpolating between two snapshots (not extrapolated past the newest one, which a late snapshot
 * on a loaded machine causes: then the client drew a guess, not a state) whose view is within the
 * rewind bound; at least half of the shots must be such.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Session } from '../../sdk/src/node.js';
import { startServer } from '../../server/src/index.js';
import { until } from '../helpers/wait.js';
import { sessionCore } from '../../sdk/src/session/session.js';
import type { ClientReplication } from '../../sdk/src/session/client-replication.js';

let server: Awaited<ReturnType<typeof startServer>>;
const open: Session[] = [];
beforeAll(async () => { server = await startServer({ port: 0 }); });
afterEach(async () => { await Promise.all(open.splice(0).map((s) => s.leave())); });
afterAll(async () => { await server.close(); });

const SPEED = 300; // units per second
const STEP = 0.01; // the default schema's grid for x

describe('lag compensation', () => {
  it('stateAt(shooter) returns what the shooter displayed when it fired, within one quantization step, under 100 ms added latency', async () => {
    const latency = { latencyMs: 50, jitterMs: 0, lossPct: 0 };
    const host = await connect({ server: server.url, heartbeatIntervalMs: 100, conditioner: latency }).host({ name: 'shots', maxPlayers: 2, tickRateHz: 30 });
    open.push(host);
    const client = await connect({ server: server.url, heartbeatIntervalMs: 100, conditioner: latency }).join(host.code);
    open.push(client);
    const started = performance.now();
    host.on('tick', () => {
      host.setState({ target: { x: Math.round(((performance.now() - started) / 1000) * SPEED * 100) / 100, y: 0 } });
    });
    const rewound: number[] = [], present: number[] = [];
    let shots = 0;
    host.onInput<{ seen: number; interpolated: boolean; at: number }>((input, from) => {
      shots++;
      const then = host.stateAt(from)?.target?.x as number | undefined;
      const now = host.getState().target?.x as number | undefined;
      if (then === undefined || now === undefined || !input.interpolated || performance.now() - input.at > 240) return;
      rewound.push(Math.abs(then - input.seen));
      present.push(Math.abs(now - input.seen));
    });
    const view = () => (sessionCore(client).replication as ClientReplication).lastView;
    // Let the clock estimate and the interpolation delay settle, then fire at 60 Hz for 3 s.
    await until(() => (client.latestState().target?.x as number | undefined ?? 0) > 0, 10_000, 'first snapshots');
    await new Promise((r) => setTimeout(r, 1500));
    const end = performance.now() + 3000;
    while (performance.now() < end) {
      const seen = client.getState().target?.x as number | undefined; // what the game would draw this frame
      const { interpolated, renderTimeMs } = view();
      if (seen !== undefined) client.sendInput({ seen, interpolated, at: renderTimeMs ?? 0 });
      await new Promise((r) => setTimeout(r, 16));
    }
    await until(() => shots >= 100, 5000, 'shots received');
    expect(rewound.length).toBeGreaterThanOrEqual(shots / 2);
    const sorted = [...rewound].sort((a, b) => a - b);
    console.log(`[lag-compensation] shots ${shots}, judged ${rewound.length}: rewound error median ${sorted[sorted.length >> 1]} max ${sorted[sorted.length - 1]}; present-state error median ${[...present].sort((a, b) => a - b)[present.length >> 1]}`);
    expect(Math.max(...rewound)).toBeLessThanOrEqual(STEP + 1e-9);
    expect(Math.min(...present)).toBeGreaterThan(20); // the present is > 66 ms ahead of what the shooter saw
  }, 30_000);
});
