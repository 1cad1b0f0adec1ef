/**
 * `connect(server)`: the player's entry point. Hosts lobbies and joins them by code; every
 * session gets its own signaling endpoint. PeerJS only ever talks to the given server and the
 * ICE servers it hands out.
 */
import { HostmeshError } from '../core/errors.js';
import { linkDefaults, type LinkOptions } from '../link/link.js';
import { LinkConditioner, type ConditionerSettings } from '../link/conditioner.js';
import { budgetDefaults, type LinkBudgets } from '../link/rate-budget.js';
import type { Schema } from '../snapshot/schema.js';
import type { LobbyInfo, LobbyMeta } from '../wire/lobby-api.js';
import { LobbyClient, type LobbyApi } from '../lobby/lobby-client.js';
import type { Network } from '../link/network.js';
import { PeerNetwork, type PeerIdentity } from '../link/peer-network.js';
import { cleanPlayerName } from './players.js';
import { startHostRole, type HostControls, type Topology } from './host-role.js';
import { joinSession, resumeSession } from './client-role.js';
import { codeKey, decodeResumeToken, loadResumeToken, saveResumeToken } from './resume-token.js';
import { Session } from './session.js';
import { SessionCore } from './session-core.js';

/** Options of `connect`. */
export interface ConnectOptions {
  /** Base URL of the hostmesh server, e.g. `http://127.0.0.1:9000`. */
  server: string;
  /** Time allowed to reach the server, the host and each peer, ms. Default: 15000. */
  connectTimeoutMs?: number;
  /** Heartbeat interval, ms. Default: 1000. */
  heartbeatIntervalMs?: number;
  /** Silence after which a peer is treated as gone, ms. Default: 5000. */
  peerTimeoutMs?: number;
  /** 'relay' forces every connection through the server's TURN relays (needs TURN configured). Default: 'all'. */
  iceTransportPolicy?: 'all' | 'relay';
  /** Added latency, jitter and loss on this client's sends (development and tests); change later with `conditioner.set()`. Default: none. */
  conditioner?: Partial<ConditionerSettings>;
  /** First delay before reconnecting to the signaling server after it dropped, ms (doubles per failed attempt, with jitter). Default: 500. */
  signalingRetryMinMs?: number;
  /** Longest delay between signaling reconnect attempts, ms. Default: 10000. */
  signalingRetryMaxMs?: number;
  /** What each other member may send us per second before its frames are dropped (and, on the host, it is kicked and banned); `null` turns the budgets off. Default: `budgetDefaults`. */
  peerBudgets?: Partial<LinkBudgets> | null;
}

/** Options of `host`. */
export interface HostOptions {
  /** Lobby name shown in lists. Default: 'hostmesh game'. */
  name?: string;
  /** Capacity, host included (2..64). Default: 8. */
  maxPlayers?: number;
  /** Listed by `lobbies()`. Default: false. */
  public?: boolean;
  /** Password joiners must give. Default: none. */
  password?: string;
  /** Small metadata shown in lists. Default: {}. */
  meta?: LobbyMeta;
  /** The host's display name. Default: 'Host'. */
  playerName?: string;
  /** Snapshots sent per second. Default: 30. */
  tickRateHz?: number;
  /** How entity fields are quantized on the wire. Default: `defaultSchema`. */
  schema?: Schema;
  /** Inputs per second per client that reach `onInput` (bursts of up to 32 pass); the rest are counted (`inputsDropped`) and dropped. Default: 120. */
  maxInputsPerSecond?: number;
  /** How long the seat of a player whose link dropped without a goodbye is held for it to come back, ms (0: removed at once). Default: 30000. */
  reconnectGraceMs?: number;
  /** Spectators admitted (0..64); they take no player seat and do not count toward maxPlayers. Default: 16. */
  maxSpectators?: number;
  /** 'mesh': every member links to every other; 'star': members link only to the host, which relays their messages (fewer connections: larger sessions). Default: 'mesh'. */
  topology?: Topology;
  /** Longest rewind of `stateAt()` (lag compensation), ms (0..2000). Default: 250. */
  maxRewindMs?: number;
  /** The session outlives its host: when the host leaves or crashes, the member with the lowest seat takes over with the newest state and checkpoint (`hostChange`). `false`: members close with HOST_LEFT. Default: true. */
  hostMigration?: boolean;
}

/** Options of `join`. */
export interface JoinOptions {
  /** Our display name. Default: 'Player'. */
  playerName?: string;
  /** The lobby password, when it has one. Default: none. */
  password?: string;
  /** Upper bound of the adaptive interpolation delay, ms (lower = fresher but choppier under jitter). Default: 500. */
  maxInterpolationDelayMs?: number;
  /** Join as a spectator: receives snapshots and messages, takes no player seat, sends no inputs, never becomes host. Default: false. */
  spectator?: boolean;
  /** A `session.resumeToken` from an earlier session in this lobby: takes that seat back (same id, name, seat) while the host holds it, or rejects with SEAT_LOST. Default: none (in a browser, the token this tab kept in sessionStorage for the code, if any; a normal join when it fails). */
  resume?: string;
}

/** A connection to a hostmesh server. */
export interface Hostmesh {
  /** Creates a lobby and hosts its session. */
  host(options?: HostOptions): Promise<HostSession>;
  /** Joins the lobby with `code` (case-insensitive; spaces and dashes ignored). */
  join(code: string, options?: JoinOptions): Promise<Session>;
  /** Lists public lobbies that accept players. */
  lobbies(): Promise<LobbyInfo[]>;
  /** The link conditioner of this client's sends: `conditioner.set({ latencyMs, jitterMs, lossPct })`. */
  readonly conditioner: LinkConditioner;
}

/** A session we host: a Session plus host-only controls. */
export type HostSession = Session & HostControls;

/** Connects to a hostmesh server (URL or options). Nothing is sent until host/join/lobbies. */
export function connect(server: string | ConnectOptions): Hostmesh {
  const opts = typeof server === 'string' ? { server } : server;
  if (typeof opts.server !== 'string' || !/^https?:\/\//.test(opts.server)) {
    throw new HostmeshError('INVALID_ARGUMENT', 'connect(): pass the server URL, e.g. connect("http://127.0.0.1:9000").');
  }
  const connectTimeoutMs = opts.connectTimeoutMs ?? 15_000;
  const lobby = new LobbyClient(opts.server, connectTimeoutMs);
  return connectWith(opts, {
    lobby,
    openNetwork: async (link, identity) => PeerNetwork.open(opts.server, await lobby.config(), {
      connectTimeoutMs, link, iceTransportPolicy: opts.iceTransportPolicy ?? 'all',
      ...(opts.signalingRetryMinMs === undefined ? {} : { signalingRetryMinMs: opts.signalingRetryMinMs }),
      ...(opts.signalingRetryMaxMs === undefined ? {} : { signalingRetryMaxMs: opts.signalingRetryMaxMs }),
    }, identity),
  });
}

/** What a connection runs on: a lobby service and a way to open our network endpoint. */
export interface Backend {
  /** The lobby service (the server's HTTP API, or an in-memory one). */
  lobby: LobbyApi;
  /** Opens our endpoint; every session gets its own. With `identity`, under that old id (a resumed seat). */
  openNetwork(link: Partial<LinkOptions>, identity?: PeerIdentity): Promise<Network>;
}

/** Internal: `connect` over any backend (hostmesh/testing passes an in-memory lobby and network). */
export function connectWith(opts: Omit<ConnectOptions, 'server' | 'iceTransportPolicy' | 'signalingRetryMinMs' | 'signalingRetryMaxMs'>, backend: Backend): Hostmesh {
  const connectTimeoutMs = opts.connectTimeoutMs ?? 15_000;
  const conditioner = new LinkConditioner({ settings: opts.conditioner ?? {} });
  const link: Partial<LinkOptions> = {
    heartbeatIntervalMs: opts.heartbeatIntervalMs ?? linkDefaults.heartbeatIntervalMs,
    timeoutMs: opts.peerTimeoutMs ?? linkDefaults.timeoutMs,
    conditioner,
    budgets: opts.peerBudgets === null ? null : { ...budgetDefaults, ...opts.peerBudgets },
  };
  const { lobby } = backend;
  /** Browsers: keeps the tab's resume token for the lobby current, and forgets it when the session ends. */
  const remember = (session: Session): Session => {
    saveResumeToken(session.code, session.resumeToken);
    session.on('reconnected', () => saveResumeToken(session.code, session.resumeToken));
    session.on('hostChange', () => saveResumeToken(session.code, session.resumeToken));
    session.on('close', () => saveResumeToken(session.code, undefined));
    return session;
  };
  const openNet = () => backend.openNetwork(link);
  const timing = { timeoutMs: connectTimeoutMs, heartbeatIntervalMs: link.heartbeatIntervalMs ?? linkDefaults.heartbeatIntervalMs, peerTimeoutMs: link.timeoutMs ?? linkDefaults.timeoutMs };

  return {
    async host(options = {}) {
      const net = await openNet();
      try {
        const maxPlayers = options.maxPlayers ?? 8;
      if (options.topology !== undefined && options.topology !== 'mesh' && options.topology !== 'star') throw new HostmeshError('INVALID_ARGUMENT', "host(): topology must be 'mesh' or 'star'.");
      if (options.maxSpectators !== undefined && !(Number.isInteger(options.maxSpectators) && options.maxSpectators >= 0 && options.maxSpectators <= 64)) throw new HostmeshError('INVALID_ARGUMENT', 'host(): maxSpectators must be an integer from 0 to 64.');
        const created = await lobby.create({
          name: options.name ?? 'hostmesh game',
          maxPlayers,
          ...(options.maxSpectators === undefined ? {} : { maxSpectators: options.maxSpectators }),
          public: options.public ?? false,
          hostPeerId: net.id,
          hostPeerToken: net.token,
          ...(options.password === undefined ? {} : { password: options.password }),
          ...(options.meta === undefined ? {} : { meta: options.meta }),
        });
        const self = { id: net.id, name: cleanPlayerName(options.playerName, 'Host'), isHost: true, seat: 0 };
        const core = new SessionCore(net, { code: created.lobby.code, hostId: net.id, players: [self] });
        startHostRole(core, {
          hostSecret: created.hostSecret, maxPlayers, lobby, joinTimeoutMs: connectTimeoutMs,
          tickRateHz: options.tickRateHz ?? 30, schema: options.schema, maxInputsPerSecond: options.maxInputsPerSecond ?? 120,
          reconnectGraceMs: options.reconnectGraceMs ?? 30_000,
          maxSpectators: options.maxSpectators ?? 16, topology: options.topology ?? 'mesh', maxRewindMs: options.maxRewindMs ?? 250,
          migration: options.hostMigration ?? true, claimSecret: created.claimSecret ?? '', epoch: created.hostEpoch ?? 0,
          settings: {
            name: options.name ?? 'hostmesh game', maxPlayers, public: options.public ?? false,
            password: options.password, meta: options.meta, open: true,
          },
        });
        return new Session(core) as HostSession;
      } catch (err) {
        net.destroy();
        throw err;
      }
    },
    async join(code, options = {}) {
      if (typeof code !== 'string' || code.trim() === '') throw new HostmeshError('INVALID_ARGUMENT', 'join(code): pass the lobby code the host shared.');
      if (options.maxInterpolationDelayMs !== undefined && !(options.maxInterpolationDelayMs > 0)) {
        throw new HostmeshError('INVALID_ARGUMENT', 'join(): maxInterpolationDelayMs must be a positive number of ms.');
      }
      const maxInterpolationDelayMs = options.maxInterpolationDelayMs ?? 500;
      // This tab (or the caller) may hold a seat in this lobby: take it back first.
      const resume = decodeResumeToken(options.resume ?? loadResumeToken(code));
      if (options.resume !== undefined && (!resume || resume.code !== codeKey(code.trim()))) {
        throw new HostmeshError('INVALID_ARGUMENT', 'join(code, { resume }): pass the session.resumeToken of an earlier session in this same lobby.');
      }
      if (resume && resume.code === codeKey(code.trim())) {
        let net: Network | undefined;
        try {
          net = await backend.openNetwork(link, { id: resume.id, token: resume.token });
          return remember(await resumeSession(net, lobby, { resume, ...timing, maxInterpolationDelayMs }));
        } catch (err) {
          net?.destroy();
          if (options.resume !== undefined) throw err instanceof HostmeshError && err.code === 'SEAT_LOST' ? err : new HostmeshError('SEAT_LOST', `The seat could not be taken back: ${(err as Error).message}`, { cause: err });
          saveResumeToken(code, undefined); // a stale seat of this tab: join as a new player
        }
      }
      const net = await openNet();
      try {
        return remember(await joinSession(net, lobby, {
          code: code.trim(),
          playerName: cleanPlayerName(options.playerName, 'Player'),
          password: options.password,
          ...timing,
          maxInterpolationDelayMs,
          spectator: options.spectator === true,
        }));
      } catch (err) {
        net.destroy();
        throw err;
      }
    },
    lobbies: () => lobby.list(),
    conditioner,
  };
}
