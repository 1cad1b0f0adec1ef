/**
 * Options of `startServer`, their defaults, and their resolution into one complete object.
 */
import { randomBytes } from 'node:crypto';
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
  /** Lobbies one host peer id may hold at once. Default: 4. */
  maxLobbiesPerHost?: number | undefined;
  /** Signaling WebSockets allowed per client IP (IPv6: per /64). Default: 16. */
  maxConnectionsPerIp?: number | undefined;
  /** Signaling WebSockets in all; when full, a newcomer displaces the oldest socket of the address holding the most. Default: 5000. */
  maxSignalingConnections?: number | undefined;
  /** Signaling WebSockets one address may open per minute. Default: 120, or 2 × (joinRatePerMinute + createRatePerMinute) when larger. */
  signalingConnectsPerMinute?: number | undefined;
  /** Signaling WebSockets one address may open at once before the per-minute rate applies. Default: 32, or 2 × maxConnectionsPerIp when larger. */
  signalingConnectBurst?: number | undefined;
  /** TCP connections (HTTP and WebSocket) per client address; off when `proxied`. Default: 64, or 4 × maxConnectionsPerIp when larger. */
  maxHttpConnectionsPerIp?: number | undefined;
  /** TCP connections in all; when full, a newcomer displaces the oldest of the address holding the most. Default: 10000. */
  maxHttpConnections?: number | undefined;
  /** Time a client has to send its request headers, ms. Default: 10000. */
  headersTimeoutMs?: number | undefined;
  /** Time a client has to send a whole request, ms. Default: 30000. */
  requestTimeoutMs?: number | undefined;
  /** An idle keep-alive HTTP connection is closed after this long, ms. Default: 5000. */
  keepAliveTimeoutMs?: number | undefined;
  /** Join attempts per IP per minute (a wrong password costs one more). Default: 30. */
  joinRatePerMinute?: number | undefined;
  /** Lobby creations per IP per minute. Default: 10. */
  createRatePerMinute?: number | undefined;
  /** Lobby look-ups by code per IP per minute. Default: 120. */
  lookupRatePerMinute?: number | undefined;
  /** Look-ups and joins with a code that matches no lobby, per IP per minute. Default: 10. */
  codeMissesPerMinute?: number | undefined;
  /** Codes that match no lobby, from all addresses together, per minute. Default: 1500. */
  globalCodeMissesPerMinute?: number | undefined;
  /** Characters in a new join code (Crockford base32; see docs/server.md for the guessing arithmetic). Default: 8. */
  joinCodeLength?: number | undefined;
  /** Wrong passwords one lobby takes per minute before it refuses password checks for a while. Default: 5. */
  passwordFailuresPerLobbyPerMinute?: number | undefined;
  /** Password checks and hashes (scrypt, ~50 ms of CPU each, off the event loop) the whole server runs per second. Default: 5. */
  passwordChecksPerSecond?: number | undefined;
  /** `GET /api/lobbies` pages per IP per minute. Default: 60. */
  listRatePerMinute?: number | undefined;
  /** `GET /api/config` per IP per minute. Default: 120, or 2 × (joinRatePerMinute + createRatePerMinute) when larger. */
  configRatePerMinute?: number | undefined;
  /** Lifetime of a join ticket, ms. Default: 60000. */
  ticketTtlMs?: number | undefined;
  /** Largest signaling WebSocket frame, bytes. Default: MAX_SIGNALING_FRAME_BYTES (64 KiB). */
  maxSignalingFrameBytes?: number | undefined;
  /** Signaling messages one socket may send per second before it is closed. Default: 200. */
  maxSignalingMessagesPerSecond?: number | undefined;
  /** Signaling bytes one socket may send per second (bursts of 2 s or 2 frames) before it is closed. Default: 65536. */
  maxSignalingBytesPerSecond?: number | undefined;
  /** Signaling bytes one address may send per second over all its sockets (bursts of 2 s). Default: 262144, or 16384 × maxConnectionsPerIp when larger. */
  maxSignalingBytesPerSecondPerIp?: number | undefined;
  /** Bytes waiting to go to one signaling socket before it is dropped (it is not reading). Default: 262144. */
  maxSignalingSendBufferBytes?: number | undefined;
  /** Bytes of signaling queued for ids that are not connected, all ids together (64 KiB per id). Default: 4194304. */
  maxUndeliveredBytes?: number | undefined;
  /** How long a freed peer id stays reserved for its last token, ms (a lobby host's: at least lobbyGraceMs + 5 s). Default: 300000. */
  idReservationMs?: number | undefined;
  /** Id reservations one address may hold (past it, its own oldest lapses). Default: 64. */
  maxReservationsPerIp?: number | undefined;
  /** Behind a reverse proxy: take the client IP from the last X-Forwarded-For hop. Default: false. */
  proxied?: boolean | undefined;
  /** Where lobbies live. Default: a new in-memory store. */
  store?: LobbyStore | undefined;
  /** Key that host secrets are issued under (16+ characters): give every process and restart the same one so hosts re-register their codes after the server forgot them. Default: random per process (a restarted server cannot tell a lobby's host, and its code is lost). */
  lobbyKey?: string | undefined;
  /** Logging: false, true (JSON lines on stderr from level info), a level ('debug' | 'info' | 'warn' | 'error'), or a function of a line. Default: false. */
  log?: LogOption | undefined;
  /** Redis URL (`redis://host:6379`): lobbies, peer presence, signaling routes and rate limits are shared with every node on the same Redis (give them all the same lobbyKey). Default: none (this process only, in memory). */
  redisUrl?: string | undefined;
  /** Prefix of every Redis key and channel, so deployments can share one Redis. Default: 'hostmesh:'. */
  redisPrefix?: string | undefined;
  /** This node's id in Redis (logs, metrics, routes). Default: random. */
  nodeId?: string | undefined;
  /** With Redis: a lobby whose node stops refreshing it (the node died) is deleted after this long, ms. Default: 60000. */
  lobbyTtlMs?: number | undefined;
  /** With Redis: a peer's presence lapses this long after its node's last heartbeat (a dead node's ids free up), ms. Default: 15000. */
  presenceTtlMs?: number | undefined;
  /** UDP port of a built-in STUN server (0: any free one), listed in `/api/config`. Default: none. */
  stunPort?: number | undefined;
  /** `host:port` clients should use for the built-in STUN server. Default: the host name the client reached the server by, and stunPort. */
  stunAdvertise?: string | undefined;
  /** Serve Prometheus metrics at `GET /metrics` (block it at the load balancer if it must not be public). Default: true. */
  metrics?: boolean | undefined;
}

/** Default option values. */
export const defaults = {
  port: 9000,
  host: '127.0.0.1',
  iceServers: [],
  lobbyGraceMs: 15_000,
  maxPlayersLimit: 64,
  maxLobbiesPerHost: 4,
  maxConnectionsPerIp: 16,
  maxSignalingConnections: 5000,
  signalingConnectsPerMinute: 120,
  signalingConnectBurst: 32,
  maxHttpConnectionsPerIp: 64,
  maxHttpConnections: 10_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5000,
  joinRatePerMinute: 30,
  createRatePerMinute: 10,
  lookupRatePerMinute: 120,
  codeMissesPerMinute: 10,
  globalCodeMissesPerMinute: 1500,
  joinCodeLength: 8,
  passwordFailuresPerLobbyPerMinute: 5,
  passwordChecksPerSecond: 5,
  listRatePerMinute: 60,
  configRatePerMinute: 120,
  ticketTtlMs: 60_000,
  maxSignalingFrameBytes: MAX_SIGNALING_FRAME_BYTES,
  maxSignalingMessagesPerSecond: 200,
  maxSignalingBytesPerSecond: 65_536,
  maxSignalingBytesPerSecondPerIp: 262_144,
  maxSignalingSendBufferBytes: 262_144,
  maxUndeliveredBytes: 4 * 1024 * 1024,
  idReservationMs: 300_000,
  maxReservationsPerIp: 64,
  proxied: false,
  log: false,
  redisPrefix: 'hostmesh:',
  lobbyTtlMs: 60_000,
  presenceTtlMs: 15_000,
  metrics: true,
} as const;

/** Options with every default filled in. */
export interface ResolvedOptions {
  port: number;
  host: string;
  publicDir: string;
  iceServers: IceServer[];
  turn: TurnOptions | undefined;
  lobbyKey: string;
  lobbyGraceMs: number;
  maxPlayersLimit: number;
  maxLobbiesPerHost: number;
  maxConnectionsPerIp: number;
  maxSignalingConnections: number;
  signalingConnectsPerMinute: number;
  signalingConnectBurst: number;
  maxHttpConnectionsPerIp: number;
  maxHttpConnections: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  joinRatePerMinute: number;
  createRatePerMinute: number;
  lookupRatePerMinute: number;
  codeMissesPerMinute: number;
  globalCodeMissesPerMinute: number;
  joinCodeLength: number;
  passwordFailuresPerLobbyPerMinute: number;
  passwordChecksPerSecond: number;
  listRatePerMinute: number;
  configRatePerMinute: number;
  ticketTtlMs: number;
  maxSignalingFrameBytes: number;
  maxSignalingMessagesPerSecond: number;
  maxSignalingBytesPerSecond: number;
  maxSignalingBytesPerSecondPerIp: number;
  maxSignalingSendBufferBytes: number;
  maxUndeliveredBytes: number;
  idReservationMs: number;
  maxReservationsPerIp: number;
  proxied: boolean;
  store: LobbyStore;
  /** True when the store was created here, so `close()` closes it. */
  ownsStore: boolean;
  log: LogOption;
  redisUrl: string | undefined;
  redisPrefix: string;
  nodeId: string;
  lobbyTtlMs: number;
  presenceTtlMs: number;
  stunPort: number | undefined;
  stunAdvertise: string | undefined;
  metrics: boolean;
}

function positive(name: string, value: number | undefined, fallback: number, min = 1): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < min) throw new RangeError(`hostmesh server option "${name}" must be a number >= ${min} (got ${String(value)}).`);
  return v;
}

function integerIn(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`hostmesh server option "${name}" must be a whole number from ${min} to ${max} (got ${String(value)}).`);
  return v;
}

/**
 * Per-address limits that follow the rates and caps an operator raised (a benchmark or a LAN
 * party behind one address raises maxConnectionsPerIp and the join rate, and expects that many
 * peers to get in): each host or join fetches the config once and opens one signaling socket.
 */
function derivedDefaults(options: ServerOptions): Pick<ResolvedOptions, 'signalingConnectsPerMinute' | 'signalingConnectBurst' | 'maxHttpConnectionsPerIp' | 'configRatePerMinute' | 'maxSignalingBytesPerSecondPerIp'> {
  const perIp = options.maxConnectionsPerIp ?? defaults.maxConnectionsPerIp;
  const sessionsPerMinute = 2 * ((options.joinRatePerMinute ?? defaults.joinRatePerMinute) + (options.createRatePerMinute ?? defaults.createRatePerMinute));
  return {
    signalingConnectsPerMinute: Math.max(defaults.signalingConnectsPerMinute, sessionsPerMinute),
    signalingConnectBurst: Math.max(defaults.signalingConnectBurst, 2 * perIp),
    maxHttpConnectionsPerIp: Math.max(defaults.maxHttpConnectionsPerIp, 4 * perIp),
    configRatePerMinute: Math.max(defaults.configRatePerMinute, sessionsPerMinute),
    maxSignalingBytesPerSecondPerIp: Math.max(defaults.maxSignalingBytesPerSecondPerIp, 16_384 * perIp),
  };
}

/** Fills in defaults and checks ranges; throws a RangeError naming a bad option. */
export function resolveOptions(options: ServerOptions = {}): ResolvedOptions {
  const derived = derivedDefaults(options);
  const port = options.port ?? defaults.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`hostmesh server option "port" must be an integer from 0 to 65535 (got ${String(options.port)}).`);
  }
  if (options.lobbyKey !== undefined && (typeof options.lobbyKey !== 'string' || options.lobbyKey.length < 16)) {
    throw new RangeError('hostmesh server option "lobbyKey" must be a string of at least 16 characters (e.g. 32 random bytes in base64).');
  }
  if (options.redisUrl !== undefined && !/^rediss?:\/\//.test(options.redisUrl)) {
    throw new RangeError('hostmesh server option "redisUrl" must be a redis:// or rediss:// URL (e.g. redis://127.0.0.1:6379).');
  }
  if (options.redisUrl !== undefined && options.lobbyKey === undefined && options.store === undefined) {
    throw new RangeError('hostmesh server option "redisUrl" needs "lobbyKey", the same on every node: hosts re-register and members claim lobbies through whichever node they reach.');
  }
  if (options.nodeId !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(options.nodeId)) {
    throw new RangeError('hostmesh server option "nodeId" must be 1 to 64 characters of A-Z, a-z, 0-9, _ . and -.');
  }
  if (options.stunPort !== undefined && (!Number.isInteger(options.stunPort) || options.stunPort < 0 || options.stunPort > 65535)) {
    throw new RangeError(`hostmesh server option "stunPort" must be an integer from 0 to 65535 (got ${String(options.stunPort)}).`);
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
    lobbyKey: options.lobbyKey ?? randomBytes(32).toString('base64url'),
    lobbyGraceMs: positive('lobbyGraceMs', options.lobbyGraceMs, defaults.lobbyGraceMs, 0),
    maxPlayersLimit: positive('maxPlayersLimit', options.maxPlayersLimit, defaults.maxPlayersLimit, 2),
    maxLobbiesPerHost: positive('maxLobbiesPerHost', options.maxLobbiesPerHost, defaults.maxLobbiesPerHost),
    maxConnectionsPerIp: positive('maxConnectionsPerIp', options.maxConnectionsPerIp, defaults.maxConnectionsPerIp),
    maxSignalingConnections: positive('maxSignalingConnections', options.maxSignalingConnections, defaults.maxSignalingConnections),
    signalingConnectsPerMinute: positive('signalingConnectsPerMinute', options.signalingConnectsPerMinute, derived.signalingConnectsPerMinute),
    signalingConnectBurst: positive('signalingConnectBurst', options.signalingConnectBurst, derived.signalingConnectBurst),
    maxHttpConnectionsPerIp: positive('maxHttpConnectionsPerIp', options.maxHttpConnectionsPerIp, derived.maxHttpConnectionsPerIp),
    maxHttpConnections: positive('maxHttpConnections', options.maxHttpConnections, defaults.maxHttpConnections),
    headersTimeoutMs: positive('headersTimeoutMs', options.headersTimeoutMs, defaults.headersTimeoutMs, 100),
    requestTimeoutMs: positive('requestTimeoutMs', options.requestTimeoutMs, defaults.requestTimeoutMs, 100),
    keepAliveTimeoutMs: positive('keepAliveTimeoutMs', options.keepAliveTimeoutMs, defaults.keepAliveTimeoutMs, 100),
    joinRatePerMinute: positive('joinRatePerMinute', options.joinRatePerMinute, defaults.joinRatePerMinute),
    createRatePerMinute: positive('createRatePerMinute', options.createRatePerMinute, defaults.createRatePerMinute),
    lookupRatePerMinute: positive('lookupRatePerMinute', options.lookupRatePerMinute, defaults.lookupRatePerMinute),
    codeMissesPerMinute: positive('codeMissesPerMinute', options.codeMissesPerMinute, defaults.codeMissesPerMinute),
    globalCodeMissesPerMinute: positive('globalCodeMissesPerMinute', options.globalCodeMissesPerMinute, defaults.globalCodeMissesPerMinute),
    joinCodeLength: integerIn('joinCodeLength', options.joinCodeLength, defaults.joinCodeLength, 4, 16),
    passwordFailuresPerLobbyPerMinute: positive('passwordFailuresPerLobbyPerMinute', options.passwordFailuresPerLobbyPerMinute, defaults.passwordFailuresPerLobbyPerMinute),
    passwordChecksPerSecond: positive('passwordChecksPerSecond', options.passwordChecksPerSecond, defaults.passwordChecksPerSecond),
    listRatePerMinute: positive('listRatePerMinute', options.listRatePerMinute, defaults.listRatePerMinute),
    configRatePerMinute: positive('configRatePerMinute', options.configRatePerMinute, derived.configRatePerMinute),
    ticketTtlMs: positive('ticketTtlMs', options.ticketTtlMs, defaults.ticketTtlMs),
    maxSignalingFrameBytes: positive('maxSignalingFrameBytes', options.maxSignalingFrameBytes, defaults.maxSignalingFrameBytes, 256),
    maxSignalingMessagesPerSecond: positive('maxSignalingMessagesPerSecond', options.maxSignalingMessagesPerSecond, defaults.maxSignalingMessagesPerSecond),
    maxSignalingBytesPerSecond: positive('maxSignalingBytesPerSecond', options.maxSignalingBytesPerSecond, defaults.maxSignalingBytesPerSecond, 1024),
    maxSignalingBytesPerSecondPerIp: positive('maxSignalingBytesPerSecondPerIp', options.maxSignalingBytesPerSecondPerIp, derived.maxSignalingBytesPerSecondPerIp, 1024),
    maxSignalingSendBufferBytes: positive('maxSignalingSendBufferBytes', options.maxSignalingSendBufferBytes, defaults.maxSignalingSendBufferBytes, 1024),
    maxUndeliveredBytes: positive('maxUndeliveredBytes', options.maxUndeliveredBytes, defaults.maxUndeliveredBytes, 0),
    idReservationMs: positive('idReservationMs', options.idReservationMs, defaults.idReservationMs, 0),
    maxReservationsPerIp: positive('maxReservationsPerIp', options.maxReservationsPerIp, defaults.maxReservationsPerIp),
    proxied: options.proxied ?? defaults.proxied,
    store: options.store ?? createMemoryStore(),
    ownsStore: options.store === undefined,
    log: options.log ?? defaults.log,
    redisUrl: options.redisUrl,
    redisPrefix: options.redisPrefix ?? defaults.redisPrefix,
    nodeId: options.nodeId ?? randomBytes(6).toString('hex'),
    lobbyTtlMs: integerIn('lobbyTtlMs', options.lobbyTtlMs, defaults.lobbyTtlMs, 1000, 86_400_000),
    presenceTtlMs: integerIn('presenceTtlMs', options.presenceTtlMs, defaults.presenceTtlMs, 300, 3_600_000),
    stunPort: options.stunPort,
    stunAdvertise: options.stunAdvertise,
    metrics: options.metrics ?? defaults.metrics,
  };
}
