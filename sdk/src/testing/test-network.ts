/**
 * `createTestNetwork()`: real hostmesh sessions (host and client roles, replication,
 * prediction, the link protocol) in one process, over in-memory channels and an in-memory
 * lobby: no WebRTC, no server, no ports. A game's own tests use it to check host logic,
 * prediction and disconnects. Each `connect()` is a player with its own link conditioner;
 * with the test runner's fake timers (e.g. `vi.useFakeTimers()`) the whole network runs on a
 * controllable clock, since the SDK reads time and timers from the globals when it uses them.
 */
import type { LobbyInfo } from '../wire/lobby-api.js';
import { connectWith, type ConnectOptions, type Hostmesh } from '../session/connect.js';
import { MemoryLobby } from './memory-lobby.js';
import { MemoryHub } from './memory-network.js';

/** Options of `createTestNetwork`. */
export interface TestNetworkOptions {
  /** One-way delay of every in-memory channel, ms (each player's conditioner adds its own). Default: 0. */
  latencyMs?: number;
  /** Share of unreliable messages every channel loses, 0..1. Default: 0. */
  unreliableLoss?: number;
  /** Random numbers in [0, 1) for that loss; pass a seeded one for reproducible runs. Default: Math.random. */
  random?: () => number;
}

const defaults = { latencyMs: 0, unreliableLoss: 0 } as const;

/** Options of a test player's `connect`: those of `connect()` without a server. */
export type TestConnectOptions = Omit<ConnectOptions, 'server' | 'iceTransportPolicy'>;

/** An in-memory network of players. */
export interface TestNetwork {
  /** A new player: the same API as `connect(server)` (host, join, lobbies, conditioner). */
  connect(options?: TestConnectOptions): Hostmesh;
  /** Every lobby, public or not, with its player count and open flag. */
  lobbies(): LobbyInfo[];
  /** Player `playerId`'s sends vanish from now on with no close event (a frozen or killed tab): the others notice by heartbeat. */
  freeze(playerId: string): void;
  /** Closes every link of `playerId` at once, as a dropped connection both sides see. */
  disconnect(playerId: string): void;
  /** Player `playerId` loses signaling for good: its open links stay, nobody new can reach it (a client with no link left closes with SERVER_UNREACHABLE). */
  loseSignaling(playerId: string): void;
  /** Ids of the players whose endpoint is open. */
  players(): string[];
}

/** Creates an empty in-memory network (see TestNetworkOptions). */
export function createTestNetwork(options: TestNetworkOptions = {}): TestNetwork {
  const o = { ...defaults, ...options };
  const hub = new MemoryHub({ latencyMs: o.latencyMs, unreliableLoss: o.unreliableLoss, ...(o.random ? { random: o.random } : {}) });
  const lobby = new MemoryLobby((id) => hub.signalingOpen(id));
  return {
    connect: (connectOptions = {}) => connectWith(connectOptions, { lobby, openNetwork: async (link) => hub.open(link) }),
    lobbies: () => lobby.all(),
    freeze: (id) => hub.freeze(id),
    disconnect: (id) => hub.cut(id),
    loseSignaling: (id) => hub.loseSignaling(id),
    players: () => hub.ids(),
  };
}
