/**
 * Host-side replication: the game sets the authoritative state; every tick the host commits
 * it to the snapshot history and sends each client a delta against the newest snapshot that
 * client acknowledged (full when none), split into packets that each fit one unreliable
 * frame. Clients' redundant INPUT packets are turned into each input exactly once, in order,
 * for the game's `onInput` handlers; the snapshot header tells each client which of its inputs
 * the state already includes. Each client's inputs pass an allowance refilled every tick
 * (`maxInputsPerSecond`, bursts up to the 32-input redundancy window): a client that sends
 * more (a speed hack) has the rest counted and dropped before the game sees them.
 */
import { Emitter } from '../core/emitter.js';
import { HostmeshError } from '../core/errors.js';
import { InputReceiver } from '../netcode/input-buffer.js';
import { MAX_UNRELIABLE_BYTES, MsgType } from '../wire/protocol.js';
import type { Schema, State } from '../snapshot/schema.js';
import type { ReplicationContext } from './replication-context.js';
import { SnapshotEncoder } from '../snapshot/encoder.js';
import { SNAPSHOT_PACKET_BUDGET, wrapSnapshot } from '../wire/snapshot-frame.js';
import { AckTracker } from '../snapshot/history.js';
import { startTicker } from './ticker.js';

/** Inputs a client may have delivered in one burst: the redundancy window of an INPUT packet. */
export const INPUT_BURST = 32;

/** A client's tick is skipped while more than this is still queued on its unreliable channel. */
const STALE_QUEUE_BYTES = MAX_UNRELIABLE_BYTES;

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
}

/** Per-client replication figures on the host. */
export interface HostReplicationStats {
  /** Bytes of the last snapshot sent to this client (all parts, headers included). */
  snapshotBytes: number;
  /** Inputs that never arrived (every redundant copy lost). */
  inputsLost: number;
  /** Ticks not sent to this client because its previous snapshot was still queued (latest wins). */
  snapshotsSkipped: number;
  /** Inputs over this client's allowance (`maxInputsPerSecond`), dropped before onInput. */
  inputsDropped: number;
}

/** Drives snapshots and inputs for a hosting session. */
export class HostReplication {
  private readonly encoder: SnapshotEncoder;
  private readonly clients = new Map<string, ClientState>();
  private readonly inputs = new Emitter<{ input: [input: unknown, fromId: string] }>();
  private state: State | undefined;
  private tick = 0;
  private readonly ticker;
  private readonly inputsPerTick: number;

  /** `from`: a member that took over starts from the state and tick it had (so ticks go on from there). */
  constructor(private readonly session: ReplicationContext, readonly tickRateHz: number, schema: Schema | undefined, maxInputsPerSecond = 120, from?: { state: State | undefined; tick: number }) {
    if (!(tickRateHz > 0 && tickRateHz <= 120)) throw new HostmeshError('INVALID_ARGUMENT', 'tickRateHz must be between 1 and 120.');
    if (!(maxInputsPerSecond > 0)) throw new HostmeshError('INVALID_ARGUMENT', 'maxInputsPerSecond must be a positive number.');
    this.inputsPerTick = maxInputsPerSecond / tickRateHz;
    this.encoder = new SnapshotEncoder({ ...(schema ? { schema } : {}), budgetBytes: SNAPSHOT_PACKET_BUDGET });
    if (from) { this.state = from.state; this.tick = Math.max(0, from.tick); }
    session.internal.on('frame', (type, body, fromId) => this.onFrame(type, body, fromId));
    session.internal.on('linkClosed', (id) => this.clients.delete(id));
    session.internal.on('relinked', (id) => this.clients.delete(id)); // a returning member starts from a full snapshot
    this.ticker = startTicker(1000 / tickRateHz, () => this.sendSnapshots());
    session.addCleanup(() => this.ticker.stop());
  }

  /** Sets the authoritative state sent from the next tick on. */
  setState(state: State): void {
    if (typeof state !== 'object' || state === null) throw new HostmeshError('INVALID_ARGUMENT', 'setState(state): state must be an object of entities, e.g. { p1: { x: 0, y: 0 } }.');
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

  /** Figures for one client. */
  statsFor(id: string): HostReplicationStats {
    const c = this.clients.get(id);
    return { snapshotBytes: c?.snapshotBytes ?? 0, inputsLost: c?.inputs.lost ?? 0, snapshotsSkipped: c?.snapshotsSkipped ?? 0, inputsDropped: c?.inputsDropped ?? 0 };
  }

  private client(id: string): ClientState {
    let c = this.clients.get(id);
    if (!c) this.clients.set(id, (c = { acks: new AckTracker(), inputs: new InputReceiver(), inputAck: 0, snapshotBytes: 0, snapshotsSkipped: 0, inputDecodeErrors: 0, inputAllowance: INPUT_BURST, inputsDropped: 0 }));
    return c;
  }

  private onFrame(type: number, body: unknown, fromId: string): void {
    if (!this.session.roster.has(fromId)) return;
    if (type === MsgType.SNAPSHOT_ACK) {
      this.client(fromId).acks.ack((body as { k?: unknown } | null)?.k, this.encoder.tick ?? -1);
    } else if (type === MsgType.INPUT) {
      const c = this.client(fromId);
      let fresh;
      try { fresh = c.inputs.receive(body); } catch { c.inputDecodeErrors++; return; }
      for (const { input } of fresh) {
        if (c.inputAllowance < 1) { c.inputsDropped++; continue; }
        c.inputAllowance--;
        this.inputs.emit('input', input, fromId);
      }
    }
  }

  private sendSnapshots(): void {
    if (this.session.isClosed) return;
    this.session.events.emit('tick', this.tick + 1, 1000 / this.tickRateHz);
    for (const c of this.clients.values()) c.inputAllowance = Math.min(INPUT_BURST, c.inputAllowance + this.inputsPerTick);
    if (this.session.isClosed || this.state === undefined) return;
    this.encoder.commit(++this.tick, this.state);
    const now = performance.now();
    for (const [id, link] of this.session.links) {
      if (!link.ready || !this.session.roster.has(id)) continue;
      const c = this.client(id);
      // Latest wins: while an older snapshot still waits in the send queue (congestion), a newer
      // one would only queue behind it; skip this tick for this client instead.
      if (link.unreliableBufferedAmount > STALE_QUEUE_BYTES) { c.snapshotsSkipped++; continue; }
      let bytes = 0;
      for (const packet of this.encoder.encodeFor(c.acks.ackedTick)) {
        const body = wrapSnapshot(packet, c.inputAck, now);
        if (link.sendUnreliable(MsgType.SNAPSHOT, body)) bytes += body.length + 1;
      }
      c.snapshotBytes = bytes;
    }
  }
}
