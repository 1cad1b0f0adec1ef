// Replicates a nested, changing state through real sessions on the network this process runs
// in (test/integration/state-loss.test.ts runs it in a network namespace and switches a 10% UDP
// loss rule on and off): the real server, a host and two clients in one process. The state holds
// a board (nested arrays), per-player inventories (items added, changed, removed), a log over the
// packet budget (sent by reference), a field that comes and goes, and 60 coins; client B sees only
// coins left of a line that sweeps across the field (interest). Protocol on stdio: prints
// {"phase":"changing"} and changes the state every tick until it reads "settle" on stdin, then
// stops changing and waits for both clients to hold exactly the host's state (B: its subset); it
// prints one JSON result line. Every complete snapshot B gets is checked against the ids the
// host's filter allowed B at that tick.
// Usage: node test/helpers/state-loss-run.mjs
import { createInterface } from 'node:readline';
import { isDeepStrictEqual } from 'node:util';
import { connect } from '../../dist/sdk/node.js';
import { startServer } from '../../dist/server/index.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const watchdog = setTimeout(() => fail(new Error('state-loss-run timed out after 90 s')), 90_000);
function fail(err) {
  console.log(JSON.stringify({ error: String(err?.stack ?? err) }));
  process.exit(1);
}

try {
  const server = await startServer({ port: 0 });
  const opts = { server: server.url, heartbeatIntervalMs: 500, peerTimeoutMs: 20_000, connectTimeoutMs: 20_000 };
  const host = await connect(opts).host({ name: 'state-loss', maxPlayers: 4, playerName: 'host', tickRateHz: 30 });
  const a = await connect(opts).join(host.code, { playerName: 'A' });
  const b = await connect(opts).join(host.code, { playerName: 'B' });
  const world = {
    game: { turn: 'p1', cells: [[0, 0, 0], [0, 0, 0], [0, 0, 0]], winner: null, log: [] },
  };
  for (const p of [a, b]) world[p.selfId] = { x: 0, y: 0, name: p.selfId.slice(0, 6), inventory: [{ item: 'sword', n: 1 }] };
  for (let i = 0; i < 60; i++) world[`coin${i}`] = { x: i * 10, y: 5, value: 1 + (i % 3) };
  let line = 0; // B sees coins with x < line (and everything that is not a coin)
  const allowed = new Map(); // tick -> sorted ids B may hold
  const visibleToB = (id, e) => !id.startsWith('coin') || e.x < line;
  host.setInterest((clientId, id, e) => clientId !== b.selfId || visibleToB(id, e));
  let t = 0, changing = true;
  host.on('tick', (tick) => {
    if (changing) {
      t++;
      const g = world.game;
      g.cells[t % 3][(t >> 2) % 3] = t % 3; // one deep change in place
      g.turn = t % 2 ? 'p1' : 'p2';
      if (t % 5 === 0) g.log.push(`tick ${t}: ${'the board changed again; '.repeat(4)}`); // grows past the packet budget
      if (g.log.length > 60) g.log.shift();
      const pa = world[a.selfId];
      pa.x = Math.round((pa.x + 1.5) * 100) / 100;
      if (t % 7 === 0) pa.inventory.push({ item: `gem${t}`, n: t });
      if (t % 11 === 0) pa.inventory.splice(0, 1);
      if (t % 4 === 0) world[b.selfId].badge = { since: t, tags: ['x', 'y'] };
      else delete world[b.selfId].badge; // a field that comes and goes
      if (t % 9 === 0) delete world[`coin${t % 60}`];
      else if (t % 9 === 4) world[`coin${(t - 4) % 60}`] = { x: ((t - 4) % 60) * 10, y: 5, value: 9 };
      line = (t * 7) % 650;
    }
    host.setState(world);
    allowed.set(tick, Object.keys(world).filter((id) => visibleToB(id, world[id])).sort());
    if (allowed.size > 400) allowed.delete(allowed.keys().next().value);
  });
  let checked = 0, violations = 0;
  const violationSamples = [];
  b.on('snapshot', (state, tick) => {
    const want = allowed.get(tick);
    if (!want) return;
    checked++;
    const got = Object.keys(state).sort();
    if (!isDeepStrictEqual(got, want)) { violations++; if (violationSamples.length < 3) violationSamples.push({ tick, extra: got.filter((id) => !want.includes(id)), missing: want.filter((id) => !got.includes(id)) }); }
  });
  console.log(JSON.stringify({ phase: 'changing' }));
  const rl = createInterface({ input: process.stdin });
  await new Promise((resolve) => rl.on('line', (l) => { if (l.trim() === 'settle') resolve(); }));
  changing = false;
  const expectA = () => JSON.parse(JSON.stringify(world));
  const expectB = () => Object.fromEntries(Object.entries(expectA()).filter(([id, e]) => visibleToB(id, e)));
  const plain = (s) => JSON.parse(JSON.stringify(s));
  const started = performance.now();
  let converged = false;
  while (performance.now() - started < 20_000) {
    if (isDeepStrictEqual(plain(a.latestState()), expectA()) && isDeepStrictEqual(plain(b.latestState()), expectB())) { converged = true; break; }
    await sleep(50);
  }
  const stats = { a: a.stats()[host.selfId], b: b.stats()[host.selfId], hostToA: host.stats()[a.selfId], hostToB: host.stats()[b.selfId] };
  const result = {
    converged, settleMs: Math.round(performance.now() - started), ticksChanged: t, checked, violations, violationSamples,
    logBytes: JSON.stringify(world.game.log).length,
    valueBytesToA: stats.hostToA?.valueBytes ?? 0, snapshotDropsA: stats.a?.snapshotDrops ?? 0, loss: stats.a?.loss ?? 0,
    aHasAll: Object.keys(a.latestState()).length === Object.keys(world).length,
    diff: converged ? undefined : { a: Object.keys(expectA()).filter((id) => !isDeepStrictEqual(plain(a.latestState())[id], expectA()[id])).slice(0, 5), b: Object.keys({ ...expectB(), ...plain(b.latestState()) }).filter((id) => !isDeepStrictEqual(plain(b.latestState())[id], expectB()[id])).slice(0, 5) },
  };
  clearTimeout(watchdog);
  console.log(JSON.stringify(result));
  await Promise.allSettled([a.leave(), b.leave()]);
  await host.leave();
  await server.close();
  process.exit(0);
} catch (err) {
  fail(err);
}
