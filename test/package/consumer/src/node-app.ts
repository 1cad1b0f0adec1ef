// A Node bot + server, as a user writes it: start the server, host, join, replicate, close.
import { startServer } from 'hostmesh/server';
import { connect, HostmeshError, type State } from 'hostmesh/node';
import { createTestNetwork } from 'hostmesh/testing';

// In memory first (no server): the error classes of both entries are one and the same.
const net = createTestNetwork();
const memoryHost = await net.connect().host({ password: 'pw' });
const refused = await net.connect().join(memoryHost.code, { password: 'no' }).catch((err: unknown) => err);
const sameErrorClass = refused instanceof HostmeshError && refused.code === 'BAD_PASSWORD';
await memoryHost.leave();

const server = await startServer({ port: 0 });
const timeout = setTimeout(() => { console.error('timed out'); process.exit(1); }, 20_000);
try {
  const page = await fetch(`${server.url}/`);
  const host = await connect(server.url).host({ name: 'bots', playerName: 'Ann', tickRateHz: 30 });
  const client = await connect({ server: server.url }).join(host.code.toLowerCase(), { playerName: 'Bob' });
  const world: State = { crate: { x: 12.5, y: -3, alive: true } };
  host.setState(world);
  const seen = await new Promise<State>((resolve) => client.on('snapshot', (state) => resolve(state)));
  const players = [...client.players.values()].map((p) => p.name).sort();
  await client.leave();
  await host.leave();
  console.log(JSON.stringify({ sameErrorClass, demoStatus: page.status, players, crate: seen['crate'] ?? null }));
} finally {
  clearTimeout(timeout);
  await server.close();
}
