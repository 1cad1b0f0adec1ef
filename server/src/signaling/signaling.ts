/**
 * Mounts PeerServer (`ExpressPeerServer` from `peer`) at `/peerjs` on the shared HTTP server,
 * hardened: an `error` listener always attached (one bad frame must not kill the process),
 * the SignalingGuard's WebSocket server, CSPRNG ids, discovery off. Its timers are captured
 * so `close()` really stops it. The WebSocket endpoint is `/peerjs/peerjs?key&id&token`.
 */
import type { Server } from 'node:http';
import type { Express } from 'express';
import { ExpressPeerServer } from 'peer';
import { PEER_KEY } from '../../../sdk/src/wire/protocol.js';
import { PEER_PATH } from '../ice/client-config.js';
import type { Logger } from '../log.js';
import type { ResolvedOptions } from '../options.js';
import { generatePeerId } from './peer-id.js';
import { SignalingGuard } from './signaling-guard.js';
import { TimerScope } from '../timer-scope.js';

/** What the rest of the server hears from signaling. */
export interface SignalingEvents {
  /** A peer id registered (or re-registered with its token). */
  connected: (id: string) => void;
  /** A peer id lost its socket. */
  disconnected: (id: string) => void;
}

/** A mounted, closable PeerServer. */
export interface Signaling {
  /** The guard (per-IP counts, reservations); exposed for tests and metrics. */
  readonly guard: SignalingGuard;
  /** Stops timers and terminates every signaling socket. Idempotent. */
  close(): void;
}

/** Mounts the hardened PeerServer on `app` at `/peerjs`. */
export function mountSignaling(app: Express, server: Server, options: ResolvedOptions, log: Logger, events: SignalingEvents): Signaling {
  const guard = new SignalingGuard({
    maxFrameBytes: options.maxSignalingFrameBytes,
    maxConnectionsPerIp: options.maxConnectionsPerIp,
    maxMessagesPerSecond: options.maxSignalingMessagesPerSecond,
    idReservationMs: options.idReservationMs,
    proxied: options.proxied,
  }, log);
  const timers = new TimerScope();
  const peerServer = ExpressPeerServer(server, {
    key: PEER_KEY,
    path: '/',
    allow_discovery: false,
    proxied: options.proxied,
    generateClientId: generatePeerId,
    createWebSocketServer: guard.createWebSocketServer,
  });
  peerServer.on('error', (err: Error) => log(`signaling error (socket kept or closed, server up): ${err.message}`));
  peerServer.on('connection', (client) => {
    guard.reservations.release(client.getId());
    events.connected(client.getId());
  });
  peerServer.on('disconnect', (client) => {
    guard.reservations.reserve(client.getId(), client.getToken());
    events.disconnected(client.getId());
  });
  // Mounting starts peer's timer loops synchronously: capture them.
  timers.run(() => app.use(PEER_PATH, peerServer));
  let closed = false;
  return {
    guard,
    close() {
      if (closed) return;
      closed = true;
      timers.close();
      guard.close();
    },
  };
}
