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
import { quantizeState, sameQEntity, sortedIds, type QEntity, type QState } from './quantize.js';
import { compileSchema, MAX_SCHEMA_SLOTS, SlotKind, type CompiledSchema, type Schema, type Slot, type State } from './schema.js';
import {
  angleDiff, deltaCompatible, MAX_PARTS, MAX_SECTION_RECORDS, patchHeader, quatDiffs, usesAbsK, usesDeltaK,
  writeDeltaBody, writeFull, writeHeader, type PacketHeader, type RecordContext,
} from './snapshot-format.js';
import { SnapshotHistory } from './snapshot-history.js';

/** Default packet budget: the unreliable limit minus room for the session's type byte and slack. */
export const DEFAULT_SNAPSHOT_BUDGET_BYTES = MAX_UNRELIABLE_BYTES - 4;

const HIST = 54;
const absHist = new Int32Array(MAX_SCHEMA_SLOTS * HIST);
const deltaHist = new Int32Array(MAX_SCHEMA_SLOTS * HIST);
const gapHist = new Int32Array(HIST);

function count(hist: Int32Array, at: number, v: number): void {
  const i = at + bitLength(v);
  hist[i] = (hist[i] as number) + 1;
}

/** Exp-Golomb order (0..15) minimizing the bits of the values counted (by bit length) at `hist[at..]`; clears them. */
function bestK(hist: Int32Array, at: number): number {
  let lo = HIST, hi = -1;
  for (let b = 0; b < HIST; b++) if (hist[at + b]) { if (lo === HIST) lo = b; hi = b; }
  let best = 0, bestCost = Infinity;
  for (let k = 0; k <= Math.min(15, hi); k++) {
    let cost = 0;
    for (let b = lo; b <= hi; b++) cost += (hist[at + b] as number) * (2 * (b > k + 1 ? b : k + 1) - 1 - k);
    if (cost < bestCost) { bestCost = cost; best = k; }
  }
  if (hi >= 0) hist.fill(0, at + lo, at + hi + 1);
  return best;
}

function tooLarge(what: string, budgetBytes: number): HostmeshError {
  return new HostmeshError('MESSAGE_TOO_LARGE', `${what} does not fit one snapshot packet (${budgetBytes} bytes). Split it into smaller entities or move large fields out of the replicated state.`);
}

function countAbs(schema: CompiledSchema, e: QEntity): void {
  for (let i = 0, m = e.mask; m !== 0; i++, m >>>= 1) if (m & 1 && usesAbsK((schema.slots[i] as Slot).kind)) count(absHist, i * HIST, zigzag(e.v[i] as number));
}

function countDelta(schema: CompiledSchema, c: QEntity, b: QEntity): void {
  for (let i = 0, m = c.mask; m !== 0; i++, m >>>= 1) {
    if (!(m & 1) || c.v[i] === b.v[i]) continue;
    const slot = schema.slots[i] as Slot, at = i * HIST;
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
  const baseIds = base ? sortedIds(base) : [];
  const removed: number[] = [], changed: number[] = [];
  let added: string[];
  let full = 0, deltas = 0;
  if (base) {
    added = [];
    for (let i = 0, prev = -1; i < baseIds.length; i++) {
      const id = baseIds[i] as string;
      const c = cur.get(id), b = base.get(id) as QEntity;
      if (!c) removed.push(i);
      else if (sameQEntity(c, b)) continue;
      else {
        changed.push(i);
        if (deltaCompatible(c, b)) { deltas++; countDelta(schema, c, b); }
        else { full++; countAbs(schema, c); }
      }
      count(gapHist, 0, i - prev - 1);
      prev = i;
    }
    if (cur.size !== baseIds.length - removed.length) {
      for (const id of cur.keys()) if (!base.has(id)) added.push(id);
      added.sort();
    }
  } else added = sortedIds(cur);
  for (const id of added) { full++; countAbs(schema, cur.get(id) as QEntity); }
  const n = schema.slots.length;
  const absK: number[] = [], deltaK: number[] = [];
  for (let i = 0; i < n; i++) { absK.push(bestK(absHist, i * HIST)); deltaK.push(bestK(deltaHist, i * HIST)); }
  const header: PacketHeader = {
    tick, baseTick: baseline ? baseline.tick : -1, partIndex: 0, partCount: 1, gapK: bestK(gapHist, 0),
    absK: full > 0 ? absK : null, deltaK: deltas > 0 ? deltaK : null,
    removed: removed.length, changed: changed.length, added: added.length,
  };
  const sections: Sections = { removed, changed, added, baseIds, cur, base };
  return new Packer(schema, header, budgetBytes, false).pack(sections) ?? (new Packer(schema, header, budgetBytes, true).pack(sections) as Uint8Array[]);
}

interface Sections { removed: number[]; changed: number[]; added: string[]; baseIds: string[]; cur: QState; base: QState | undefined }

const writer = new BitWriter();

/** Fills packets greedily with whole records; in single-part mode gives up (null) on the first overflow. */
class Packer {
  private readonly w = writer;
  private readonly budget: number;
  private readonly packets: Uint8Array[] = [];
  private readonly ctx: RecordContext;
  private readonly part: PacketHeader;
  private patchAt = 0;
  private countsAt = 0;
  private prevIndex = -1;
  private prevId = '';

  constructor(private readonly schema: CompiledSchema, private readonly header: PacketHeader, private readonly budgetBytes: number, private readonly multi: boolean) {
    this.budget = budgetBytes * 8;
    this.ctx = { absK: header.absK ?? [], deltaK: header.deltaK ?? [], prevMask: 0 };
    this.part = { ...header };
  }

  private start(): void {
    const w = this.w;
    w.reset();
    this.patchAt = writeHeader(w, this.schema, this.header, this.multi);
    this.countsAt = w.pos - 36;
    this.part.removed = this.part.changed = this.part.added = 0;
    this.ctx.prevMask = 0;
    this.prevIndex = -1;
    this.prevId = '';
  }

  private finish(): void {
    if (this.multi) patchHeader(this.w, this.patchAt, this.countsAt, this.part);
    this.packets.push(this.w.finish());
    this.part.partIndex++;
  }

  /** Before a record: starts a new part when this one holds the most records a section may. */
  private room(sectionCount: number): void {
    if (this.multi && sectionCount >= MAX_SECTION_RECORDS) this.next();
  }

  /** After a record written from bit `from`: true if it fits; else rewinds and starts a new part (false), or throws. */
  private fits(from: number, prevMask: number, id: string | undefined): boolean {
    if (this.w.pos <= this.budget) return true;
    if (!this.multi) throw NOT_SINGLE;
    if (this.part.removed + this.part.changed + this.part.added === 0) throw tooLarge(id === undefined ? 'A removal' : `Entity '${id}'`, this.budgetBytes);
    this.w.truncate(from);
    this.ctx.prevMask = prevMask;
    this.next();
    return false;
  }

  private next(): void {
    this.finish();
    if (this.part.partIndex >= MAX_PARTS) throw tooLarge(`A snapshot of more than ${MAX_PARTS} parts`, this.budgetBytes);
    this.start();
  }

  pack(s: Sections): Uint8Array[] | null {
    const { w, schema, ctx, part } = this;
    const { cur, base, baseIds } = s;
    const gapK = this.header.gapK;
    try {
      this.start();
      for (const idx of s.removed) {
        this.room(part.removed);
        for (;;) {
          const from = w.pos;
          w.eg(idx - this.prevIndex - 1, gapK);
          if (this.fits(from, ctx.prevMask, undefined)) break;
        }
        this.prevIndex = idx;
        part.removed++;
      }
      this.prevIndex = -1;
      for (const idx of s.changed) {
        this.room(part.changed);
        const id = baseIds[idx] as string;
        const c = cur.get(id) as QEntity, b = base?.get(id) as QEntity;
        for (;;) {
          const from = w.pos, mask = ctx.prevMask;
          w.eg(idx - this.prevIndex - 1, gapK);
          const compat = deltaCompatible(c, b);
          w.bit(!compat);
          if (compat) writeDeltaBody(w, schema, c, b, ctx);
          else writeFull(w, schema, c, ctx);
          if (this.fits(from, mask, id)) break;
        }
        this.prevIndex = idx;
        part.changed++;
      }
      for (const id of s.added) {
        this.room(part.added);
        for (;;) {
          const from = w.pos, mask = ctx.prevMask, prevId = this.prevId;
          let p = 0;
          const max = Math.min(prevId.length, id.length);
          while (p < max && prevId.charCodeAt(p) === id.charCodeAt(p)) p++;
          if (p > 0 && p < id.length && (id.charCodeAt(p - 1) & 0xfc00) === 0xd800) p--;
          w.eg(p, 2);
          w.string(p === 0 ? id : id.slice(p));
          writeFull(w, schema, cur.get(id) as QEntity, ctx);
          if (this.fits(from, mask, id)) break;
        }
        this.prevId = id;
        part.added++;
      }
      this.finish();
    } catch (err) {
      if (err === NOT_SINGLE) return null;
      throw err;
    }
    if (this.multi) for (const p of this.packets) setBits(p, this.patchAt, this.packets.length - 1, 8);
    return this.packets;
  }
}

const NOT_SINGLE = new Error('does not fit one packet');

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
