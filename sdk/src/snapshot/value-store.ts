/**
 * Field values sent by reference (packed.ts): on the host, the list of them in a committed state;
 * on a client, the store of those that arrived over the reliable channel (STATE_VALUE).
 *
 * A snapshot record names a referenced value by its entity, field and version (the tick the host
 * first committed it at). The host sends each client every referenced value of the state it
 * replicates to that client once, before the snapshot, on the reliable channel; a client's
 * decoder resolves references through `ValueStore.get` and drops (uncounted as malformed, not
 * acked) a packet whose value has not arrived yet, so the host keeps sending until it has. The
 * store keeps the last four versions per field (a snapshot resolves the exact version it names, so an
 * older value never shows over a newer one) within a byte cap.
 */
import { Packed, unpackBytes, MAX_FIELD_BYTES } from './packed.js';
import type { QState } from './qstate.js';
import type { Entity } from './schema.js';

/** One referenced value of a state: entity id, field name and the packed value. */
export interface ValueRef { readonly id: string; readonly field: string; readonly value: Packed }

const refCache = new WeakMap<object, readonly [string, Packed][]>();
const NONE: readonly [string, Packed][] = Object.freeze([]);

function refsOfExtras(extras: Readonly<Entity>): readonly [string, Packed][] {
  let hit = refCache.get(extras);
  if (!hit) {
    const out: [string, Packed][] = [];
    for (const k in extras) { const v = extras[k]; if (v instanceof Packed && v.ref >= 0) out.push([k, v]); }
    refCache.set(extras, (hit = out.length ? out : NONE));
  }
  return hit;
}

const stateRefs = new WeakMap<readonly unknown[], readonly ValueRef[]>();

/** The values sent by reference in `state`, found once per state (by its entity array) and per extras object. */
export function refsOf(state: QState): readonly ValueRef[] {
  let hit = stateRefs.get(state.entities);
  if (!hit) {
    const out: ValueRef[] = [], { ids, entities } = state;
    for (let i = 0; i < entities.length; i++) {
      const ex = (entities[i] as { extras: Readonly<Entity> | undefined }).extras;
      if (ex !== undefined) for (const [field, value] of refsOfExtras(ex)) out.push({ id: ids[i] as string, field, value });
    }
    stateRefs.set(state.entities, (hit = out));
  }
  return hit;
}

/** Calls `cb` for each value sent by reference in `state`. */
export function forEachRef(state: QState, cb: (id: string, field: string, value: Packed) => void): void {
  for (const r of refsOf(state)) cb(r.id, r.field, r.value);
}

/** Versions kept per field. */
const VERSIONS_PER_FIELD = 4;

/** Options of `ValueStore`. */
export interface ValueStoreOptions {
  /** Total bytes of older versions kept before the oldest go (the newest of each field always stays). Default: 8 MiB. */
  maxBytes?: number;
}

/** Client side: referenced values by entity, field and version. */
export class ValueStore {
  private readonly byKey = new Map<string, Packed[]>();
  private bytes = 0;
  private readonly maxBytes: number;

  constructor(options: ValueStoreOptions = {}) {
    this.maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
  }

  /** Stores the bytes of (id, field) at `version`; false (and nothing kept) when they are not a plain msgpack value, too large, or older than every kept version. */
  put(id: string, field: string, version: number, bytes: Uint8Array): boolean {
    if (!Number.isSafeInteger(version) || version < 0 || bytes.length > MAX_FIELD_BYTES) return false;
    const key = `${id}\u0000${field}`;
    const list = this.byKey.get(key) ?? [];
    if (list.some((p) => p.ref === version)) return true;
    if (list.length >= VERSIONS_PER_FIELD && version < (list[0] as Packed).ref) return false;
    let value: unknown;
    try { value = unpackBytes(bytes); } catch { return false; }
    this.byKey.delete(key); // re-inserted last: the Map's order is least recently stored first
    list.push(new Packed(bytes, value, version));
    list.sort((a, b) => a.ref - b.ref);
    this.bytes += bytes.length;
    while (list.length > VERSIONS_PER_FIELD) this.bytes -= (list.shift() as Packed).bytes.length;
    this.byKey.set(key, list);
    if (this.bytes > this.maxBytes) this.trim();
    return true;
  }

  /** The value of (id, field) at `version`, if it arrived. */
  get(id: string, field: string, version: number): Packed | undefined {
    const list = this.byKey.get(`${id}\u0000${field}`);
    if (list) for (const p of list) if (p.ref === version) return p;
    return undefined;
  }

  /** Bytes held. */
  get size(): number {
    return this.bytes;
  }

  /** Drops older versions (oldest first) until under the cap; past twice the cap, whole fields go, least recently stored first. */
  private trim(): void {
    for (const list of this.byKey.values()) {
      while (list.length > 1 && this.bytes > this.maxBytes) this.bytes -= (list.shift() as Packed).bytes.length;
      if (this.bytes <= this.maxBytes) return;
    }
    for (const [key, list] of this.byKey) {
      if (this.bytes <= 2 * this.maxBytes) return;
      for (const p of list) this.bytes -= p.bytes.length;
      this.byKey.delete(key);
    }
  }
}
