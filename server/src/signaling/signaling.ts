/**
 * Mounts PeerServer (`ExpressPeerServer` from `peer`) at `/peerjs` on the shared HTTP server,
 * hardened: an `error` listener always attached (one bad frame must not kill the process),
 * the SignalingGuard's WebSocket server, CSPRNG ids, discovery off. Its timers are captured
 * so `close()` really stops it. The WebSocket endpoint is `/peerjs/peerjs?key&id&token`.
 */
import type { Server } from 'node:http';
import type { Express } from 'express';
import type { WebSocket } from 'ws';
import { ExpressPeerServer } from 'peer';
import { PEER_KEY } from '../../../sdk/src/wire/protocol.js';
import { PEER_PATH } from '../ice/client-config.js';
import type { Logger } from '../log.js';
import type { Cluster } from '../cluster/cluster.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import type { ResolvedOptions } from '../options.js';
import { generatePeerId } from './peer-id.js';
import { SignalingGuard } from './signaling-guard.js';
import { Liveness } from './liveness.js';
import { TimerScope } from '../timer-scope.js';

/** peer's `expire_timeout`: messages for an absent id wait this long, ms. */
const EXPIRE_TIMEOUT_MS = 5000;
/** peer's `cleanup_out_msgs`: how often expired messages are pruned, ms. */
const CLEANUP_OUT_MSGS_MS = 1000;
/** Caps on what waits for one absent id. */
const UNDELIVERED_PER_ID = { bytes: 64 * 1024, messages: 64 } as const;

/** What the rest of the server hears from signaling. */
export interface SignalingEvents {
  /** A peer id registered (or re-registered) with its token. */
  connected: (id: string, token: string) => void;
  /** A peer id lost its socket. */
  disconnected: (id: string) => void;
  /** How long `id` stays reserved for its token once freed, ms (longer for a lobby host). */
  reservationMs: (id: string) => number;
}

/** A mounted, closable PeerServer. */
export interface Signaling {
  /** The guard (per-IP counts, reservations); exposed for tests and metrics. */
  readonly guard: SignalingGuard;
  /** Resolves true when `id`'s socket answers a ping in time; a socket that does not is terminated. */
  probe(id: string): Promise<boolean>;
  /** Stops timers and terminates every signaling socket. Idempotent. */
  close(): void;
}

/** Optional collaborators: the other nodes (routing, id claims) and the metrics. */
export interface SignalingDeps {
  cluster?: Cluster | undefined;
  metrics?: ServerMetrics | undefined;
}

/** Mounts the hardened PeerServer on `app` at `/peerjs`. */
export function mountSignaling(app: Express, server: Server, options: ResolvedOptions, log: Logger, events: SignalingEvents, deps: SignalingDeps = {}): Signaling {
  const guard = new SignalingGuard({
    peerKey: PEER_KEY,
    maxFrameBytes: options.maxSignalingFrameBytes,
    maxConnectionsPerIp: options.maxConnectionsPerIp,
    maxConnections: options.maxSignalingConnections,
    connectsPerMinute: options.signalingConnectsPerMinute,
    connectBurst: options.signalingConnectBurst,
    maxMessagesPerSecond: options.maxSignalingMessagesPerSecond,
    maxBytesPerSecond: options.maxSignalingBytesPerSecond,
    maxBytesPerSecondPerIp: options.maxSignalingBytesPerSecondPerIp,
    maxBurstBytes: Math.max(2 * options.maxSignalingFrameBytes, 2 * options.maxSignalingBytesPerSecond),
    maxSendBufferBytes: options.maxSignalingSendBufferBytes,
    idReservationMs: options.idReservationMs,
    maxReservationsPerIp: options.maxReservationsPerIp,
    undelivered: {
      maxBytes: options.maxUndeliveredBytes,
      maxBytesPerId: Math.min(options.maxUndeliveredBytes, UNDELIVERED_PER_ID.bytes),
      maxMessagesPerId: UNDELIVERED_PER_ID.messages,
      holdMs: EXPIRE_TIMEOUT_MS + CLEANUP_OUT_MSGS_MS + 1000,
    },
    proxied: options.proxied,
  }, log, deps);
  deps.cluster?.onMessage((message) => {
    if (message.kind === 'signal') guard.deliver(message.dst, message.text);
  });
  const timers = new TimerScope();
  const peerServer = ExpressPeerServer(server, {
    key: PEER_KEY,
    path: '/',
    allow_discovery: false,
    proxied: options.proxied,
    expire_timeout: EXPIRE_TIMEOUT_MS,
    cleanup_out_msgs: CLEANUP_OUT_MSGS_MS,
    // The guard's cap (with room for newcomers) governs; peer's own would refuse everyone.
    concurrent_limit: options.maxSignalingConnections * 2 + 16,
    generateClientId: generatePeerId,
    createWebSocketServer: guard.createWebSocketServer,
  });
  peerServer.on('error', (err: Error) => log(`signaling error (socket kept or closed, server up): ${err.message}`));
  const liveness = new Liveness();
  peerServer.on('connection', (client) => {
    guard.registered(client.getId(), client.getSocket());
    const socket = client.getSocket();
    if (socket) liveness.registered(client.getId(), socket as unknown as WebSocket);
    deps.cluster?.joined(client.getId(), client.getToken());
    events.connected(client.getId(), client.getToken());
  });
  peerServer.on('disconnect', (client) => {
    liveness.unregistered(client.getId(), (client.getSocket() ?? undefined) as unknown as WebSocket | undefined);
    const reserveMs = events.reservationMs(client.getId());
    guard.unregistered(client.getId(), client.getToken(), reserveMs);
    deps.cluster?.left(client.getId(), client.getToken(), reserveMs);
    events.disconnected(client.getId());
  });
  // Mounting starts peer's timer loops synchronously: capture them.
  timers.run(() => app.use(PEER_PATH, peerServer));
  let closed = false;
  return {
    guard,
    probe: (id) => liveness.probe(id),
    close() {
      if (closed) return;
      closed = true;
      timers.close();
      guard.close();
    },
  };
}
