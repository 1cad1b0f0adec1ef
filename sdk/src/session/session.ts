/**
 * A game session as one member sees it: the players, typed application messages on either
 * channel, replication entry points, stats, and leave. This class is the public face only: its
 * plumbing (links, roster, internal events, the replication driver) lives in a `SessionCore`
 * held in a private field, which roles reach through `sessionCore()` and games cannot reach.
 */
import { HostmeshError } from '../core/errors.js';
import type { LinkStats } from '../link/link-stats.js';
import type { SignalingState } from '../link/network.js';
import { checkSendable } from '../wire/codec.js';
import { encodeResumeToken } from './resume-token.js';
import type { State } from '../snapshot/schema.js';
import type { InterestFilter } from './interest.js';
import type { LobbyInfo, UpdateLobbyRequest } from '../wire/lobby-api.js';
import { encodeFrame } from '../wire/codec.js';
import type { HostControls } from './host-controls.js';
import { MAX_CHECKPOINT_BYTES } from './succession.js';
import type { ClientReplicationStats, PredictionOptions } from './client-replication.js';
import type { HostReplication, HostReplicationStats } from './host-replication.js';
import type { PlayerInfo } from './players.js';
import type { SendOptions, SessionCore } from './session-core.js';
import type { SessionEvents } from './session-events.js';

export type { SendOptions } from './session-core.js';
export type { SessionCloseReason, SessionEvents } from './session-events.js';

/** What `stats()` reports per remote player. */
export type PeerStats = LinkStats & Partial<HostReplicationStats & ClientReplicationStats>;

const cores = new WeakMap<Session, SessionCore>();

/** Internal: the plumbing of `session`, for the roles, tests and benches (not exported by the package). */
export function sessionCore(session: Session): SessionCore {
  const core = cores.get(session);
  if (!core) throw new HostmeshError('INVALID_ARGUMENT', 'sessionCore(): not a hostmesh session.');
  return core;
}

/** A hostmesh session: the public face shared by host and clients. */
export class Session {
  readonly #core: SessionCore;

  /** Made by `connect().host()` and `connect().join()`, not by games. @internal */
  constructor(core: SessionCore) {
    this.#core = core;
    cores.set(this, core);
  }

  /** Join code of the lobby. */
  get code(): string {
    return this.#core.code;
  }

  /** Our player id. */
  get selfId(): string {
    return this.#core.selfId;
  }

  /** True when we are the host. */
  get isHost(): boolean {
    return this.#core.isHost;
  }

  /** The host's player id. */
  get hostId(): string {
    return this.#core.hostId;
  }

  /** Players in the session, us included, by id (spectators are not players). */
  get players(): ReadonlyMap<string, PlayerInfo> {
    return this.#core.roster;
  }

  /** Spectators in the session, us included when we watch, by id: they receive snapshots and messages, take no seat, send no inputs and never become host. */
  get spectators(): ReadonlyMap<string, PlayerInfo> {
    return this.#core.spectators;
  }

  /** True when we joined as a spectator. */
  get isSpectator(): boolean {
    return this.#core.spectators.has(this.#core.selfId);
  }

  /** Where our connection to the signaling server stands: 'open', 'reconnecting' (an outage: play goes on), 'lost' or 'closed'. */
  get signalingState(): SignalingState {
    return this.#core.net.signalingState;
  }

  /** Client: what takes our seat back from a new process (`join(code, { resume })`) while the host holds it; it changes on each return. Undefined on the host. */
  get resumeToken(): string | undefined {
    const core = this.#core;
    if (core.isHost || core.seatToken === undefined) return undefined;
    return encodeResumeToken({ code: core.code, hostId: core.hostId, id: core.selfId, token: core.net.token, seat: core.seatToken });
  }

  /** True after the session closed. */
  get isClosed(): boolean {
    return this.#core.isClosed;
  }

  /** Subscribes to a session event; returns an unsubscribe function. */
  on<K extends keyof SessionEvents>(event: K, cb: (...args: SessionEvents[K]) => void): () => void {
    return this.#core.events.on(event, cb);
  }

  /** Subscribes to application messages of `type`; returns an unsubscribe function. */
  onMessage<T = unknown>(type: string, cb: (data: T, fromId: string) => void): () => void {
    return this.#core.onMessage(type, cb as (data: unknown, fromId: string) => void);
  }

  /** Sends an application message to every other player, or one (`to`). Throws MESSAGE_TOO_LARGE, INVALID_ARGUMENT. */
  send(type: string, data: unknown, options: SendOptions = {}): void {
    this.#core.send(type, data, options);
  }

  /** Snapshots per second the host sends. */
  get tickRateHz(): number {
    return this.#core.replicator().tickRateHz;
  }

  /**
   * Host: sets the authoritative state, entities by id, sent every tick. Fields may hold any
   * msgpack value (numbers in the schema are quantized; objects, arrays, strings, Uint8Array and
   * null travel msgpack-encoded, each field only when it changed); a value that is not an entity
   * goes in an entity of its own (`{ game: { turn: 'p1' } }`). Throws INVALID_ARGUMENT, naming the
   * entity and field, for what cannot be replicated (functions, symbols, BigInt, cycles, class
   * instances, a field over 12 KiB as msgpack).
   */
  setState(state: State): void {
    this.#hostReplication('Only the host sets the state; clients send inputs with sendInput().').setState(state);
  }

  /** Host: decides per client which entities it receives (`null`: every client gets everything); entities entering and leaving a client's interest are added and removed in its snapshots. */
  setInterest(filter: InterestFilter | null): void {
    this.#hostReplication('Only the host decides who receives what.').setInterest(filter);
  }

  /** Host: the state as client `clientId` saw it at host time `hostTimeMs`, by default when it sent the input being handled (call from onInput); rewound at most the host's `maxRewindMs` (250). For hit tests. */
  stateAt(clientId: string, hostTimeMs?: number): State | undefined {
    return this.#hostReplication('Only the host keeps the history to rewind.').stateAt(clientId, hostTimeMs);
  }

  #hostReplication(why: string): HostReplication {
    const r = this.#core.replicator();
    if (!('setState' in r)) throw new HostmeshError('NOT_HOST', why);
    return r;
  }

  /** Host: the state it set. Client: the interpolated view for now (own entity predicted when enabled). */
  getState(): State {
    return this.#core.replicator().getState();
  }

  /** Host: the state it set. Client: the newest complete authoritative snapshot, not interpolated. */
  latestState(): State {
    const r = this.#core.replicator();
    return 'latestState' in r ? r.latestState() : r.getState();
  }

  /** Host: subscribes to players' inputs (the host's own included); call setState() after applying them. Returns an unsubscribe function. */
  onInput<I = unknown>(cb: (input: I, fromId: string) => void): () => void {
    const r = this.#core.replicator();
    if (!('onInput' in r)) throw new HostmeshError('NOT_HOST', 'Only the host receives inputs; clients send them with sendInput().');
    return r.onInput(cb as (input: unknown, fromId: string) => void);
  }

  /** Sends an input to the host: unreliable, each packet repeating the unacknowledged ones. */
  sendInput(input: unknown): void {
    if (this.#core.isClosed) throw new HostmeshError('SESSION_CLOSED');
    if (this.isSpectator) throw new HostmeshError('INVALID_ARGUMENT', 'sendInput(): spectators watch and send no inputs; join as a player to play.');
    checkSendable(input, 'sendInput(input): the input');
    this.#core.replicator().sendInput(input);
  }

  /** Client: predicts our entity with the game's `applyInput`, reconciled on each snapshot. */
  setPrediction<I>(options: PredictionOptions<I>): void {
    const r = this.#core.replicator();
    if (!('setPrediction' in r)) throw new HostmeshError('NOT_HOST', 'The host is the authority and needs no prediction; setPrediction() is for clients.');
    r.setPrediction(options);
  }

  /** Per remote player: RTT, jitter, loss, bytes/s, drops, and snapshot figures. */
  stats(): Record<string, PeerStats> {
    const core = this.#core;
    const out: Record<string, PeerStats> = {};
    const r = core.replication;
    for (const [id, link] of core.links) {
      const extra = r && 'statsFor' in r ? r.statsFor(id) : r && id === core.hostId ? r.stats() : {};
      out[id] = { ...link.stats(), ...extra };
    }
    return out;
  }

  /** The lobby's host epoch: 0 for the first host, one more per host change. */
  get hostEpoch(): number {
    return this.#core.epoch;
  }

  /** The host's newest checkpoint (on the host: the one it set; on members: the one it last sent). Undefined when none. */
  get checkpoint(): unknown {
    return this.#core.checkpoint;
  }

  /** Host: sets the checkpoint, what a successor needs beyond the replicated state (RNG seed, timers, hidden cards); sent reliably to every member, at most every 250 ms. Throws NOT_HOST, MESSAGE_TOO_LARGE, INVALID_ARGUMENT. */
  setCheckpoint(data: unknown): void {
    const core = this.#core;
    if (core.isClosed) throw new HostmeshError('SESSION_CLOSED');
    if (!core.isHost) throw new HostmeshError('NOT_HOST', 'Only the host sets the checkpoint; members receive it (session.checkpoint, the checkpoint event).');
    checkSendable(data, 'setCheckpoint(data): the data');
    const bytes = encodeFrame(0, data).length - 1;
    if (bytes > MAX_CHECKPOINT_BYTES) throw new HostmeshError('MESSAGE_TOO_LARGE', `setCheckpoint(data): the checkpoint is ${bytes} bytes encoded; at most ${MAX_CHECKPOINT_BYTES} fit. Keep in it only what the replicated state lacks.`);
    core.checkpoint = data;
    core.internal.emit('checkpoint');
  }

  /** Host: removes a player: it gets KICKED, the others playerLeave. It may come back through the lobby with a new ticket. Throws NOT_HOST. */
  kick(id: string, reason?: string): void {
    this.#host().kick(id, reason);
  }

  /** Host: removes a player (if present) and refuses its id for the rest of the session (its successors included). Throws NOT_HOST. */
  ban(id: string, reason?: string): void {
    this.#host().ban(id, reason);
  }

  /** Host: lifts a ban. Throws NOT_HOST. */
  unban(id: string): void {
    this.#host().unban(id);
  }

  /** Host: ids banned in this session, oldest first. Throws NOT_HOST. */
  banned(): string[] {
    return this.#host().banned();
  }

  /** Host: updates the lobby on the server (`open: false` turns newcomers away with LOBBY_CLOSED). Rejects with NOT_HOST. */
  updateLobby(changes: UpdateLobbyRequest): Promise<LobbyInfo> {
    try {
      return this.#host().updateLobby(changes);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #host(): HostControls {
    const controls = this.#core.isHost ? this.#core.hostControls : undefined;
    if (!controls) throw new HostmeshError('NOT_HOST', 'Only the host can do that (session.isHost is false here).');
    return controls;
  }

  /** Leaves the session: says goodbye to every peer and releases everything. */
  async leave(): Promise<void> {
    await this.#core.shutdown('left');
  }
}
