/**
 * An attacker in its own process (so that its CPU does not skew the honest figures measured by
 * the test process): `node server-attacker.js <url> <mode> <ms> <sockets> <addresses> [victimId]`.
 * Modes: `stall` sends 15 KB OFFERs within the budgets to victimId (a socket that does not
 * read); `big` sends 64 KiB frames as fast as TCP takes them; `absent` sends 15 KB OFFERs
 * within the budgets to ids nobody holds. Sockets reconnect when closed until `ms` is over,
 * then it prints one JSON line of counts and exits. Loopback source addresses only.
 */
import { loopback } from './server-attack.js';
import { openRawPeer, randomPeerId, type RawPeer } from './server-raw-peer.js';

const [url = '', mode = 'absent', msText = '4000', socketsText = '50', addressesText = '10', victim = 'nobody'] = process.argv.slice(2);
const deadline = Date.now() + Number(msText);
let opened = 0;
let refused = 0;
let frames = 0;
let bytes = 0;
let handshakeTimeouts = 0;
const small = 'x'.repeat(15_000);
const big = 'y'.repeat(64 * 1024 - 200);

function act(p: RawPeer): () => void {
  if (mode === 'big') {
    let stopped = false;
    const pump = (): void => {
      // At most 8 frames a turn: writes to a socket the server already cut off may not grow bufferedAmount.
      for (let n = 0; n < 8 && !stopped && p.ws.readyState === p.ws.OPEN && p.ws.bufferedAmount < 256 * 1024; n++) {
        frames++;
        const text = `{"type":"OFFER","dst":"absent${frames % 1000}","payload":"${big}"}`;
        bytes += text.length;
        p.send(text);
      }
      if (!stopped && p.ws.readyState === p.ws.OPEN) setTimeout(pump, 1);
    };
    pump();
    return () => { stopped = true; };
  }
  const timer = setInterval(() => {
    frames++;
    bytes += small.length;
    p.send({ type: 'OFFER', dst: mode === 'stall' ? victim : `nobody${frames}`, payload: small });
  }, 250);
  return () => clearInterval(timer);
}

async function slot(i: number): Promise<void> {
  while (Date.now() < deadline) {
    let peer: RawPeer;
    try {
      peer = await openRawPeer(url, randomPeerId('atk'), 't', 'hostmesh', { localAddress: loopback(i % Number(addressesText), 20), handshakeTimeoutMs: 2000 });
    } catch (err) {
      if (/timed out/i.test(String(err))) handshakeTimeouts++;
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    opened++;
    const first = await peer.next(() => true, 2000).catch(() => undefined);
    if (first?.type !== 'OPEN') {
      refused++;
      peer.ws.terminate();
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    const stop = act(peer);
    await Promise.race([peer.closed, new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);
    stop();
    peer.ws.terminate();
  }
}

await Promise.all(Array.from({ length: Number(socketsText) }, (_, i) => slot(i)));
process.stdout.write(`${JSON.stringify({ opened, refused, frames, bytes, handshakeTimeouts })}\n`);
process.exit(0);
