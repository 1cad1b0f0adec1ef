/**
 * Quantization: entity values to small integers and back, as the schema says.
 *
 * Floats become integer multiples of their step (error ≤ step/2); angles wrap into [0, 2π) and
 * become n-bit integers (error ≤ π/2^n), decoded into [-π, π); a quaternion is normalized,
 * negated so its largest component is positive, and sent "smallest three": the index of the
 * largest component (2 bits) plus the other three, each in [-1/√2, 1/√2], on an odd grid of
 * 2^bits − 1 levels so zero is exact; the receiver rebuilds the largest as √(1 − Σ others²).
 * A quantized entity (`QEntity`) keeps one number (or string) per schema slot plus the fields
 * outside the schema unchanged; the snapshot codec deltas these integers. The host's state and
 * what clients decode are both `dequantize(quantize(state))`, bit for bit.
 * Read more: Gaffer on Games, "Snapshot Compression" (smallest three).
 */
import { HostmeshError } from '../core/errors.js';
import { findLayout, learnLayout } from './compiled/layout.js';
import { MAX_NAME_LENGTH, MAX_QUANTIZED, type QEntity } from './qentity.js';
import { entityOf, shareIds, type QState } from './qstate.js';
import { quantizeAngle, quantizeFloat, quantizeQuat } from './quantize-scalar.js';
import { SlotKind, type CompiledSchema, type Entity, type Slot, type State, type Value } from './schema.js';
import { INLINE_ENTITY_BYTES, INLINE_VALUE_BYTES, MAX_FIELD_BYTES, needsPacking, Packed, packBytes, sameBytes, whyNotPackable } from './packed.js';

function bad(id: string, field: string, why: string): HostmeshError {
  return new HostmeshError('INVALID_ARGUMENT', `Entity '${id}' field '${field}' ${why}`);
}

function quantizeSlot(slot: Slot, id: string, field: string, value: Value): number | string {
  switch (slot.kind) {
    case SlotKind.FLOAT: {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(id, field, 'must be a finite number (schema: float).');
      const q = quantizeFloat(value, slot.step, slot.inv);
      if (Math.abs(q) >= MAX_QUANTIZED) throw bad(id, field, `is too large for step ${slot.step}; use a coarser step.`);
      return q;
    }
    case SlotKind.ANGLE:
      if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(id, field, 'must be a finite number of radians (schema: angle).');
      return quantizeAngle(value, slot.bits);
    case SlotKind.INT:
      if (!Number.isInteger(value) || Math.abs(value as number) >= MAX_QUANTIZED)
        throw bad(id, field, 'must be an integer with |value| < 2^50 (schema: int); use a float field for other numbers.');
      return (value as number) + 0;
    case SlotKind.BOOL:
      if (typeof value !== 'boolean') throw bad(id, field, 'must be a boolean (schema: bool).');
      return value ? 1 : 0;
    default:
      if (typeof value !== 'string') throw bad(id, field, 'must be a string (schema: string).');
      if (value.length > slot.maxLength) throw bad(id, field, `is longer than its maxLength ${slot.maxLength}.`);
      return value;
  }
}

const scratch: (number | string)[] = new Array<number | string>(32).fill(0);

/**
 * The Packed form of extras field `field` (`prev`: the same field last tick): last tick's object when
 * the bytes are equal, else a new one, inline while `inline` bytes leave room, else by reference
 * with version `tick`. Returns the inline bytes it used.
 */
function packField(id: string, field: string, value: Value, prev: Value | undefined, tick: number, inline: number, out: Entity): number {
  let bytes: Uint8Array;
  try { bytes = packBytes(value); } catch (err) { throw bad(id, field, whyNotPackable(value) ?? `cannot be encoded as msgpack: ${(err as Error).message}`); }
  let p: Packed;
  // The same bytes as last tick (the usual case): that value was checked when it was new.
  if (prev instanceof Packed && sameBytes(prev.bytes, bytes)) p = prev;
  else {
    const why = whyNotPackable(value);
    if (why) throw bad(id, field, why);
    if (bytes.length > MAX_FIELD_BYTES) throw bad(id, field, `is ${bytes.length} bytes as msgpack, over the ${MAX_FIELD_BYTES}-byte cap; split it over several fields or entities.`);
    p = new Packed(bytes, value, bytes.length <= INLINE_VALUE_BYTES && inline + bytes.length <= INLINE_ENTITY_BYTES ? -1 : tick);
  }
  out[field] = p;
  return p.ref < 0 ? bytes.length : 0;
}

/** Quantizes one entity (returning `reuse` when it carries the same values); throws INVALID_ARGUMENT on a value its schema slot cannot carry. `tick` versions values sent by reference. */
export function quantizeEntity(schema: CompiledSchema, id: string, entity: Entity, reuse?: QEntity, tick = 0): QEntity {
  const compiled = findLayout(schema, entity)?.quantize(entity, reuse);
  if (compiled) return compiled;
  const { slots, fieldSlot } = schema;
  const v = scratch;
  for (let i = 0; i < slots.length; i++) v[i] = 0;
  let mask = 0;
  let extras: Entity | undefined;
  let quatSeen = 0, extrasN = 0, extrasDiffer = false, holes = false, packs = false;
  const prevExtras = reuse?.extras;
  for (const field in entity) {
    const value = entity[field];
    if (value === undefined) { holes = true; continue; }
    const si = fieldSlot.get(field);
    if (si === undefined) {
      if (field === '__proto__' || field.length > MAX_NAME_LENGTH) throw bad(id, field, `cannot be sent: field names must not be '__proto__' or longer than ${MAX_NAME_LENGTH}.`);
      // Extras mostly repeat the previous tick's: share that object instead of building an equal one.
      extrasN++;
      if (needsPacking(value)) packs = true; // compared by its bytes below: the game may have changed it in place
      else if (!extrasDiffer) extrasDiffer = !Object.is(prevExtras?.[field], value);
      continue;
    }
    const slot = slots[si] as Slot;
    if (slot.kind !== SlotKind.QUAT) {
      v[si] = quantizeSlot(slot, id, field, value);
      mask |= 1 << si;
    } else if (!(quatSeen & (1 << si))) {
      quatSeen |= 1 << si;
      const [fx, fy, fz, fw] = slot.fields as [string, string, string, string];
      const x = entity[fx], y = entity[fy], z = entity[fz], w = entity[fw];
      if (typeof x !== 'number' || typeof y !== 'number' || typeof z !== 'number' || typeof w !== 'number')
        throw bad(id, field, `belongs to quaternion '${slot.name}': give all of ${slot.fields.join(', ')} as numbers.`);
      const q = quantizeQuat(x, y, z, w, slot.bits);
      if (Number.isNaN(q)) throw bad(id, field, `belongs to quaternion '${slot.name}', which must be finite and non-zero.`);
      v[si] = q;
      mask |= 1 << si;
    }
  }
  if (extrasN > 0 && !extrasDiffer && !packs && extrasN === countKeys(prevExtras)) extras = prevExtras;
  else if (extrasN > 0) {
    extras = {};
    let inline = 0;
    for (const field in entity) {
      const value = entity[field];
      if (value === undefined || fieldSlot.has(field)) continue;
      if (needsPacking(value)) inline += packField(id, field, value, prevExtras?.[field], tick, inline, extras);
      else { extras[field] = value; inline += typeof value === 'string' ? 3 * value.length : 8; }
    }
    if (packs && sameExtras(extras, prevExtras)) extras = prevExtras;
  }
  if (!holes) learnLayout(schema, entity);
  if (reuse && reuse.mask === mask && sameExtras(reuse.extras, extras)) {
    let same = true;
    for (let i = 0, m = mask; same && m !== 0; i++, m >>>= 1) if (m & 1 && reuse.v[i] !== v[i]) same = false;
    if (same) return reuse;
  }
  return { mask, v: v.slice(0, slots.length), extras, view: undefined, src: undefined };
}

/** True when two quantized entities carry the same values. */
export function sameQEntity(a: QEntity, b: QEntity): boolean {
  if (a === b) return true;
  if (a.mask !== b.mask) return false;
  for (let i = 0, mask = a.mask; mask !== 0; i++, mask >>>= 1) if (mask & 1 && a.v[i] !== b.v[i]) return false;
  return sameExtras(a.extras, b.extras);
}

function countKeys(e: Readonly<Entity> | undefined): number {
  let n = 0;
  if (e) for (const _ in e) n++;
  return n;
}

/** True when two extras records hold the same keys and values (`Object.is`: NaN equals NaN, 0 is not -0). */
export function sameExtras(a: Readonly<Entity> | undefined, b: Readonly<Entity> | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  let n = 0;
  for (const k in a) {
    n++;
    if (!Object.is(a[k], b[k])) return false;
  }
  for (const _ in b) n--;
  return n === 0;
}


function checkEntity(id: string, e: Entity | null | undefined): void {
  if (e === null || typeof e !== 'object' || Array.isArray(e))
    throw new HostmeshError('INVALID_ARGUMENT', `Entity '${id}' must be an object of fields. A state is entities by id; a value that is not an entity (e.g. { turn: 'p1' }) goes in an entity of its own: { game: { turn: 'p1' } }.`);
}

/**
 * Quantizes a whole state; entities equal to `previous` ones reuse those objects (and their caches).
 * A host that lists the same ids in the same order as last tick (the usual case) skips the sort
 * and every id lookup.
 */
export function quantizeState(schema: CompiledSchema, state: State, previous?: QState, tick = 0): QState {
  const order = previous?.order;
  if (order && previous) {
    const { src, slot } = order, prev = previous.entities, out = new Array<QEntity>(src.length);
    let j = 0, same = true;
    for (const id in state) {
      if (src[j] !== id) { same = false; break; }
      const e = state[id] as Entity, at = slot[j++] as number;
      checkEntity(id, e);
      out[at] = quantizeEntity(schema, id, e, prev[at], tick);
    }
    if (same && j === src.length) {
      return { ids: order.ids, entities: out, order };
    }
  }
  const src: string[] = [];
  for (const id in state) {
    checkEntity(id, state[id]);
    if (id === '__proto__' || id.length > MAX_NAME_LENGTH)
      throw new HostmeshError('INVALID_ARGUMENT', `Entity id '${id.slice(0, 40)}' cannot be sent: ids must not be '__proto__' or longer than ${MAX_NAME_LENGTH}.`);
    src.push(id);
  }
  const byId = src.map((_, k) => k).sort((a, b) => ((src[a] as string) < (src[b] as string) ? -1 : 1));
  const slot = new Int32Array(src.length);
  byId.forEach((k, at) => { slot[k] = at; });
  const ids = shareIds(byId.map((k) => src[k] as string), previous?.ids);
  const out = new Array<QEntity>(src.length);
  for (let k = 0; k < src.length; k++) {
    const id = src[k] as string;
    out[slot[k] as number] = quantizeEntity(schema, id, state[id] as Entity, previous && entityOf(previous, id), tick);
  }
  return { ids, entities: out, order: { src, slot, ids } };
}
