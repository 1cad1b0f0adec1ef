/**
 * Servers and raw signaling peers for lobby API tests, closed after each test: `server()` starts
 * one on port 0 with generous rate limits, `peer()` opens a signaling socket (its id proves a host).
 */
import { afterEach } from 'vitest';
import { startServer, type RunningServer } from '../../server/src/index.js';
import { closeAll, connectRawPeer, type RawPeer, type RawPeerOptions } from './server-raw-peer.js';

/** Limits high enough that a test's own requests never hit them. */
export const generousLimits = { createRatePerMinute: 1000, joinRatePerMinute: 1000, lookupRatePerMinute: 1000, codeMissesPerMinute: 1000 };

/** Registers the afterEach cleanup and returns the starters. */
export function lobbyFixture() {
  const open: { servers: RunningServer[]; peers: RawPeer[] } = { servers: [], peers: [] };
  afterEach(async () => {
    await closeAll(open.peers.splice(0));
    for (const s of open.servers.splice(0)) await s.close();
  });
  return {
    /** A server on port 0 (or `options.port`) with generous limits. */
    async server(options: Record<string, unknown> = {}): Promise<RunningServer> {
      const s = await startServer({ port: 0, ...generousLimits, ...options });
      open.servers.push(s);
      return s;
    },
    /** A signaling peer on `url`. */
    async peer(url: string, id?: string, token?: string, options: RawPeerOptions = {}): Promise<RawPeer> {
      const p = await connectRawPeer(url, id, token, options);
      open.peers.push(p);
      return p;
    },
    /** Closes `s` early (and forgets it). */
    async closeServer(s: RunningServer): Promise<void> {
      open.servers.splice(open.servers.indexOf(s), 1);
      await s.close();
    },
  };
}
