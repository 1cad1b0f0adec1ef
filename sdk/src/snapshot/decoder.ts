/**
 * Client-side snapshot decoder: rebuilds the host's quantized states from packets that may be
 * lost, duplicated or reordered.
 *
 * Each packet names its tick, baseline tick and part. The first part of a tick to arrive opens
 * an assembly: a copy of the baseline (or an empty state for a full snapshot); every part is
 * parsed completely first (so a malformed one changes nothing) and then applied. When all parts
 * are in, the tick is complete, kept as a future baseline, and becomes the tick to ack.
 * A packet whose baseline is not kept, or whose tick is not newer than the newest complete one,
 * is dropped and counted. Malformed packets throw HostmeshError('DECODE_FAILED'); every length
 * is checked against the bits left before anything is allocated. The plain `State` record of a
 * tick is built only when read (entity objects are cached and shared between ticks).
 * Read more: Gaffer on Games, "Snapshot Compression"; Quake 3 network model.
 */
import { decodeFailed } from './bitpack.js';
import { BitReader } from './bit-reader.js';
import { HostmeshError } from '../core/errors.js';
import type { QEntity } from './qentity.js';
import { EMPTY_QSTATE, sharedPrefixes, type QState } from './qstate.js';
import { applyPart, completeAssembly, openAssembly, viewOf, type Assembly, type Ops } from './assembly.js';
import { compileSchema, type CompiledSchema, type Schema, type State } from './schema.js';
import { MAX_NAME_BYTES, readHeader, type PacketHeader } from './format.js';
import { readChanged, readFull, type RecordContext } from './records.js';
import { SnapshotHistory } from './history.js';
import { hasPendingRefs, takePendingRefs } from './extras.js';
import type { Packed } from './packed.js';
import { ValueStore } from './value-store.js';

/** Thrown inside parse when a referenced value is missing: the packet is dropped as 'awaiting-value'. */
const AWAITING = new Error('awaiting a referenced value');
const refFields: string[] = [], refPacks: Packed[] = [];

/** Why a well-formed packet was not applied ('awaiting-value': it names a value sent by reference that has not arrived yet). */
export type SnapshotDropReason = 'stale' | 'no-baseline' | 'duplicate' | 'mismatch' | 'awaiting-value';

/** What `receive` did with one packet. */
export interface SnapshotReceipt {
  /** Tick the packet belongs to. */
  tick: number;
  /** True when every part of `tick` has arrived. */
  complete: boolean;
  /** The view of `tick` so far (all of it when complete), built on first access; absent when the packet was dropped. Read-only: entity objects are shared between ticks. */
  state?: State;
  /** Why the packet was dropped, if it was. */
  dropped?: SnapshotDropReason;
  /** Newest complete tick: send it in SNAPSHOT_ACK. */
  ackTick?: number;
}

/** Counters of a decoder. */
export interface SnapshotDecoderStats {
  packets: number;
  completed: number;
  malformed: number;
  dropped: Record<SnapshotDropReason, number>;
}

/** Options of `SnapshotDecoder`. */
export interface SnapshotDecoderOptions {
  /** Field quantization; must equal the host's. Default: `defaultSchema`. */
  schema?: Schema;
  /** Complete ticks kept as baselines (must cover the ticks the host may still delta against: about one round trip). Default: 32. */
  keepTicks?: number;
  /** Incomplete ticks assembled at once; the oldest is abandoned beyond this. Default: 8. */
  maxPendingTicks?: number;
  /** An incomplete tick older than this is abandoned, ms. Default: 1000. */
  pendingTimeoutMs?: number;
  /** Where values sent by reference (over the reliable channel) are found. Default: a store of its own (`values`). */
  values?: ValueStore;
}

const defaults = { keepTicks: 32, maxPendingTicks: 8, pendingTimeoutMs: 1000 } as const;

/** A receipt whose state is built only if someone reads it (a getter on the prototype, not per object). */
class Receipt implements SnapshotReceipt {
  ackTick?: number;
  readonly #schema: CompiledSchema;
  readonly #holder: Assembly;

  constructor(readonly tick: number, readonly complete: boolean, ackTick: number | undefined, schema: CompiledSchema, holder: Assembly) {
    if (ackTick !== undefined) this.ackTick = ackTick;
    this.#schema = schema;
    this.#holder = holder;
  }

  get state(): State {
    return viewOf(this.#schema, this.#holder);
  }
}

/** Client-side decoder: one per session. */
export class SnapshotDecoder {
  private readonly schema: CompiledSchema;
  private readonly kept: SnapshotHistory<Assembly>;
  private readonly pending = new Map<number, Assembly>();
  private readonly reader = new BitReader();
  private readonly maxPending: number;
  private readonly pendingTimeoutMs: number;
  /** Counters since creation. */
  readonly stats: SnapshotDecoderStats = { packets: 0, completed: 0, malformed: 0, dropped: { stale: 0, 'no-baseline': 0, duplicate: 0, mismatch: 0, 'awaiting-value': 0 } };
  /** Values sent by reference: put what arrives over the reliable channel here. */
  readonly values: ValueStore;

  constructor(options: SnapshotDecoderOptions = {}) {
    this.schema = compileSchema(options.schema);
    const keep = options.keepTicks ?? defaults.keepTicks;
    if (!Number.isInteger(keep) || keep < 1) throw new HostmeshError('INVALID_ARGUMENT', 'keepTicks must be a positive integer.');
    this.kept = new SnapshotHistory(keep);
    this.maxPending = options.maxPendingTicks ?? defaults.maxPendingTicks;
    this.pendingTimeoutMs = options.pendingTimeoutMs ?? defaults.pendingTimeoutMs;
    this.values = options.values ?? new ValueStore();
  }

  /** Newest complete tick (the one to ack), or undefined. */
  get ackTick(): number | undefined {
    return this.kept.newestTick;
  }

  /** The complete state of `tick`, if kept. */
  stateAt(tick: number): State | undefined {
    const kept = this.kept.get(tick);
    return kept && viewOf(this.schema, kept);
  }

  /** Decodes one packet at local time `nowMs`; throws DECODE_FAILED when it is malformed. */
  receive(packet: Uint8Array, nowMs: number): SnapshotReceipt {
    this.stats.packets++;
    let header: PacketHeader, ops: Ops | undefined;
    let r: BitReader;
    try {
      if (!(packet instanceof Uint8Array)) decodeFailed('it is not bytes');
      r = this.reader.reset(packet);
      header = readHeader(r, this.schema);
    } catch (err) {
      this.stats.malformed++;
      throw err;
    }
    const { tick, baseTick } = header;
    const newest = this.kept.newestTick;
    if (newest !== undefined && tick <= newest) return this.drop(tick, 'stale');
    if (this.pending.size > 0) for (const [t, a] of this.pending) if (nowMs - a.openedMs > this.pendingTimeoutMs) this.pending.delete(t);
    let asm = this.pending.get(tick);
    if (asm && (asm.baseTick !== baseTick || asm.partCount !== header.partCount)) return this.drop(tick, 'mismatch');
    if (asm && asm.got[header.partIndex]) return this.drop(tick, 'duplicate');
    const base = baseTick >= 0 ? this.kept.get(baseTick) : undefined;
    if (baseTick >= 0 && !base) return this.drop(tick, 'no-baseline');
    try {
      ops = this.parse(r, header, base?.q);
    } catch (err) {
      if (err === AWAITING) return this.drop(tick, 'awaiting-value');
      this.stats.malformed++;
      throw err instanceof HostmeshError ? err : new HostmeshError('DECODE_FAILED', undefined, { cause: err });
    }
    asm ??= openAssembly(base, baseTick, header.partCount, nowMs);
    applyPart(asm, header.partIndex, ops);
    const complete = asm.missing === 0;
    // Only ticks still missing parts wait in `pending` (most snapshots are one packet: no Map churn).
    if (!complete && !this.pending.has(tick)) {
      this.pending.set(tick, asm);
      if (this.pending.size > this.maxPending) this.pending.delete(Math.min(...this.pending.keys()));
    }
    if (complete) {
      if (this.pending.size > 0) this.pending.delete(tick);
      completeAssembly(asm, asm.base ? undefined : this.kept.get(this.kept.newestTick ?? -1));
      this.kept.set(tick, asm);
      this.stats.completed++;
      if (this.pending.size > 0) for (const t of this.pending.keys()) if (t < tick) this.pending.delete(t);
    }
    return new Receipt(tick, complete, this.kept.newestTick, this.schema, asm);
  }

  private drop(tick: number, reason: SnapshotDropReason): SnapshotReceipt {
    this.stats.dropped[reason]++;
    const out: SnapshotReceipt = { tick, complete: false, dropped: reason };
    const ack = this.kept.newestTick;
    if (ack !== undefined) out.ackTick = ack;
    return out;
  }

  /** Parses every record of a packet without touching any state. */
  private parse(r: BitReader, h: PacketHeader, base: QState | undefined): Ops {
    const ops: Ops = { removed: [], changedIdx: [], changedEnts: [], addedIds: [], addedEnts: [] };
    const ctx: RecordContext = { absK: h.absK ?? [], deltaK: h.deltaK ?? [], prevMask: 0, prevChanged: NaN, shapes: [] };
    const n = base ? base.ids.length : 0;
    if (hasPendingRefs()) { takePendingRefs(refFields, refPacks); refFields.length = refPacks.length = 0; } // left over from a packet that failed midway
    let prev = -1;
    for (let c = 0; c < h.removed; c++) {
      if ((prev = prev + 1 + r.eg(h.gapK)) >= n) decodeFailed('an entity index is past the baseline');
      ops.removed.push(prev);
    }
    prev = -1;
    for (let c = 0; c < h.changed; c++) {
      if ((prev = prev + 1 + r.eg(h.gapK)) >= n) decodeFailed('an entity index is past the baseline');
      ops.changedIdx.push(prev);
      ops.changedEnts.push(readChanged(r, this.schema, (base as QState).entities[prev] as QEntity, ctx));
      this.resolveRefs((base as QState).ids[prev] as string);
    }
    let prevId = '';
    if (h.added > 0 && !h.absK) decodeFailed('added entities come without their code table');
    // A full snapshot mostly repeats the ids of the newest kept tick: match them in place, reusing those strings.
    const newest = h.added > 0 && !base ? this.kept.get(this.kept.newestTick ?? -1)?.q : undefined;
    const cands = newest ? newest.ids : EMPTY_QSTATE.ids;
    let ci = -1;
    for (let c = 0; c < h.added; c++) {
      const p = r.eg(2);
      if (p > prevId.length) decodeFailed('an id prefix is longer than the previous id');
      const cand = cands[ci + 1];
      let id: string;
      // The previous id is usually cands[ci], and then the shared prefix with the candidate is known.
      const prefixKnown = cand !== undefined && ci >= 0 && prevId === cands[ci] && p <= (sharedPrefixes(cands)[ci + 1] as number);
      if (cand !== undefined && idMatches(r, prevId, prefixKnown ? 0 : p, p, cand)) { id = cand; ci++; }
      else {
        id = prevId.slice(0, p) + r.string(MAX_NAME_BYTES);
        ci = cands.length > 0 ? lowerBound(cands, id) - 1 : -1;
        if (cands[ci + 1] === id) id = cands[++ci] as string;
      }
      if (id === '__proto__') decodeFailed("an entity id is '__proto__'");
      ops.addedIds.push(id);
      ops.addedEnts.push(readFull(r, this.schema, ctx, newest && cands[ci] === id ? newest.entities[ci] : undefined));
      this.resolveRefs(id);
      prevId = id;
    }
    if (r.remaining() >= 8) decodeFailed('it has trailing bytes');
    return ops;
  }

  /** Fills in the values sent by reference that the record of entity `id` just named; throws AWAITING when one has not arrived. */
  private resolveRefs(id: string): void {
    if (!hasPendingRefs()) return;
    takePendingRefs(refFields, refPacks);
    try {
      for (let i = 0; i < refFields.length; i++) {
        const p = refPacks[i] as Packed, got = this.values.get(id, refFields[i] as string, p.ref);
        if (!got) throw AWAITING;
        p.bytes = got.bytes;
        p.value = got.value;
      }
    } finally {
      refFields.length = refPacks.length = 0;
    }
  }
}

/** Reads an id written as (prefix length `p` of `prevId`, suffix) if it equals `cand` (an ASCII match; the first `check` prefix units are compared), else rewinds and returns false. */
function idMatches(r: BitReader, prevId: string, check: number, p: number, cand: string): boolean {
  const at = r.pos, len = r.eg(3);
  let ok = cand.length === p + len && len * 8 <= r.remaining();
  for (let i = 0; ok && i < check; i++) ok = cand.charCodeAt(i) === prevId.charCodeAt(i);
  ok &&= r.asciiEquals(cand, p, len);
  if (!ok) r.pos = at;
  return ok;
}

/** First index of sorted `ids` whose id is not below `id` (code-unit order). */
function lowerBound(ids: readonly string[], id: string): number {
  let lo = 0, hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ids[mid] as string) < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
