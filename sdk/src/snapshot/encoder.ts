/**
 * Host-side snapshot encoder: quantized history, delta against the client's acked tick, and
 * packets that each fit the unreliable budget and decode alone.
 *
 * `commit(tick, state)` quantizes the authoritative state once per tick and keeps the last
 * `historyTicks` of them. `encodeFor(ackedTick)` compares the newest tick with the acked one
 * (a full snapshot when there is none): removed and changed entities are named by their index
 * in the baseline's sorted id list (the client sorts the same list), added ones by id. Before
 * writing, it picks per-slot Exp-Golomb orders that minimize this tick's bits, then fills
 * packets greedily with whole entities; a record that overflows is rewound and starts the next
 * part. Packets for the same (tick, baseline) are cached, so clients with the same ack share them.
 * Read more: Gaffer on Games, "Snapshot Compression" and "Snapshots and Interpolation".
 */
import { bitLength, zigzag } from './bitpack.js';
import { deltaCode, maskCode } from './compiled/records.js';
import { HostmeshError } from '../core/errors.js';
import { MAX_UNRELIABLE_BYTES } from '../wire/protocol.js';
import type { QEntity } from './qentity.js';
import { quantizeState, sameQEntity } from './quantize.js';
import { EMPTY_QSTATE, type QState } from './qstate.js';
import { compileSchema, MAX_SCHEMA_SLOTS, SlotKind, type CompiledSchema, type Schema, type Slot, type State } from './schema.js';
import { usesAbsK, type PacketHeader } from './format.js';
import { packSnapshot, type Sections } from './packer.js';
import { deltaCompatible } from './records.js';
import { angleDiff, quatDiffs } from './slot-codec.js';
import { SnapshotHistory } from './history.js';

/** Default packet budget: the unreliable limit minus room for the session's type byte and slack. */
export const DEFAULT_SNAPSHOT_BUDGET_BYTES = MAX_UNRELIABLE_BYTES - 4;

/** Histogram row per slot: counts by bit length (0..53), then 1 + the largest bit length counted (0: none). */
const HIST = 55;
const TOP = HIST - 1;
const absHist = new Int32Array(MAX_SCHEMA_SLOTS * HIST);
const deltaHist = new Int32Array(MAX_SCHEMA_SLOTS * HIST);
const gapHist = new Int32Array(HIST);

function count(hist: Int32Array, at: number, v: number): void {
  const b = bitLength(v), i = at + b;
  hist[i] = (hist[i] as number) + 1;
  if (b >= (hist[at + TOP] as number)) hist[at + TOP] = b + 1;
}

/**
 * Exp-Golomb order (0..15) minimizing the bits of the values counted (by bit length) at `hist[at..]`; clears them.
 * A value of bit length b costs k + 1 bits when b ≤ k + 1, else 2b − 1 − k: raising k by one adds a bit
 * to every value of length ≤ k + 1 and saves one on every longer value, so the cost is convex in k and
 * the best k is the first where the short values are at least as many as the long ones.
 */
function bestK(hist: Int32Array, at: number): number {
  const hi = (hist[at + TOP] as number) - 1;
  if (hi < 0) return 0;
  hist[at + TOP] = 0;
  let total = 0;
  for (let b = 0; b <= hi; b++) total += hist[at + b] as number;
  const last = Math.min(15, hi);
  let best = last, below = (hist[at] as number) + (hi >= 1 ? (hist[at + 1] as number) : 0);
  for (let k = 0; k < last; k++) {
    if (2 * below >= total) { best = k; break; }
    if (k + 2 <= hi) below += hist[at + k + 2] as number;
  }
  hist.fill(0, at, at + hi + 1);
  return best;
}

const absMasks = new WeakMap<CompiledSchema, number>();

/** Mask of the slots whose absolute values use an Exp-Golomb order. */
function absSlots(schema: CompiledSchema): number {
  let m = absMasks.get(schema);
  if (m === undefined) {
    m = 0;
    schema.slots.forEach((s, i) => { if (usesAbsK(s.kind)) m = (m as number) | (1 << i); });
    absMasks.set(schema, m);
  }
  return m;
}

/** Slots with values counted in the histograms since the last `bestK` pass (bit masks). */
let absUsed = 0, deltaUsed = 0;

function countAbs(schema: CompiledSchema, e: QEntity): void {
  const code = maskCode(schema, e.mask);
  if (code) {
    code.count(absHist, HIST, e.v);
    absUsed |= e.mask & absSlots(schema);
    return;
  }
  for (let i = 0, m = e.mask; m !== 0; i++, m >>>= 1) {
    if (m & 1 && usesAbsK((schema.slots[i] as Slot).kind)) { count(absHist, i * HIST, zigzag(e.v[i] as number)); absUsed |= 1 << i; }
  }
}

function countDelta(schema: CompiledSchema, c: QEntity, b: QEntity): void {
  let changed = 0;
  for (let i = 0, m = c.mask; m !== 0; i++, m >>>= 1) if (m & 1 && c.v[i] !== b.v[i]) changed |= 1 << i;
  const code = changed === 0 ? undefined : deltaCode(schema, changed);
  if (code) {
    code.count(deltaHist, HIST, c.v, b.v);
    deltaUsed |= changed;
    return;
  }
  for (let i = 0, m = c.mask; m !== 0; i++, m >>>= 1) {
    if (!(m & 1) || c.v[i] === b.v[i]) continue;
    const slot = schema.slots[i] as Slot, at = i * HIST;
    deltaUsed |= 1 << i;
    const cv = c.v[i] as number, bv = b.v[i] as number;
    if (slot.kind === SlotKind.FLOAT || slot.kind === SlotKind.INT) count(deltaHist, at, zigzag(cv - bv));
    else if (slot.kind === SlotKind.ANGLE) count(deltaHist, at, zigzag(angleDiff(cv, bv, slot.bits)));
    else if (slot.kind === SlotKind.QUAT) {
      const d = quatDiffs(cv, bv, slot.bits);
      if (d) for (let j = 0; j < 3; j++) count(deltaHist, at, zigzag(d[j] as number));
    }
  }
}

/** Encodes quantized `cur` at `tick` as a delta against `baseline` (or full), in packets of ≤ `budgetBytes`. */
export function encodeQuantized(
  schema: CompiledSchema, tick: number, cur: QState, baseline: { tick: number; state: QState } | undefined, budgetBytes: number,
): Uint8Array[] {
  if (!Number.isSafeInteger(tick) || tick < 0) throw new HostmeshError('INVALID_ARGUMENT', `Snapshot tick ${tick} must be a non-negative integer.`);
  if (baseline && !(Number.isSafeInteger(baseline.tick) && baseline.tick >= 0 && baseline.tick < tick))
    throw new HostmeshError('INVALID_ARGUMENT', `Baseline tick ${baseline.tick} must be an integer older than tick ${tick}.`);
  const base = baseline?.state;
  const { removed, changed, changedAt, added } = sections;
  if (removed.length) removed.length = 0;
  if (changed.length) changed.length = changedAt.length = 0;
  if (added.length) added.length = 0;
  const cIds = cur.ids, cEnts = cur.entities;
  let full = 0, deltas = 0;
  const change = (i: number, j: number, c: QEntity, b: QEntity): void => {
    changed.push(i);
    changedAt.push(j);
    if (deltaCompatible(c, b)) { deltas++; countDelta(schema, c, b); }
    else { full++; countAbs(schema, c); }
  };
  if (base && base.ids === cIds) {
    // The same ids (one shared array): walk the two entity lists side by side.
    const bEnts = base.entities;
    for (let i = 0, prev = -1; i < cIds.length; i++) {
      const c = cEnts[i] as QEntity, b = bEnts[i] as QEntity;
      if (c === b || sameQEntity(c, b)) continue;
      change(i, i, c, b);
      count(gapHist, 0, i - prev - 1);
      prev = i;
    }
  } else if (base) {
    // Merge the two sorted id lists: ids only in the baseline were removed, ids only in `cur` added.
    const bIds = base.ids, bEnts = base.entities;
    let j = 0;
    for (let i = 0, prev = -1; i < bIds.length; i++) {
      const id = bIds[i] as string;
      while (j < cIds.length && (cIds[j] as string) < id) added.push(j++);
      if (j < cIds.length && cIds[j] === id) {
        const c = cEnts[j] as QEntity, b = bEnts[i] as QEntity;
        j++;
        if (c === b || sameQEntity(c, b)) continue;
        change(i, j - 1, c, b);
      } else removed.push(i);
      count(gapHist, 0, i - prev - 1);
      prev = i;
    }
    while (j < cIds.length) added.push(j++);
  } else for (let j = 0; j < cIds.length; j++) added.push(j);
  for (const j of added) { full++; countAbs(schema, cEnts[j] as QEntity); }
  const n = schema.slots.length;
  const absK = absKScratch, deltaK = deltaKScratch;
  if (absK.length !== n) absK.length = deltaK.length = n;
  for (let i = 0; i < n; i++) {
    absK[i] = (absUsed >>> i) & 1 ? bestK(absHist, i * HIST) : 0;
    deltaK[i] = (deltaUsed >>> i) & 1 ? bestK(deltaHist, i * HIST) : 0;
  }
  absUsed = deltaUsed = 0;
  const header: PacketHeader = {
    tick, baseTick: baseline ? baseline.tick : -1, partIndex: 0, partCount: 1, gapK: bestK(gapHist, 0),
    absK: full > 0 ? absK : null, deltaK: deltas > 0 ? deltaK : null,
    removed: removed.length, changed: changed.length, added: added.length,
  };
  sections.cur = cur;
  sections.base = base;
  try {
    return packSnapshot(schema, header, sections, budgetBytes);
  } finally {
    sections.cur = EMPTY_QSTATE; // keep no state alive between calls
    sections.base = undefined;
  }
}

/** Scratch reused by every call (encoding is synchronous): sections and code tables. */
const sections: Sections = { removed: [], changed: [], changedAt: [], added: [], cur: EMPTY_QSTATE, base: undefined };
const absKScratch: number[] = [], deltaKScratch: number[] = [];

/** Options of `SnapshotEncoder`. */
export interface SnapshotEncoderOptions {
  /** Field quantization. Default: `defaultSchema`. */
  schema?: Schema;
  /** Ticks of history kept as possible baselines. Default: 64. */
  historyTicks?: number;
  /** Largest packet, bytes. Default: DEFAULT_SNAPSHOT_BUDGET_BYTES (1096). */
  budgetBytes?: number;
}

const defaults = { historyTicks: 64, budgetBytes: DEFAULT_SNAPSHOT_BUDGET_BYTES } as const;

/** Host-side encoder: one per session, shared by all clients. */
export class SnapshotEncoder {
  private readonly schema: CompiledSchema;
  private readonly history: SnapshotHistory<QState>;
  private readonly budgetBytes: number;
  /** Packets of the newest tick by baseline tick (-1: full), as an array: cleared every tick, a Map would churn. */
  private cache: { key: number; packets: Uint8Array[] }[] = [];

  constructor(options: SnapshotEncoderOptions = {}) {
    this.schema = compileSchema(options.schema);
    const historyTicks = options.historyTicks ?? defaults.historyTicks;
    this.budgetBytes = options.budgetBytes ?? defaults.budgetBytes;
    if (!Number.isInteger(historyTicks) || historyTicks < 1) throw new HostmeshError('INVALID_ARGUMENT', 'historyTicks must be a positive integer.');
    if (!Number.isInteger(this.budgetBytes) || this.budgetBytes < 32) throw new HostmeshError('INVALID_ARGUMENT', 'budgetBytes must be an integer of at least 32.');
    this.history = new SnapshotHistory(historyTicks);
  }

  /** Newest committed tick, or undefined before the first commit. */
  get tick(): number | undefined {
    return this.history.newestTick;
  }

  /** Quantizes and records the authoritative `state` for `tick` (ticks must increase). */
  commit(tick: number, state: State): void {
    const newest = this.history.newestTick;
    if (!Number.isSafeInteger(tick) || tick < 0 || (newest !== undefined && tick <= newest))
      throw new HostmeshError('INVALID_ARGUMENT', `commit(tick): tick ${tick} must be an integer greater than the last committed tick ${newest}.`);
    const prev = newest === undefined ? undefined : this.history.get(newest);
    this.history.set(tick, quantizeState(this.schema, state, prev, tick));
    this.cache.length = 0;
  }

  /** Throws INVALID_ARGUMENT (naming the entity and field) unless `state` can be committed; changes nothing. */
  check(state: State): void {
    const newest = this.history.newestTick;
    quantizeState(this.schema, state, newest === undefined ? undefined : this.history.get(newest), (newest ?? 0) + 1);
  }

  /** Packets of `cur` (a subset of tick `tick`'s state, e.g. one client's interest) as a delta against `baseline` (that client's acked subset), or full. */
  encodeSubset(tick: number, cur: QState, baseline: { tick: number; state: QState } | undefined): Uint8Array[] {
    return encodeQuantized(this.schema, tick, cur, baseline, this.budgetBytes);
  }

  /** The quantized state kept for `tick`, if any. */
  quantizedAt(tick: number): QState | undefined {
    return this.history.get(tick);
  }

  /** Packets of the newest tick for a client that acked `ackedTick`: a delta when that tick is still kept, else full. */
  encodeFor(ackedTick?: number): Uint8Array[] {
    const tick = this.history.newestTick;
    if (tick === undefined) throw new HostmeshError('INVALID_ARGUMENT', 'encodeFor() needs a committed state: call commit(tick, state) first.');
    const baseState = ackedTick !== undefined && ackedTick < tick ? this.history.get(ackedTick) : undefined;
    const key = baseState ? (ackedTick as number) : -1;
    let packets = this.cache.find((c) => c.key === key)?.packets;
    if (!packets) {
      const baseline = baseState ? { tick: ackedTick as number, state: baseState } : undefined;
      packets = encodeQuantized(this.schema, tick, this.history.get(tick) as QState, baseline, this.budgetBytes);
      this.cache.push({ key, packets });
    }
    return packets;
  }
}

/** One-shot encode of `state` at `tick` (delta against `baseline` when given). */
export function encodeSnapshot(options: {
  tick: number; state: State; baseline?: { tick: number; state: State }; budgetBytes?: number; schema?: Schema;
}): Uint8Array[] {
  const schema = compileSchema(options.schema);
  const baseline = options.baseline ? { tick: options.baseline.tick, state: quantizeState(schema, options.baseline.state) } : undefined;
  return encodeQuantized(schema, options.tick, quantizeState(schema, options.state, baseline?.state, options.tick), baseline, options.budgetBytes ?? DEFAULT_SNAPSHOT_BUDGET_BYTES);
}
