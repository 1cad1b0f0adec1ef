/**
 * Host-side replication: the game sets the authoritative state; every tick the host commits
 * it to the snapshot history and sends each client a delta against the newest snapshot that
 * client acknowledged (full when none), split into packets that each fit one unreliable
 * frame. Clients' redundant INPUT packets are turned into each input exactly once, in order,
 * for the game's `onInput` handlers; the snapshot header tells each client which of its inputs
 * the state already includes. Each client's inputs pass an allowance refilled every tick
 * (`maxInputsPerSecond`, bursts up to the 32-input redundancy window): a client that sends
 * more (a speed hack) has the rest counted and dropped before the game sees them; spectators'
 * inputs are counted and ignored. `setState` checks the state at once (so a bad value throws
 * where it is set); nothing thrown on the tick timer escapes it: the game's own `tick` handler
 * and a state changed in place into something unsendable are reported as `error` events.
 * With an interest filter each client gets its own subset (interest.ts); values too large for a
 * packet go by reference over the reliable channel first (value-sender.ts); `stateAt` rewinds
 * for lag compensation (rewind.ts).
 */
import { Emitter } from '../core/emitter.js';
import { handlerFailed, HostmeshError } from '../core/errors.js';
import { InputReceiver } from '../netcode/input-buffer.js';
import { MAX_UNRELIABLE_BYTES, MsgType } from '../wire/protocol.js';
import type { Schema, State } from '../snapshot/schema.js';
import type { QState } from '../snapshot/qstate.js';
import type { ReplicationContext } from './replication-context.js';
import { SnapshotEncoder } from '../snapshot/encoder.js';
import { SNAPSHOT_PACKET_BUDGET, wrapSnapshot } from '../wire/snapshot-frame.js';
import { AckTracker, SnapshotHistory } from '../snapshot/history.js';
import { startTicker } from './ticker.js';
import { filterState, type InterestFilter } from './interest.js';
import { RewindHistory } from './rewind.js';
import { ValueSender } from './value-sender.js';

/** Inputs a client may have delivered in one burst: the redundancy window of an INPUT packet. */
export const INPUT_BURST = 32;

/** A client's tick is skipped while more than this is still queued on its unreliable channel. */
const STALE_QUEUE_BYTES = MAX_UNRELIABLE_BYTES;

/** Ticks of history kept (baselines, interest subsets, rewind). */
const HISTORY_TICKS = 64;

/** At most one tick-time error event per this many ms (a state broken in place would repeat every tick). */
const ERROR_EVERY_MS = 1000;

interface ClientState {
  acks: AckTracker;
  inputs: InputReceiver<unknown>;
  /** Newest input seq the last setState() includes. */
  inputAck: number;
  snapshotBytes: number;
  snapshotsSkipped: number;
  inputDecodeErrors: number;
  /** Inputs this client may still have delivered (refilled each tick). */
  inputAllowance: number;
  inputsDropped: number;
  /** Host time this client showed when it sent the input being handled (lag compensation). */
  viewTimeMs: number | undefined;
  /** With an interest filter: the subsets this client was sent, by tick. */
  subsets: SnapshotHistory<QState> | undefined;
  values: ValueSender;
  /** Acks of older ticks are ignored (they name baselines from before the interest filter was cleared). */
  minAck: number;
}

/** Per-client replication figures on the host. */
export interface HostReplicationStats {
  /** Bytes of the last snapshot sent to this client (all parts, headers included). */
  snapshotBytes: number;
  /** Inputs that never arrived (every redundant copy lost). */
  inputsLost: number;
  /** Ticks not sent to this client because its previous snapshot was still queued (latest wins). */
  snapshotsSkipped: number;
  /** Inputs over this client's allowance (`maxInputsPerSecond`) or from a spectator, dropped before onInput. */
  inputsDropped: number;
  /** Bytes of values sent by reference over the reliable channel to this client, in all. */
  valueBytes: number;
}

/** Replication options beyond the tick rate and schema. */
export interface HostReplicationOptions {
  /** Longest lag-compensation rewind, ms. Default: 250. */
  maxRewindMs?: number;
}

/** Drives snapshots and inputs for a hosting session. */
export class HostReplication {
  private readonly encoder: SnapshotEncoder;
  private readonly clients = new Map<string, ClientState>();
  private readonly inputs: Emitter<{ input: [input: unknown, fromId: string] }>;
  private state: State | undefined;
  private tick = 0;
  private readonly ticker;
  private readonly inputsPerTick: number;
  private interest: InterestFilter | undefined;
  private readonly rewind: RewindHistory;
  private lastErrorMs = -Infinity;

  /** `from`: a member that took over starts from the state and tick it had (so ticks go on from there). */
  constructor(private readonly session: ReplicationContext, readonly tickRateHz: number, schema: Schema | undefined, maxInputsPerSecond = 120, from?: { state: State | undefined; tick: number }, options: HostReplicationOptions = {}) {
    if (!(tickRateHz > 0 && tickRateHz <= 120)) throw new HostmeshError('INVALID_ARGUMENT', 'tickRateHz must be between 1 and 120.');
    if (!(maxInputsPerSecond > 0)) throw new HostmeshError('INVALID_ARGUMENT', 'maxInputsPerSecond must be a positive number.');
    const maxRewindMs = options.maxRewindMs ?? 250;
    if (!(maxRewindMs >= 0 && maxRewindMs <= 2000)) throw new HostmeshError('INVALID_ARGUMENT', 'maxRewindMs must be between 0 and 2000.');
    this.inputsPerTick = maxInputsPerSecond / tickRateHz;
    this.inputs = new Emitter((_, err) => session.reportError(handlerFailed('An onInput handler', err)));
    this.encoder = new SnapshotEncoder({ ...(schema ? { schema } : {}), budgetBytes: SNAPSHOT_PACKET_BUDGET, historyTicks: HISTORY_TICKS });
    this.rewind = new RewindHistory(schema, maxRewindMs, Math.min(HISTORY_TICKS, Math.ceil((maxRewindMs * tickRateHz) / 1000) + 2), (t) => this.encoder.quantizedAt(t));
    if (from) {
      // The state a member decoded is sendable (it came through the codec); a bad one is refused at the next tick, not here.
      this.state = from.state;
      this.tick = Math.max(0, Math.floor(from.tick));
    }
    session.internal.on('frame', (type, body, fromId) => this.onFrame(type, body, fromId));
    session.internal.on('linkClosed', (id) => this.clients.delete(id));
    session.internal.on('relinked', (id) => this.clients.delete(id)); // a returning member starts from a full snapshot
    this.ticker = startTicker(1000 / tickRateHz, () => this.sendSnapshots());
    session.addCleanup(() => this.ticker.stop());
  }

  /** Sets the authoritative state sent from the next tick on; throws INVALID_ARGUMENT (naming the entity and field) for what cannot be replicated. */
  setState(state: State): void {
    if (typeof state !== 'object' || state === null || Array.isArray(state))
      throw new HostmeshError('INVALID_ARGUMENT', "setState(state): state must be an object of entities, e.g. { p1: { x: 0, y: 0 } }; values that are not entities go in one of their own, e.g. { game: { turn: 'p1' } }.");
    this.encoder.check(state);
    this.state = state;
    for (const c of this.clients.values()) c.inputAck = c.inputs.lastSeq;
  }

  /** The tick of the newest snapshot committed. */
  get currentTick(): number {
    return this.tick;
  }

  /** The last state set. */
  getState(): State {
    return this.state ?? {};
  }

  /** Subscribes to clients' inputs (and the host's own, from sendInput). */
  onInput(cb: (input: unknown, fromId: string) => void): () => void {
    return this.inputs.on('input', cb);
  }

  /** The host's own input goes straight to the onInput handlers. */
  sendInput(input: unknown): void {
    this.inputs.emit('input', input, this.session.selfId);
  }

  /** Sets (or, with null, clears) the filter deciding which entities each client receives. */
  setInterest(filter: InterestFilter | null): void {
    if (filter !== null && typeof filter !== 'function') throw new HostmeshError('INVALID_ARGUMENT', 'setInterest(filter): pass a function (clientId, entityId, entity) => boolean, or null.');
    if (filter === null && this.interest) {
      // Clients acked subsets: their next snapshot is full, and acks of earlier ticks no longer name a baseline.
      for (const c of this.clients.values()) { c.subsets = undefined; c.acks.reset(); c.minAck = this.tick + 1; }
    }
    this.interest = filter ?? undefined;
  }

  /**
   * The state as client `clientId` showed it at host time `hostTimeMs` (default: when it sent the
   * input being handled now), rewound at most maxRewindMs; undefined before the first tick.
   */
  stateAt(clientId: string, hostTimeMs?: number): State | undefined {
    const t = hostTimeMs ?? this.clients.get(clientId)?.viewTimeMs ?? performance.now();
    return this.rewind.at(t, performance.now());
  }

  /** Figures for one client. */
  statsFor(id: string): HostReplicationStats {
    const c = this.clients.get(id);
    return { snapshotBytes: c?.snapshotBytes ?? 0, inputsLost: c?.inputs.lost ?? 0, snapshotsSkipped: c?.snapshotsSkipped ?? 0, inputsDropped: c?.inputsDropped ?? 0, valueBytes: c?.values.bytesSent ?? 0 };
  }

  private client(id: string): ClientState {
    let c = this.clients.get(id);
    if (!c) {
      c = { acks: new AckTracker(), inputs: new InputReceiver(), inputAck: 0, snapshotBytes: 0, snapshotsSkipped: 0, inputDecodeErrors: 0, inputAllowance: INPUT_BURST, inputsDropped: 0, viewTimeMs: undefined, subsets: undefined, values: new ValueSender(), minAck: 0 };
      this.clients.set(id, c);
    }
    return c;
  }

  private onFrame(type: number, body: unknown, fromId: string): void {
    const spectator = this.session.spectators.has(fromId);
    if (!spectator && !this.session.roster.has(fromId)) return;
    if (type === MsgType.SNAPSHOT_ACK) {
      const c = this.client(fromId), k = (body as { k?: unknown } | null)?.k;
      if (typeof k === 'number' && k >= c.minAck) c.acks.ack(k, this.encoder.tick ?? -1);
    } else if (type === MsgType.INPUT) {
      const c = this.client(fromId);
      if (spectator) { c.inputsDropped++; return; } // spectators watch; they do not play
      let fresh;
      try { fresh = c.inputs.receive(body); } catch { c.inputDecodeErrors++; return; }
      const p = body as { s: number; i: unknown[]; w?: unknown; v?: unknown };
      const first = p.s - p.i.length + 1, w = typeof p.w === 'number' && Number.isFinite(p.w) ? p.w : undefined;
      for (const { seq, input } of fresh) {
        if (c.inputAllowance < 1) { c.inputsDropped++; continue; }
        c.inputAllowance--;
        const v = w !== undefined && Array.isArray(p.v) ? (p.v[seq - first] as unknown) : undefined;
        c.viewTimeMs = typeof v === 'number' && Number.isFinite(v) ? (w as number) + v / 100 : undefined;
        this.inputs.emit('input', input, fromId);
      }
      c.viewTimeMs = undefined;
    }
  }

  /** Reports a failure on the tick timer as an `error` event, at most once per second. */
  private tickFailed(err: unknown): void {
    const now = performance.now();
    if (now - this.lastErrorMs < ERROR_EVERY_MS) return;
    this.lastErrorMs = now;
    const error = err instanceof HostmeshError ? err : handlerFailed('Sending the snapshot', err);
    this.session.reportError(new HostmeshError(error.code, `The state could not be sent this tick (the last good one stays): ${error.message}`, { cause: err }));
  }

  private sendSnapshots(): void {
    if (this.session.isClosed) return;
    this.session.events.emit('tick', this.tick + 1, 1000 / this.tickRateHz);
    for (const c of this.clients.values()) c.inputAllowance = Math.min(INPUT_BURST, c.inputAllowance + this.inputsPerTick);
    if (this.session.isClosed || this.state === undefined) return;
    try {
      this.encoder.commit(this.tick + 1, this.state);
    } catch (err) {
      this.tickFailed(err); // changed in place into something setState() refuses: keep the last good tick
      return;
    }
    const tick = ++this.tick;
    const now = performance.now();
    this.rewind.record(tick, now);
    const full = this.encoder.quantizedAt(tick) as QState;
    for (const [id, link] of this.session.links) {
      if (!link.ready || !(this.session.roster.has(id) || this.session.spectators.has(id))) continue;
      const c = this.client(id);
      // Latest wins: while an older snapshot still waits in the send queue (congestion), a newer
      // one would only queue behind it; skip this tick for this client instead.
      if (link.unreliableBufferedAmount > STALE_QUEUE_BYTES) { c.snapshotsSkipped++; continue; }
      try {
        let cur = full, packets: Uint8Array[];
        if (this.interest) {
          c.subsets ??= new SnapshotHistory<QState>(HISTORY_TICKS);
          const acked = c.acks.ackedTick, base = acked === undefined ? undefined : c.subsets.get(acked);
          cur = filterState(full, this.state, id, this.interest, c.subsets.get(c.subsets.newestTick ?? -1));
          c.subsets.set(tick, cur);
          packets = this.encoder.encodeSubset(tick, cur, base && { tick: acked as number, state: base });
        } else packets = this.encoder.encodeFor(c.acks.ackedTick);
        c.values.sendFor(cur, link); // referenced values first, on the reliable channel
        let bytes = 0;
        for (const packet of packets) {
          const body = wrapSnapshot(packet, c.inputAck, now);
          if (link.sendUnreliable(MsgType.SNAPSHOT, body)) bytes += body.length + 1;
        }
        c.snapshotBytes = bytes;
      } catch (err) {
        this.tickFailed(err);
      }
    }
  }
}
