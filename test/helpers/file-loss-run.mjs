// Sends one file between two real Node peers on the network this process runs in (the
// file-loss test runs it inside a network namespace whose nftables drop 10% of UDP): starts the
// real server, a host and a joiner, sends <megabytes> MB host -> joiner with sendFile, and prints
// one JSON line { bytes, same, ms, resumes, interrupted }. Usage: node test/helpers/file-loss-run.mjs [megabytes=4]
import { createHash, randomBytes } from 'node:crypto';
import { connect } from '../../dist/sdk/node.js';
import { startServer } from '../../dist/server/index.js';

const mb = Number(process.argv[2] ?? 4);
let phase = 'start';
const watchdog = setTimeout(() => fail(new Error(`file-loss-run timed out after 100 s (in phase: ${phase})`)), 100_000);
function fail(err) {
  console.log(JSON.stringify({ error: String(err?.stack ?? err) }));
  process.exit(1);
}
try {
  phase = 'server';
  const server = await startServer({ port: 0 });
  const opts = { server: server.url, peerTimeoutMs: 20_000, connectTimeoutMs: 30_000 };
  phase = 'host';
  const host = await connect(opts).host({ name: 'files-loss' });
  phase = 'join';
  const joiner = await connect(opts).join(host.code);
  const data = new Uint8Array(randomBytes(mb * 1024 * 1024));
  let interrupted = 0;
  const offered = new Promise((r) => joiner.on('fileOffer', r));
  phase = 'send';
  const t0 = performance.now();
  const [t] = host.sendFile(joiner.selfId, data, { name: 'lossy.bin' });
  const offer = await offered;
  offer.on('interrupted', () => interrupted++);
  const file = await offer.accept();
  await t.done;
  const ms = performance.now() - t0;
  const hash = (b) => createHash('sha256').update(b).digest('hex');
  console.log(JSON.stringify({ bytes: file.bytes.length, same: hash(file.bytes) === hash(data), ms: Math.round(ms), resumes: t.resumes, interrupted }));
  clearTimeout(watchdog);
  await joiner.leave();
  await host.leave();
  await server.close();
  process.exit(0);
} catch (err) {
  fail(err);
}
