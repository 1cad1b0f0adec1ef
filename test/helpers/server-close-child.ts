/**
 * Child process for the "close() leaves no open handles" test: starts a server, uses every
 * part of it (HTTP API, signaling sockets, a lobby with a grace timer pending), closes it, and
 * then must exit on its own. It never calls process.exit.
 */
import WebSocket from 'ws';
import { startServer } from '../../server/src/index.js';

const srv = await startServer({ port: 0, lobbyGraceMs: 60_000 });
const ws = (id: string) => new WebSocket(`${srv.url.replace('http', 'ws')}/peerjs/peerjs?key=hostmesh&id=${id}&token=t`);
const open = (socket: WebSocket) => new Promise((r) => socket.once('message', r));
const host = ws('host1');
const other = ws('other1');
await Promise.all([open(host), open(other)]);
const res = await fetch(`${srv.url}/api/lobbies`, {
  method: 'POST', headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ name: 'x', maxPlayers: 2, public: true, hostPeerId: 'host1', hostPeerToken: 't' }),
});
if (res.status !== 201) throw new Error(`create failed: ${res.status}`);
host.close();
await new Promise((r) => host.once('close', r));
await fetch(`${srv.url}/healthz`, { keepalive: true });
const otherClosed = new Promise((r) => other.once('close', r));
await Promise.all([srv.close(), srv.close()]);
await otherClosed;
process.stdout.write('closed\n');
