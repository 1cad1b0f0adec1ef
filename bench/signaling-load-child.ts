/**
 * A load worker: holds idle simulated peers (WebSocket only, no WebRTC) on the nodes in
 * LOAD_URLS (comma separated, round robin), LOAD_COUNT of them, from source address LOAD_SRC,
 * opening at most LOAD_PARALLEL handshakes at once. Each sends a PeerJS HEARTBEAT every 5 s,
 * as PeerJS does. Prints "progress <held> <failed>" now and then, "ready <held> <failed>
 * <first failure>" once done, and stays until SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';

const urls = (process.env.LOAD_URLS ?? '').split(',').filter(Boolean);
const count = Number(process.env.LOAD_COUNT ?? '0');
const src = process.env.LOAD_SRC ?? '127.0.0.1';
const parallel = Number(process.env.LOAD_PARALLEL ?? '200');
const sockets: WebSocket[] = [];
let held = 0;
let failed = 0;
let firstFailure = '';
let closedAfterOpen = 0;
let firstClose = '';
let started = 0;

function open(i: number): Promise<void> {
  return new Promise((resolve) => {
    const base = urls[i % urls.length]!.replace(/^http/, 'ws');
    const id = `idle${randomBytes(8).toString('hex')}`;
    const ws = new WebSocket(`${base}/peerjs/peerjs?key=hostmesh&id=${id}&token=${randomBytes(8).toString('hex')}`, { localAddress: src, handshakeTimeout: 30_000 });
    let done = false;
    let isHeld = false;
    const finish = (ok: boolean, why: string): void => {
      if (done) return;
      done = true;
      isHeld = ok;
      if (ok) held++;
      else {
        failed++;
        if (firstFailure === '') firstFailure = why;
      }
      resolve();
    };
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.includes('"OPEN"')) finish(true, '');
      else if (text.includes('"ERROR"')) finish(false, text.slice(0, 200));
    });
    ws.on('error', (err) => finish(false, err.message));
    ws.on('close', (code, reason) => {
      if (isHeld) {
        closedAfterOpen++;
        if (firstClose === '') firstClose = `${code} ${reason.toString().slice(0, 120)}`;
      }
      if (isHeld) held--;
      isHeld = false;
      finish(false, 'closed');
    });
    sockets.push(ws);
  });
}

async function lane(): Promise<void> {
  while (started < count) await open(started++);
}

// PeerJS heartbeats every 5 s, from the first socket on (the server drops a socket silent for
// 60 s, and the ramp can take longer); spread over the interval.
// Paced by the clock, not by ticks: a starved event loop sends more per late tick.
let next = 0;
let lastTick = Date.now();
setInterval(() => {
  const now = Date.now();
  const slice = Math.ceil((sockets.length * (now - lastTick)) / 5000);
  lastTick = now;
  for (let k = 0; k < slice && sockets.length > 0; k++, next++) {
    const ws = sockets[next % sockets.length]!;
    if (ws.readyState === WebSocket.OPEN) ws.send('{"type":"HEARTBEAT"}');
  }
}, 100);
const timer = setInterval(() => process.stdout.write(`progress ${held} ${failed}\n`), 2000);
await Promise.all(Array.from({ length: Math.min(parallel, count) }, lane));
clearInterval(timer);
process.stdout.write(`ready ${held} ${failed} ${JSON.stringify(firstFailure)}\n`);
process.stdout.write(`closes ${closedAfterOpen} ${JSON.stringify(firstClose)}\n`);
setInterval(() => process.stdout.write(`held ${held} closes ${closedAfterOpen} ${JSON.stringify(firstClose)}\n`), 10_000);
process.on('SIGTERM', () => process.exit(0));
