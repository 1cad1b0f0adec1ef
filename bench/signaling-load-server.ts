/**
 * One server node for the signaling load bench, in its own process (so its memory is its
 * own): options as JSON in LOAD_SERVER_OPTIONS over lifted limits (one bench address opens
 * tens of thousands of sockets); prints "listening <url>"; stops on SIGTERM.
 */
import { startServer } from '../server/src/index.js';

const options = JSON.parse(process.env.LOAD_SERVER_OPTIONS ?? '{}') as Record<string, unknown>;
const srv = await startServer({
  port: 0,
  createRatePerMinute: 10_000_000, joinRatePerMinute: 10_000_000, lookupRatePerMinute: 10_000_000, listRatePerMinute: 10_000_000,
  codeMissesPerMinute: 10_000_000, globalCodeMissesPerMinute: 10_000_000, configRatePerMinute: 10_000_000,
  maxConnectionsPerIp: 1_000_000, maxSignalingConnections: 1_000_000, maxHttpConnections: 1_000_000, maxHttpConnectionsPerIp: 1_000_000,
  signalingConnectsPerMinute: 10_000_000, signalingConnectBurst: 1_000_000,
  maxSignalingBytesPerSecondPerIp: 1024 * 1024 * 1024, maxLobbiesPerHost: 4,
  ...options,
});
process.stdout.write(`listening ${srv.url}\n`);
process.on('SIGTERM', () => { void srv.close().then(() => process.exit(0)); });
