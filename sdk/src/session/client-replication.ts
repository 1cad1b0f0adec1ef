/**
 * Client-side replication: decodes snapshot packets (each alone), acknowledges complete
 * snapshots so the host can send deltas, buffers them for interpolation on the host's clock
 * (estimated from heartbeat pongs), sends inputs redundantly on the unreliable channel, and,
 * when the game supplies `applyInput`, predicts the local player's entity and reconciles it
 * with each authoritative snapshot.
 */
import { ClockSync } from '../netcode/clock.js';
import { HostmeshError } from '../core/errors.js';
import { InputSender } from '../netcode/input-buffer.js';
import { Interpolator } from '../netcode/interpolation.js';
import type { Link } from '../link/link.js';
import { Predictor } from '../netcode/prediction.js';
import { MsgType } from '../wire/protocol.js';
import type { Entity, Schema, State } from '../snapshot/schema.js';
import type { ReplicationContext } from './replication-context.js';
import { SnapshotDecoder } from '../snapshot/decoder.js';
import { unwrapSnapshot } from '../wire/snapshot-frame.js';
import { MAX_NAME_LENGTH } from '../snapshot/qentity.js';

/** Inputs whose view times are remembered (the redundancy window of an INPUT packet). */
const VIEW_TIMES = 32;

/** Client-side prediction of the local player's entity. */
export interface PredictionOptions<I = unknown> {
  /** Pure: the entity after `input`; the host must apply inputs the same way. */
  applyInput: (entity: Entity, input: I) => Entity;
  /** Id of the predicted entity. Default: our player id. */
  entityId?: string;
}

/** Per-host replication figures on a client. */
export interface ClientReplicationStats {
  /** Bytes of the last snapshot received (all parts, headers included). */
  snapshotBytes: number;
  /** Current interpolation delay, ms. */
  interpolationDelayMs: number;
  /** Snapshot packets dropped (malformed, or no baseline). */
  snapshotDrops: number;
}

/** Receives snapshots and sends inputs for a client session. */
export class ClientReplication {
  private decoder: SnapshotDecoder;
  private interpolator: Interpolator;
  private clock = new ClockSync();
  private readonly offFrame: () => void;
  private latestTick = 0;
  private readonly inputs = new InputSender<unknown>({ maxInputsPerPacket: 32 });
  private predictor: Predictor<Entity, unknown> | undefined;
  private predictedId = '';
  private predictedSeen = false;
  private latest: State = {};
  /** Host time shown when each recent input was sent, by seq modulo VIEW_TIMES. */
  private readonly viewTimes: number[] = [];
  private latestOffset: number | undefined;
  private latestAtMs = -Infinity;
  private bytesTick = -1;
  private bytes = 0;
  private lastBytes = 0;
  private drops = 0;

  constructor(private readonly session: ReplicationContext, private hostLink: Link, readonly tickRateHz: number, private readonly schema: Schema | undefined, private readonly maxDelayMs = 500) {
    const s = schema ? { schema } : {};
    this.decoder = new SnapshotDecoder(s);
    this.interpolator = new Interpolator({ ...s, snapshotIntervalMs: 1000 / tickRateHz, maxDelayMs });
    this.listenPongs(hostLink);
    this.offFrame = session.internal.on('frame', (type, body, fromId) => {
      if (fromId !== session.hostId) return;
      if (type === MsgType.SNAPSHOT && body instanceof Uint8Array) this.onSnapshot(body);
      else if (type === MsgType.STATE_VALUE) this.onValue(body);
    });
  }

  /** Continues over a new link to the host (after a reconnect): inputs not yet acknowledged go out again on it. */
  rebind(link: Link): void {
    this.hostLink = link;
    this.listenPongs(link);
  }

  /**
   * Follows a new host (a migration): its snapshots start from a new baseline and its clock is
   * another process's, so decoding, interpolation and clock sync start over; the newest state
   * stays readable until its first snapshot, and inputs it has not acknowledged go out to it.
   */
  follow(link: Link): void {
    const s = this.schema ? { schema: this.schema } : {};
    this.decoder = new SnapshotDecoder(s);
    this.interpolator = new Interpolator({ ...s, snapshotIntervalMs: 1000 / this.tickRateHz, maxDelayMs: this.maxDelayMs });
    this.clock = new ClockSync();
    this.latestOffset = undefined;
    this.rebind(link);
    const packet = this.inputs.packet();
    if (packet) link.sendUnreliable(MsgType.INPUT, packet);
  }

  /** Tick of the newest complete snapshot (0 before the first). */
  get lastTick(): number {
    return this.latestTick;
  }

  /** Stops listening (the member took over as host). */
  dispose(): void {
    this.offFrame();
  }

  /** Performance.now of the newest complete snapshot (-Infinity before the first). */
  get lastSnapshotMs(): number {
    return this.latestAtMs;
  }

  private listenPongs(link: Link): void {
    link.on('pong', (sent, hostMs, received) => this.clock.addSample(sent, hostMs, received));
  }

  /** Interpolated view of the world for now (the predicted entity at its predicted state). */
  getState(): State {
    const view = this.interpolator.sample(this.hostNow()) ?? this.latest;
    if (!this.predictor || !this.predictedSeen || !(this.predictedId in this.latest)) return view;
    return { ...view, [this.predictedId]: this.predictor.state };
  }

  /** What the last getState() showed: its host render time, and whether it blended two snapshots (false: held or extrapolated). */
  get lastView(): { renderTimeMs: number | undefined; interpolated: boolean } {
    return { renderTimeMs: this.interpolator.renderTimeMs, interpolated: this.interpolator.interpolating };
  }

  /** Newest complete authoritative state. */
  latestState(): State {
    return this.latest;
  }

  /** Sends `input` to the host (unreliable, with the last unacknowledged inputs), predicting it when enabled; each carries the host time we last showed (lag compensation). */
  sendInput(input: unknown): void {
    const seq = this.inputs.push(input, this.predictor ? this.predictor.input(input) : undefined);
    const now = this.hostNow();
    const shown = this.interpolator.renderTimeMs;
    // What the player saw: the last rendered view, unless the game has not sampled one lately.
    this.viewTimes[seq % VIEW_TIMES] = shown !== undefined && now - shown < 1000 ? shown : now - this.interpolator.delayMs;
    const packet = this.inputs.packet();
    if (!packet) return;
    // View times as the newest one (w) and offsets from it in 0.01 ms (small integers on the wire).
    const w = this.viewTimes[packet.s % VIEW_TIMES] as number, v: number[] = [];
    for (let q = packet.s - packet.i.length + 1; q <= packet.s; q++) v.push(Math.round(((this.viewTimes[q % VIEW_TIMES] ?? w) - w) * 100));
    try {
      this.hostLink.sendUnreliable(MsgType.INPUT, { ...packet, w, v });
    } catch {
      this.hostLink.sendUnreliable(MsgType.INPUT, packet); // no room for the view times: the host rewinds to when it got them
    }
  }

  /** Enables prediction of our entity; call before the first sendInput. */
  setPrediction<I>(options: PredictionOptions<I>): void {
    if (typeof options?.applyInput !== 'function') throw new HostmeshError('INVALID_ARGUMENT', 'setPrediction({ applyInput }) needs an applyInput(entity, input) function.');
    if (this.inputs.unacked > 0 || this.predictor) throw new HostmeshError('INVALID_ARGUMENT', 'Call setPrediction() once, before the first sendInput().');
    this.predictedId = options.entityId ?? this.session.selfId;
    this.predictor = new Predictor<Entity, unknown>({ initialState: {}, applyInput: (e, i) => options.applyInput(e, i as I) });
  }

  /** Figures for the host link. */
  stats(): ClientReplicationStats {
    const d = this.decoder.stats;
    const dropped = Object.values(d.dropped).reduce((a, b) => a + b, 0);
    return { snapshotBytes: this.lastBytes, interpolationDelayMs: this.interpolator.delayMs, snapshotDrops: this.drops + d.malformed + dropped };
  }

  private hostNow(): number {
    const now = performance.now();
    if (this.clock.synced || this.latestOffset === undefined) return this.clock.hostNow(now);
    return now + this.latestOffset; // before the first pong: trust the newest snapshot's stamp
  }

  /** A value sent by reference: kept for the snapshots that name it. */
  private onValue(body: unknown): void {
    const b = body as { i?: unknown; f?: unknown; k?: unknown; d?: unknown } | null;
    if (typeof b !== 'object' || b === null || typeof b.i !== 'string' || typeof b.f !== 'string' || typeof b.k !== 'number' || !(b.d instanceof Uint8Array)) { this.drops++; return; }
    if (b.i.length > MAX_NAME_LENGTH || b.f.length > MAX_NAME_LENGTH || !this.decoder.values.put(b.i, b.f, b.k, b.d)) this.drops++;
  }

  private onSnapshot(body: Uint8Array): void {
    let frame;
    try { frame = unwrapSnapshot(body); } catch { this.drops++; return; }
    const now = performance.now();
    let receipt;
    try { receipt = this.decoder.receive(frame.packet, now); } catch { return; } // counted by the decoder
    this.countBytes(receipt.tick, body.length + 1);
    if (receipt.ackTick !== undefined) this.hostLink.sendUnreliable(MsgType.SNAPSHOT_ACK, { k: receipt.ackTick });
    if (!receipt.complete || !receipt.state) return;
    this.latest = receipt.state;
    this.latestTick = receipt.tick;
    this.latestAtMs = now;
    this.latestOffset = frame.hostTimeMs - now;
    this.inputs.ack(frame.inputAck);
    this.interpolator.push(receipt.tick, frame.hostTimeMs, receipt.state, this.hostNow());
    const own = receipt.state[this.predictedId];
    if (this.predictor && own) {
      this.predictor.reconcile(own, frame.inputAck);
      this.predictedSeen = true;
    }
    this.session.events.emit('snapshot', receipt.state, receipt.tick);
  }

  private countBytes(tick: number, bytes: number): void {
    if (tick !== this.bytesTick) {
      if (this.bytesTick >= 0) this.lastBytes = this.bytes;
      this.bytesTick = tick;
      this.bytes = 0;
    }
    this.bytes += bytes;
  }
}
