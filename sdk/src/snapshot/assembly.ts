/**
 * Snapshot assembly: one tick being rebuilt on the client from its packets (parts), each of
 * which was parsed whole before anything here changes.
 *
 * An assembly starts from its baseline (a copy of the baseline's entity list, or empty for a
 * full snapshot); each part replaces changed entities, blanks removed ones and collects added
 * ones. When every part is in, the complete state is the survivors and the added entities
 * merged in id order (the baseline's own id array when no id came or went), and the plain view
 * is built on first read: a copy of the baseline's (or, for a full snapshot, the newest kept
 * tick's) view with the changed entities replaced, else from scratch. A completed assembly holds
 * no other tick once its view is built, so kept ticks never chain.
 */
import { dequantizeEntity } from './dequantize.js';
import type { QEntity } from './qentity.js';
import { EMPTY_QSTATE, shareIds, strictlySorted, type QState } from './qstate.js';
import type { CompiledSchema, State } from './schema.js';

/** A kept (complete) or assembling tick. */
export interface Assembly {
  /** Baseline while assembling (undefined: a full snapshot); dropped on completion so ticks do not chain. */
  base: Assembly | undefined;
  /** The baseline's ids: the index space of this tick's removed and changed records. */
  baseIds: readonly string[];
  baseTick: number;
  partCount: number;
  got: boolean[];
  missing: number;
  /** The baseline's entities, replaced where changed and undefined where removed. */
  ents: (QEntity | undefined)[];
  /** Baseline indexes of changed entities, and how many were removed. */
  changedIdx: number[];
  removed: number;
  /** Added entities, in arrival order, and whether their ids arrived in increasing order. */
  addedIds: string[];
  addedEnts: QEntity[];
  addedSorted: boolean;
  /** The complete state, once every part is in. */
  q: QState | undefined;
  /** The baseline's view when the tick completed (to patch instead of rebuilding). */
  baseView: State | undefined;
  view: State | undefined;
  /** Full snapshots: the newest kept tick's view and state when this one completed, if that view was built (to patch instead of rebuilding). */
  likeView: State | undefined;
  likeQ: QState | undefined;
  openedMs: number;
}

/** The records of one parsed packet: baseline indexes removed and changed (with their new entities), added ids and entities. */
export interface Ops { removed: number[]; changedIdx: number[]; changedEnts: QEntity[]; addedIds: string[]; addedEnts: QEntity[] }

/** Builds (once) the plain view of a tick, complete or not; entity objects are cached per QEntity. */
export function viewOf(schema: CompiledSchema, a: Assembly): State {
  if (a.view) return a.view;
  let view: State;
  const q = a.q;
  if (q && a.baseView && a.removed === 0) {
    // The usual delta: copy the baseline's view (one fast clone) and replace what changed.
    view = { ...a.baseView };
    for (const i of a.changedIdx) view[a.baseIds[i] as string] = dequantizeEntity(schema, a.ents[i] as QEntity);
    for (let k = 0; k < a.addedIds.length; k++) view[a.addedIds[k] as string] = dequantizeEntity(schema, a.addedEnts[k] as QEntity);
  } else if (q && a.likeView && a.likeQ && a.likeQ.ids === q.ids) {
    // A full snapshot of the same ids as the newest kept tick: copy that view, replace the entities that differ.
    const likeEnts = a.likeQ.entities;
    view = { ...a.likeView };
    for (let i = 0; i < q.ids.length; i++) if (q.entities[i] !== likeEnts[i]) view[q.ids[i] as string] = dequantizeEntity(schema, q.entities[i] as QEntity);
  } else if (q) {
    view = {};
    for (let i = 0; i < q.ids.length; i++) view[q.ids[i] as string] = dequantizeEntity(schema, q.entities[i] as QEntity);
  } else {
    view = {};
    for (let i = 0; i < a.baseIds.length; i++) {
      const e = a.ents[i];
      if (e) view[a.baseIds[i] as string] = dequantizeEntity(schema, e);
    }
    for (let k = 0; k < a.addedIds.length; k++) view[a.addedIds[k] as string] = dequantizeEntity(schema, a.addedEnts[k] as QEntity);
  }
  if (q) a.baseView = a.likeView = a.likeQ = undefined; // built: hold no other tick's objects
  return (a.view = view);
}

/** The complete state of an assembly whose parts are all in: survivors and added entities merged in id order. */
function assemble(a: Assembly, like: readonly string[] | undefined): QState {
  if (a.removed === 0 && a.addedIds.length === 0) return { ids: a.baseIds, entities: a.ents as QEntity[], order: undefined };
  if (a.baseIds.length === 0 && a.addedSorted) return { ids: shareIds(a.addedIds, like), entities: a.addedEnts, order: undefined }; // a full snapshot, in order
  let order = a.addedIds.map((_, k) => k);
  if (!a.addedSorted) order = order.sort((x, y) => ((a.addedIds[x] as string) < (a.addedIds[y] as string) ? -1 : (a.addedIds[x] as string) > (a.addedIds[y] as string) ? 1 : x - y));
  const ids: string[] = [], ents: QEntity[] = [];
  const push = (id: string, e: QEntity): void => {
    // A repeated id keeps the last record, as a second write of the same key would.
    if (ids.length > 0 && ids[ids.length - 1] === id) ents[ents.length - 1] = e;
    else { ids.push(id); ents.push(e); }
  };
  let k = 0;
  for (let i = 0; i < a.baseIds.length; i++) {
    const e = a.ents[i];
    if (!e) continue;
    const id = a.baseIds[i] as string;
    while (k < order.length && (a.addedIds[order[k] as number] as string) < id) { push(a.addedIds[order[k] as number] as string, a.addedEnts[order[k] as number] as QEntity); k++; }
    if (k < order.length && a.addedIds[order[k] as number] === id) continue; // replaced by an added record
    push(id, e);
  }
  for (; k < order.length; k++) push(a.addedIds[order[k] as number] as string, a.addedEnts[order[k] as number] as QEntity);
  return { ids: shareIds(ids, like), entities: ents, order: undefined };
}

/** A new assembly for a tick with `partCount` parts against `base` (undefined: a full snapshot). */
export function openAssembly(base: Assembly | undefined, baseTick: number, partCount: number, nowMs: number): Assembly {
  return {
    base, baseIds: base ? (base.q as QState).ids : EMPTY_QSTATE.ids, baseTick, partCount, got: new Array<boolean>(partCount).fill(false), missing: partCount,
    ents: base ? (base.q as QState).entities.slice() : [], changedIdx: [], removed: 0, addedIds: [], addedEnts: [], addedSorted: true,
    q: undefined, baseView: undefined, view: undefined, likeView: undefined, likeQ: undefined, openedMs: nowMs,
  };
}

/** Applies the parsed records of part `partIndex`. */
export function applyPart(a: Assembly, partIndex: number, ops: Ops): void {
  a.got[partIndex] = true;
  a.missing--;
  a.view = undefined;
  for (const i of ops.removed) if (a.ents[i] !== undefined) { a.ents[i] = undefined; a.removed++; }
  for (let n = 0; n < ops.changedIdx.length; n++) {
    const i = ops.changedIdx[n] as number;
    a.ents[i] = ops.changedEnts[n];
    a.changedIdx.push(i);
  }
  if (a.addedIds.length === 0 && ops.addedIds.length > 0) {
    // The first added records: adopt the parsed lists (the usual full snapshot, in order).
    a.addedIds = ops.addedIds;
    a.addedEnts = ops.addedEnts;
    a.addedSorted = strictlySorted(ops.addedIds);
  } else for (let k = 0; k < ops.addedIds.length; k++) {
    const id = ops.addedIds[k] as string, last = a.addedIds[a.addedIds.length - 1];
    if (last !== undefined && !(last < id)) a.addedSorted = false;
    a.addedIds.push(id);
    a.addedEnts.push(ops.addedEnts[k] as QEntity);
  }
}

/** Completes an assembly whose parts are all in; `newest` is the newest kept tick (for a full snapshot). */
export function completeAssembly(a: Assembly, newest: Assembly | undefined): void {
  a.q = assemble(a, a.base ? a.baseIds : newest?.q?.ids);
  a.baseView = a.base?.view;
  if (newest?.view) { a.likeView = newest.view; a.likeQ = newest.q; }
  a.base = undefined; // do not keep the baseline alive through this tick
}
