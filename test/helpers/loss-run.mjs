// Measures what the two channels deliver on the network this process runs in (the loss test
// runs it inside a network namespace with and without an nftables rule dropping UDP): starts
// the real server and two real Node peers (host + joiner), sends numbered unreliable and
// reliable messages joiner -> host, measures echo RTT on both channels, and prints one JSON line.
// Usage: node test/helpers/loss-run.mjs [count=1000]
import { connect } from '../../dist/sdk/node.js';
import { startServer } from '../../dist/server/index.js';

const count = Number(process.argv[2] ?? 1000);
const echoCount = 250;
let phase = 'start';
const watchdog = setTimeout(() => fail(new Error(`loss-run timed out after 50 s (in phase: ${phase})`)), 50_000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const percentile = (xs, p) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Number(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)].toFixed(3));
};
async function until(pred, ms) {
  const deadline = Date.now() + ms;
  while (!pred() && Date.now() < deadline) await sleep(5);
  return pred();
}
function fail(err) {
  console.log(JSON.stringify({ error: String(err?.stack ?? err) }));
  process.exit(1);
}

try {
  phase = 'server';
  const server = await startServer({ port: 0 });
  // Budgets off: this measures the channels; 1,000 reliable messages in one burst exceed the default inbound budget.
  const opts = { server: server.url, heartbeatIntervalMs: 500, peerTimeoutMs: 10_000, connectTimeoutMs: 15_000, peerBudgets: null };
  const setupStart = performance.now();
  phase = 'host';
  const host = await connect(opts).host({ name: 'loss', maxPlayers: 2, playerName: 'host' });
  phase = 'join';
  const joiner = await connect(opts).join(host.code, { playerName: 'joiner' });
  await until(() => host.players.size === 2, 10_000);
  const setupMs = performance.now() - setupStart;
  const hostId = joiner.hostId;

  // Host side: record what arrives; echo pings back on the channel they came on.
  const unreliableSeqs = [];
  const reliableSeqs = [];
  host.onMessage('u', (d) => unreliableSeqs.push(d.s));
  host.onMessage('r', (d) => reliableSeqs.push(d.s));
  host.onMessage('ping-u', (d, from) => host.send('pong-u', d, { reliable: false, to: from }));
  host.onMessage('ping-r', (d, from) => host.send('pong-r', d, { to: from }));

  phase = 'unreliable stream';
  // Unreliable: paced bursts of 5 every 5 ms, so the send buffer never fills; drops counted.
  const dropsBefore = joiner.stats()[hostId].drops;
  for (let i = 0; i < count; i += 5) {
    for (let j = i; j < Math.min(count, i + 5); j++) joiner.send('u', { s: j, pad: 'x'.repeat(64) }, { reliable: false });
    await sleep(5);
  }
  const senderDrops = joiner.stats()[hostId].drops - dropsBefore;

  phase = 'reliable burst';
  // Reliable: all at once; the link queues under backpressure.
  for (let i = 0; i < count; i++) joiner.send('r', { s: i, pad: 'x'.repeat(64) });
  const reliableComplete = await until(() => reliableSeqs.length >= count, 30_000);
  phase = `echo (reliable received ${reliableSeqs.length}/${count})`;
  await sleep(300); // unreliable stragglers

  // Echo RTT at a game's cadence: a ping every 16 ms (60 Hz) on each channel, timed by the sender.
  const rtts = { u: [], r: [] };
  const sentAt = { u: new Map(), r: new Map() };
  for (const ch of ['u', 'r']) {
    joiner.onMessage(`pong-${ch}`, (d) => {
      const t0 = sentAt[ch].get(d.s);
      if (t0 === undefined) return;
      sentAt[ch].delete(d.s);
      rtts[ch].push(performance.now() - t0);
    });
  }
  for (let i = 0; i < echoCount; i++) {
    for (const ch of ['u', 'r']) {
      sentAt[ch].set(i, performance.now());
      joiner.send(`ping-${ch}`, { s: i }, { reliable: ch === 'r' });
    }
    await sleep(16);
  }
  await until(() => rtts.r.length >= echoCount, 20_000);
  await sleep(300);

  const seen = new Set();
  let duplicates = 0;
  let reordered = 0;
  let last = -1;
  for (const s of unreliableSeqs) {
    if (seen.has(s)) duplicates++;
    seen.add(s);
    if (s < last) reordered++;
    last = Math.max(last, s);
  }
  const reliableInOrder = reliableSeqs.length === count && reliableSeqs.every((s, i) => s === i);
  const summary = (xs, n) => ({ n: xs.length, lost: n - xs.length, p50Ms: percentile(xs, 50), p99Ms: percentile(xs, 99), maxMs: percentile(xs, 100) });
  const result = {
    setupMs: Number(setupMs.toFixed(1)),
    unreliable: {
      sent: count, senderDrops, received: unreliableSeqs.length, unique: seen.size, duplicates, reordered,
      outOfRange: unreliableSeqs.filter((s) => !(Number.isInteger(s) && s >= 0 && s < count)).length,
      deliveredFraction: Number((seen.size / (count - senderDrops)).toFixed(4)),
    },
    reliable: { sent: count, received: reliableSeqs.length, inOrder: reliableInOrder, complete: reliableComplete },
    rtt: { unreliable: summary(rtts.u, echoCount), reliable: summary(rtts.r, echoCount) },
    linkStats: (({ rttMs, jitterMs, loss, drops, decodeErrors }) => ({ rttMs, jitterMs, loss, drops, decodeErrors }))(joiner.stats()[hostId]),
  };
  phase = 'leave';
  await joiner.leave();
  await host.leave();
  await server.close();
  clearTimeout(watchdog);
  console.log(JSON.stringify(result));
  process.exit(0);
} catch (err) {
  fail(err);
}
