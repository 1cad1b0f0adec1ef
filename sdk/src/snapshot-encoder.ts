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
import { BitWriter, bitLength, zigzag } from './bitpack.js';
import { HostmeshError } from './errors.js';
import { MAX_UNRELIABLE_BYTES } from './protocol.js';
import { quantizeState, sameQEntity, type QEntity, type QState } from './quantize.js';
import { compileSchema, SlotKind, type CompiledSchema, type Schema, type State } from './schema.js';
import {
  angleDiff, deltaCompatible, MAX_PARTS, MAX_SECTION_RECORDS, patchHeader, quatDiffs, sortedIds, usesAbsK, usesDeltaK,
  writeDeltaBody, writeFull, writeHeader, type PacketHeader, type RecordContext,
} from './snapshot-format.js';
import { SnapshotHistory } from './snapshot-history.js';

/** Default packet budget: the unreliable limit minus room for the session's type byte and slack. */
export const DEFAULT_SNAPSHOT_BUDGET_BYTES = MAX_UNRELIABLE_BYTES - 4;

/** Exp-Golomb order (0..15) that minimizes the total bits of `values`, estimated from their bit lengths. */
function bestK(values: number[]): number {
  if (values.length === 0) return 0;
  const hist = new Int32Array(54);
  for (const v of values) hist[bitLength(v)] = (hist[bitLength(v)] as number) + 1;
  let best = 0, bestCost = Infinity;
  for (let k = 0; k < 16; k++) {
    let cost = 0;
    for (let b = 0; b < 54; b++) if (hist[b]) cost += (hist[b] as number) * (2 * Math.max(b, k + 1) - 1 - k);
    if (cost < bestCost) { bestCost = cost; best = k; }
  }
  return best;
}

function tooLarge(what: string, budgetBytes: number): HostmeshError {
  return new HostmeshError('MESSAGE_TOO_LARGE', `${what} does not fit one snapshot packet (${budgetBytes} bytes). Split it into smaller entities or move large fields out of the replicated state.`);
}

/** Encodes quantized `cur` at `tick` as a delta against `baseline` (or full), in packets of ≤ `budgetBytes`. */
export function encodeQuantized(
  schema: CompiledSchema, tick: number, cur: QState, baseline: { tick: number; state: QState } | undefined, budgetBytes: number,
): Uint8Array[] {
  if (!Number.isSafeInteger(tick) || tick < 0) throw new HostmeshError('INVALID_ARGUMENT', `Snapshot tick ${tick} must be a non-negative integer.`);
  if (baseline && !(Number.isSafeInteger(baseline.tick) && baseline.tick >= 0 && baseline.tick < tick))
    throw new HostmeshError('INVALID_ARGUMENT', `Baseline tick ${baseline.tick} must be an integer older than tick ${tick}.`);
  const base = baseline?.state;
  const baseIds = base ? sortedIds(base) : [];
  const removed: number[] = [], changed: number[] = [], added: string[] = [];
  if (base) {
    baseIds.forEach((id, i) => {
      const c = cur.get(id);
      if (!c) removed.push(i);
      else if (!sameQEntity(c, base.get(id) as QEntity)) changed.push(i);
    });
    for (const id of cur.keys()) if (!base.has(id)) added.push(id);
    added.sort();
  } else added.push(...sortedIds(cur));

  // Choose code orders from this tick's actual values.
  const n = schema.slots.length;
  const absVals: number[][] = Array.from({ length: n }, () => []);
  const deltaVals: number[][] = Array.from({ length: n }, () => []);
  const gaps: number[] = [];
  let full = 0, deltas = 0;
  const addAbs = (e: QEntity): void => {
    full++;
    for (let i = 0, m = e.mask; m !== 0; i++, m >>>= 1) if (m & 1 && usesAbsK(schema.slots[i]?.kind ?? 0)) absVals[i]?.push(zigzag(e.v[i] as number));
  };
  for (const list of [removed, changed]) list.forEach((idx, j) => gaps.push(idx - (j > 0 ? (list[j - 1] as number) : -1) - 1));
  for (const idx of changed) {
    const id = baseIds[idx] as string;
    const c = cur.get(id) as QEntity, b = base?.get(id) as QEntity;
    if (!deltaCompatible(c, b)) { addAbs(c); continue; }
    deltas++;
    for (let i = 0, m = c.mask; m !== 0; i++, m >>>= 1) {
      const slot = schema.slots[i];
      if (!(m & 1) || !slot || !usesDeltaK(slot.kind) || c.v[i] === b.v[i]) continue;
      const vals = deltaVals[i] as number[];
      if (slot.kind === SlotKind.ANGLE) vals.push(zigzag(angleDiff(c.v[i] as number, b.v[i] as number, slot.bits)));
      else if (slot.kind !== SlotKind.QUAT) vals.push(zigzag((c.v[i] as number) - (b.v[i] as number)));
      else for (const d of quatDiffs(c.v[i] as number, b.v[i] as number, slot.bits) ?? []) vals.push(zigzag(d));
    }
  }
  for (const id of added) addAbs(cur.get(id) as QEntity);
  const absK = absVals.map(bestK), deltaK = deltaVals.map(bestK);
  const header: PacketHeader = {
    tick, baseTick: baseline ? baseline.tick : -1, partIndex: 0, partCount: 1, gapK: bestK(gaps),
    absK: full > 0 ? absK : null, deltaK: deltas > 0 ? deltaK : null,
    removed: removed.length, changed: changed.length, added: added.length,
  };
  const sections = { removed, changed, added, baseIds, cur, base };
  return pack(schema, header, sections, budgetBytes, false) ?? (pack(schema, header, sections, budgetBytes, true) as Uint8Array[]);
}

interface Sections { removed: number[]; changed: number[]; added: string[]; baseIds: string[]; cur: QState; base: QState | undefined }

const writer = new BitWriter();

/** Writes all records; returns null when single-part mode overflows (the caller retries multi-part). */
function pack(schema: CompiledSchema, header: PacketHeader, s: Sections, budgetBytes: number, multi: boolean): Uint8Array[] | null {
  const w = writer;
  const budget = budgetBytes * 8;
  const packets: Uint8Array[] = [];
  const ctx: RecordContext = { absK: header.absK ?? [], deltaK: header.deltaK ?? [], prevMask: 0 };
  const part = { ...header, removed: 0, changed: 0, added: 0 };
  let patchAt = 0, countsAt = 0, prevIndex = -1, prevId = '';
  const start = (): void => {
    w.reset();
    patchAt = writeHeader(w, schema, header, multi);
    countsAt = w.pos - 36;
    part.removed = part.changed = part.added = 0;
    ctx.prevMask = 0;
    prevIndex = -1;
    prevId = '';
  };
  const finish = (): void => {
    if (multi) patchHeader(w, patchAt, countsAt, part);
    packets.push(w.finish());
    part.partIndex++;
  };
  const put = (section: 0 | 1 | 2, write: () => void, what: () => string): boolean => {
    const count = section === 0 ? part.removed : section === 1 ? part.changed : part.added;
    const saved = { pos: w.pos, prevMask: ctx.prevMask, prevIndex, prevId };
    if (multi && count >= MAX_SECTION_RECORDS) next();
    else {
      write();
      if (w.pos <= budget) return true;
      if (!multi) return false;
      if (part.removed + part.changed + part.added === 0) throw tooLarge(what(), budgetBytes);
      w.truncate(saved.pos);
      ({ prevMask: ctx.prevMask, prevIndex, prevId } = saved);
      next();
    }
    write();
    if (w.pos > budget) throw tooLarge(what(), budgetBytes);
    return true;
  };
  const next = (): void => {
    finish();
    if (part.partIndex >= MAX_PARTS) throw tooLarge(`A snapshot of more than ${MAX_PARTS} parts`, budgetBytes);
    start();
  };
  start();
  const { cur, base, baseIds } = s;
  for (const idx of s.removed) {
    const ok = put(0, () => { w.eg(idx - prevIndex - 1, header.gapK); prevIndex = idx; }, () => 'A removal');
    if (!ok) return null;
    part.removed++;
  }
  prevIndex = -1;
  for (const idx of s.changed) {
    const id = baseIds[idx] as string;
    const c = cur.get(id) as QEntity, b = base?.get(id) as QEntity;
    const ok = put(1, () => {
      w.eg(idx - prevIndex - 1, header.gapK);
      prevIndex = idx;
      const compat = deltaCompatible(c, b);
      w.bit(!compat);
      if (compat) writeDeltaBody(w, schema, c, b, ctx);
      else writeFull(w, schema, c, ctx);
    }, () => `Entity '${id}'`);
    if (!ok) return null;
    part.changed++;
  }
  for (const id of s.added) {
    const ok = put(2, () => {
      let p = 0;
      const max = Math.min(prevId.length, id.length);
      while (p < max && prevId.charCodeAt(p) === id.charCodeAt(p)) p++;
      if (p > 0 && p < id.length && (id.charCodeAt(p - 1) & 0xfc00) === 0xd800) p--;
      w.eg(p, 2);
      w.string(p === 0 ? id : id.slice(p));
      prevId = id;
      writeFull(w, schema, cur.get(id) as QEntity, ctx);
    }, () => `Entity '${id}'`);
    if (!ok) return null;
    part.added++;
  }
  finish();
  if (multi) for (const p of packets) setBits(p, patchAt, packets.length - 1, 8);
  return packets;
}

/** Overwrites `n` bits at bit `pos` of a finished packet. */
function setBits(packet: Uint8Array, pos: number, value: number, n: number): void {
  for (let bit = 0; bit < n; bit++, pos++, value >>>= 1) {
    const byte = pos >>> 3, mask = 1 << (pos & 7);
    packet[byte] = (value & 1 ? (packet[byte] as number) | mask : (packet[byte] as number) & ~mask) & 0xff;
  }
}

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
  private cache = new Map<number, Uint8Array[]>();

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
    this.history.set(tick, quantizeState(this.schema, state, prev));
    this.cache.clear();
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
    let packets = this.cache.get(key);
    if (!packets) {
      const baseline = baseState ? { tick: ackedTick as number, state: baseState } : undefined;
      packets = encodeQuantized(this.schema, tick, this.history.get(tick) as QState, baseline, this.budgetBytes);
      this.cache.set(key, packets);
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
  return encodeQuantized(schema, options.tick, quantizeState(schema, options.state, baseline?.state), baseline, options.budgetBytes ?? DEFAULT_SNAPSHOT_BUDGET_BYTES);
}
