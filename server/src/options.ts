/**
 * Options of `startServer`, their defaults, and their resolution into one complete object.
 */
import { join } from 'node:path';
import { MAX_SIGNALING_FRAME_BYTES } from '../../sdk/src/wire/protocol.js';
import type { LogOption } from './log.js';
import { packageRoot } from './package-root.js';
import { createMemoryStore } from './stores/memory.js';
import type { LobbyStore } from './stores/store.js';
import type { IceServer, TurnOptions } from './ice/turn-credentials.js';

/** Options of `startServer`. Every option is optional. */
export interface ServerOptions {
  /** TCP port; 0 picks a free one. Default: 9000. */
  port?: number | undefined;
  /** Interface to listen on. Default: '127.0.0.1' (the CLI uses '0.0.0.0'). */
  host?: string | undefined;
  /** Directory served at `/`. Default: `dist/public` under the package root, when it exists. */
  publicDir?: string | undefined;
  /** Static STUN/TURN servers handed to clients, as urls or RTCIceServer objects. Default: []. */
  iceServers?: ReadonlyArray<string | IceServer> | undefined;
  /** TURN servers with a coturn `static-auth-secret`, for short-lived credentials. Default: none. */
  turn?: TurnOptions | undefined;
  /** A lobby is deleted once its host has been off signaling this long, ms. Default: 15000. */
  lobbyGraceMs?: number | undefined;
  /** Largest `maxPlayers` a lobby may ask for. Default: 64. */
  maxPlayersLimit?: number | undefined;
  /** Signaling WebSockets allowed per client IP. Default: 16. */
  maxConnectionsPerIp?: number | undefined;
  /** Join attempts per IP per minute (a wrong password costs one more). Default: 30. */
  joinRatePerMinute?: number | undefined;
  /** Lobby creations per IP per minute. Default: 10. */
  createRatePerMinute?: number | undefined;
  /** Lobby look-ups by code per IP per minute. Default: 120. */
  lookupRatePerMinute?: number | undefined;
  /** Lifetime of a join ticket, ms. Default: 60000. */
  ticketTtlMs?: number | undefined;
  /** Largest signaling WebSocket frame, bytes. Default: MAX_SIGNALING_FRAME_BYTES (64 KiB). */
  maxSignalingFrameBytes?: number | undefined;
  /** Signaling messages one socket may send per second before it is closed. Default: 200. */
  maxSignalingMessagesPerSecond?: number | undefined;
  /** How long a freed peer id stays reserved for its last token, ms. Default: 300000. */
  idReservationMs?: number | undefined;
  /** Behind a reverse proxy: take the client IP from the last X-Forwarded-For hop. Default: false. */
  proxied?: boolean | undefined;
  /** Where lobbies live. Default: a new in-memory store. */
  store?: LobbyStore | undefined;
  /** Logging: false, true (stderr) or a function of a line. Default: false. */
  log?: LogOption | undefined;
}

/** Default option values. */
export const defaults = {
  port: 9000,
  host: '127.0.0.1',
  iceServers: [],
  lobbyGraceMs: 15_000,
  maxPlayersLimit: 64,
  maxConnectionsPerIp: 16,
  joinRatePerMinute: 30,
  createRatePerMinute: 10,
  lookupRatePerMinute: 120,
  ticketTtlMs: 60_000,
  maxSignalingFrameBytes: MAX_SIGNALING_FRAME_BYTES,
  maxSignalingMessagesPerSecond: 200,
  idReservationMs: 300_000,
  proxied: false,
  log: false,
} as const;

/** Options with every default filled in. */
export interface ResolvedOptions {
  port: number;
  host: string;
  publicDir: string;
  iceServers: IceServer[];
  turn: TurnOptions | undefined;
  lobbyGraceMs: number;
  maxPlayersLimit: number;
  maxConnectionsPerIp: number;
  joinRatePerMinute: number;
  createRatePerMinute: number;
  lookupRatePerMinute: number;
  ticketTtlMs: number;
  maxSignalingFrameBytes: number;
  maxSignalingMessagesPerSecond: number;
  idReservationMs: number;
  proxied: boolean;
  store: LobbyStore;
  /** True when the store was created here, so `close()` closes it. */
  ownsStore: boolean;
  log: LogOption;
}

function positive(name: string, value: number | undefined, fallback: number, min = 1): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < min) throw new RangeError(`hostmesh server option "${name}" must be a number >= ${min} (got ${String(value)}).`);
  return v;
}

/** Fills in defaults and checks ranges; throws a RangeError naming a bad option. */
export function resolveOptions(options: ServerOptions = {}): ResolvedOptions {
  const port = options.port ?? defaults.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`hostmesh server option "port" must be an integer from 0 to 65535 (got ${String(options.port)}).`);
  }
  if (options.turn !== undefined && (options.turn.secret === '' || options.turn.urls.length === 0)) {
    throw new RangeError('hostmesh server option "turn" needs a non-empty "secret" and at least one url.');
  }
  return {
    port,
    host: options.host ?? defaults.host,
    publicDir: options.publicDir ?? join(packageRoot(), 'dist', 'public'),
    iceServers: (options.iceServers ?? defaults.iceServers).map((s) => (typeof s === 'string' ? { urls: s } : { ...s })),
    turn: options.turn,
    lobbyGraceMs: positive('lobbyGraceMs', options.lobbyGraceMs, defaults.lobbyGraceMs, 0),
    maxPlayersLimit: positive('maxPlayersLimit', options.maxPlayersLimit, defaults.maxPlayersLimit, 2),
    maxConnectionsPerIp: positive('maxConnectionsPerIp', options.maxConnectionsPerIp, defaults.maxConnectionsPerIp),
    joinRatePerMinute: positive('joinRatePerMinute', options.joinRatePerMinute, defaults.joinRatePerMinute),
    createRatePerMinute: positive('createRatePerMinute', options.createRatePerMinute, defaults.createRatePerMinute),
    lookupRatePerMinute: positive('lookupRatePerMinute', options.lookupRatePerMinute, defaults.lookupRatePerMinute),
    ticketTtlMs: positive('ticketTtlMs', options.ticketTtlMs, defaults.ticketTtlMs),
    maxSignalingFrameBytes: positive('maxSignalingFrameBytes', options.maxSignalingFrameBytes, defaults.maxSignalingFrameBytes, 256),
    maxSignalingMessagesPerSecond: positive('maxSignalingMessagesPerSecond', options.maxSignalingMessagesPerSecond, defaults.maxSignalingMessagesPerSecond),
    idReservationMs: positive('idReservationMs', options.idReservationMs, defaults.idReservationMs, 0),
    proxied: options.proxied ?? defaults.proxied,
    store: options.store ?? createMemoryStore(),
    ownsStore: options.store === undefined,
    log: options.log ?? defaults.log,
  };
}
