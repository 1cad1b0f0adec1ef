/**
 * A crashed host's lobby no longer advertises itself (issue 12, item 4): the moment the host's
 * signaling socket closes, the lobby leaves the public list and look-ups and joins answer 410
 * HOST_GONE (a sentence that says the host is gone, not a TURN hint after a long wait); a host
 * that comes back within the grace shows its lobby again; past the grace the lobby is deleted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect, HostmeshError } from '../../sdk/src/node.js';
import { startServer, type RunningServer } from '../../server/src/index.js';
import { runNode } from '../helpers/server-bundle.js';
import { errorCode, http } from '../helpers/server-http.js';
import { closeAll, connectRawPeer, type RawPeer } from '../helpers/server-raw-peer.js';

const open: { servers: RunningServer[]; peers: RawPeer[]; kill: (() => Promise<unknown>)[] } = { servers: [], peers: [], kill: [] };
afterEach(async () => {
  for (const k of open.kill.splice(0)) await k();
  await closeAll(open.peers.splice(0));
  for (const s of open.servers.splice(0)) await s.close();
});

async function server(lobbyGraceMs: number): Promise<RunningServer> {
  const s = await startServer({ port: 0, lobbyGraceMs, createRatePerMinute: 1000, joinRatePerMinute: 1000, lookupRatePerMinute: 1000, codeMissesPerMinute: 1000 });
  open.servers.push(s);
  return s;
}

const listed = async (url: string) => ((await http(url, 'GET', '/api/lobbies')).body as { lobbies: { code: string }[] }).lobbies.map((l) => l.code);

describe('a crashed host\'s lobby', () => {
  it('is hidden as soon as the host\'s signaling socket closes, shows again when it is back, and is deleted after the grace', async () => {
    const s = await server(1500);
    const host = await connectRawPeer(s.url);
    open.peers.push(host);
    const created = await http(s.url, 'POST', '/api/lobbies', { name: 'Arena', maxPlayers: 4, public: true, hostPeerId: host.id, hostPeerToken: host.token });
    const code = (created.body as { lobby: { code: string } }).lobby.code;
    expect(await listed(s.url)).toContain(code);
    host.ws.terminate(); // no close handshake: as a killed process
    await host.closed;
    const joiner = await connectRawPeer(s.url);
    open.peers.push(joiner);
    // The server hears the socket close at once; poll only for the event loop to deliver it.
    const deadline = Date.now() + 2000;
    let lookup = await http(s.url, 'GET', `/api/lobbies/${code}`);
    while (lookup.status === 200 && Date.now() < deadline) lookup = await http(s.url, 'GET', `/api/lobbies/${code}`);
    expect([lookup.status, errorCode(lookup)]).toEqual([410, 'HOST_GONE']);
    expect((lookup.body as { error: { message: string } }).error.message).toMatch(/host of this lobby is gone/);
    const join = await http(s.url, 'POST', `/api/lobbies/${code}/join`, { peerId: joiner.id });
    expect([join.status, errorCode(join)]).toEqual([410, 'HOST_GONE']);
    expect(await listed(s.url)).not.toContain(code);
    // Back within the grace (same id and token): the lobby shows again.
    const back = await connectRawPeer(s.url, host.id, host.token);
    open.peers.push(back);
    expect((await http(s.url, 'GET', `/api/lobbies/${code}`)).status).toBe(200);
    expect(await listed(s.url)).toContain(code);
    // Gone past the grace: deleted.
    back.ws.terminate();
    await back.closed;
    const gone = Date.now() + 6000;
    let status = 410;
    while (status !== 404 && Date.now() < gone) status = (await http(s.url, 'GET', `/api/lobbies/${code}`)).status;
    expect(status).toBe(404);
  });

  it('a newcomer joining a SIGKILLed host (its own process) gets HOST_GONE at once, not a TURN hint', async () => {
    const s = await server(60_000);
    const child = runNode('test/helpers/host-peer.mjs', [s.url]);
    open.kill.push(async () => { child.proc.kill('SIGKILL'); await child.exited; });
    const [, code] = await child.waitFor(/hosting (\S+) (\S+)/, 15_000);
    expect(await listed(s.url)).toContain(code);
    child.proc.kill('SIGKILL');
    await child.exited;
    const started = Date.now();
    let error: unknown;
    for (let i = 0; i < 50; i++) {
      try {
        const session = await connect({ server: s.url, connectTimeoutMs: 10_000 }).join(code!, { playerName: 'Late' });
        await session.leave();
        error = new Error('joined a dead host');
      } catch (err) {
        error = err;
        if (err instanceof HostmeshError && err.code === 'HOST_GONE') break;
      }
    }
    expect(error).toBeInstanceOf(HostmeshError);
    expect((error as HostmeshError).code).toBe('HOST_GONE');
    expect((error as HostmeshError).message).not.toMatch(/TURN/);
    expect(Date.now() - started).toBeLessThan(5000); // not the ~6 s of an unanswered offer
    expect(await listed(s.url)).not.toContain(code);
  });
});
