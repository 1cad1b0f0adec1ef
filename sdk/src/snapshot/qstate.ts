/**
 * Quantized world state (`QState`): entity ids in code-unit order, and their quantized entities
 * side by side.
 *
 * The sorted id list is the index space of snapshot deltas on both ends: a changed or removed
 * entity is named by its index in the baseline's list. Every tick that holds the same ids shares
 * one id array, so "same ids as the baseline" is a pointer compare and a delta walks two aligned
 * arrays instead of looking ids up; a lookup by id, when one is needed, goes through an index
 * built once per id array. Both arrays are never mutated once a QState is made.
 */
import type { QEntity } from './qentity.js';

/** A quantized world state. */
export interface QState {
  /** Entity ids in code-unit order (shared between ticks holding the same ids; never mutated). */
  readonly ids: readonly string[];
  /** The entities, aligned with `ids`. */
  readonly entities: readonly QEntity[];
  /** Host side: the order the host's state object listed its ids in, to skip the sort next tick (undefined elsewhere). */
  readonly order: SourceOrder | undefined;
}

/** How a host's state object listed its ids: that order, and where each id sits in the sorted list. */
export interface SourceOrder { readonly src: readonly string[]; readonly slot: Int32Array; readonly ids: readonly string[] }

/** The state with no entities. */
export const EMPTY_QSTATE: QState = Object.freeze({ ids: Object.freeze([]), entities: Object.freeze([]), order: undefined });

const indexes = new WeakMap<readonly string[], Map<string, number>>();

/** Index of `id` in `state.ids`, or -1. */
export function indexOfId(state: QState, id: string): number {
  let index = indexes.get(state.ids);
  if (!index) {
    index = new Map();
    for (let i = 0; i < state.ids.length; i++) index.set(state.ids[i] as string, i);
    indexes.set(state.ids, index);
  }
  return index.get(id) ?? -1;
}

/** The entity `id` of `state`, if it holds one. */
export function entityOf(state: QState, id: string): QEntity | undefined {
  const i = indexOfId(state, id);
  return i < 0 ? undefined : state.entities[i];
}

/** `ids` itself, or `like` when the two hold the same ids in the same order (so equal lists stay one array). */
export function shareIds(ids: readonly string[], like: readonly string[] | undefined): readonly string[] {
  if (!like || like === ids || like.length !== ids.length) return ids;
  for (let i = 0; i < ids.length; i++) if (ids[i] !== like[i]) return ids;
  return like;
}

/** True when `ids` is strictly increasing in code-unit order (sorted, no repeats). */
export function strictlySorted(ids: readonly string[]): boolean {
  for (let i = 1; i < ids.length; i++) if (!((ids[i - 1] as string) < (ids[i] as string))) return false;
  return true;
}

/** Length of the prefix `id` shares with `prevId`, not ending inside a surrogate pair. */
export function sharedPrefix(prevId: string, id: string): number {
  let p = 0;
  const max = Math.min(prevId.length, id.length);
  while (p < max && prevId.charCodeAt(p) === id.charCodeAt(p)) p++;
  if (p > 0 && p < id.length && (id.charCodeAt(p - 1) & 0xfc00) === 0xd800) p--;
  return p;
}

const prefixCache = new WeakMap<readonly string[], Int32Array>();
let lastIds: readonly string[] = [], lastPrefixes: Int32Array = new Int32Array(0);

/** For each id of a sorted id list, its shared prefix with the one before (cached per list; lists are never mutated). */
export function sharedPrefixes(ids: readonly string[]): Int32Array {
  if (ids === lastIds) return lastPrefixes;
  let out = prefixCache.get(ids);
  if (!out) {
    out = new Int32Array(ids.length);
    for (let i = 1; i < ids.length; i++) out[i] = sharedPrefix(ids[i - 1] as string, ids[i] as string);
    prefixCache.set(ids, out);
  }
  lastIds = ids;
  return (lastPrefixes = out);
}
