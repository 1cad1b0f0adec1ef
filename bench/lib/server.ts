/** The real hostmesh server for benchmarks: port 0, rate and per-IP limits lifted (many joins and peers from one IP). */
import { resolve } from 'node:path';
import { startServer } from '../../server/src/index.js';

/** Starts a server; `publicDir` (default `dist/public`) is served cross-origin isolated at `/`, bench pages at /bench/... */
export function benchServer(publicDir = 'dist/public'): ReturnType<typeof startServer> {
  return startServer({
    port: 0,
    publicDir: resolve(publicDir),
    createRatePerMinute: 100_000,
    joinRatePerMinute: 100_000,
    lookupRatePerMinute: 100_000,
    maxConnectionsPerIp: 10_000,
    maxSignalingMessagesPerSecond: 100_000,
    maxSignalingBytesPerSecond: 64 * 1024 * 1024,
    maxSignalingBytesPerSecondPerIp: 256 * 1024 * 1024,
    signalingConnectsPerMinute: 100_000,
    signalingConnectBurst: 10_000,
    maxPlayersLimit: 64,
  });
}
