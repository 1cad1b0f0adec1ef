/**
 * Dequantization: a quantized entity (`QEntity`) back to a plain object, as the schema says.
 * The result is cached on the QEntity and shared by every tick that holds it, so callers treat
 * it as read-only. Objects are built with their fields in one order per (schema, mask), which
 * keeps V8's property stores monomorphic on the decode hot path.
 */
import type { QEntity } from './qentity.js';
import type { QState } from './qstate.js';
import { dequantizeAngle, dequantizeFloat, dequantizeQuat } from './quantize-scalar.js';
import { viewBuilder } from './compiled/view.js';
import { plainValue } from './packed.js';
import { SlotKind, type CompiledSchema, type Entity, type Slot, type State, type Value } from './schema.js';

const quatScratch = [0, 0, 0, 0];
const vals: Value[] = [];
/** Field names of the last (schema, mask) dequantized, in the order `dequantizeEntity` fills `vals`. */
let namesSchema: CompiledSchema | undefined, namesMask = 0, names: string[] = [];

function fieldNames(schema: CompiledSchema, mask: number): string[] {
  if (schema === namesSchema && mask === namesMask) return names;
  const out: string[] = [];
  for (let i = 0, m = mask; m !== 0; i++, m >>>= 1) if (m & 1) out.push(...(schema.slots[i] as Slot).fields);
  namesSchema = schema;
  namesMask = mask;
  return (names = out);
}

/** A new object of `f[i]: v[i]`; the unrolled stores each see one name per schema, so they stay monomorphic. */
function build(f: string[], v: Value[]): Entity {
  const o: Entity = {}, n = f.length;
  if (n > 0) o[f[0] as string] = v[0] as Value;
  if (n > 1) o[f[1] as string] = v[1] as Value;
  if (n > 2) o[f[2] as string] = v[2] as Value;
  if (n > 3) o[f[3] as string] = v[3] as Value;
  if (n > 4) o[f[4] as string] = v[4] as Value;
  if (n > 5) o[f[5] as string] = v[5] as Value;
  if (n > 6) o[f[6] as string] = v[6] as Value;
  if (n > 7) o[f[7] as string] = v[7] as Value;
  if (n > 8) o[f[8] as string] = v[8] as Value;
  if (n > 9) o[f[9] as string] = v[9] as Value;
  for (let i = 10; i < n; i++) o[f[i] as string] = v[i] as Value;
  return o;
}

/** Dequantizes one entity (cached on the QEntity; treat the result as read-only). */
export function dequantizeEntity(schema: CompiledSchema, q: QEntity): Entity {
  if (q.view) return q.view;
  const compiled = viewBuilder(schema, q.mask, q.extras);
  if (compiled) return (q.view = compiled(q.v, q.extras));
  const { slots } = schema;
  let j = 0;
  for (let i = 0, mask = q.mask; mask !== 0; i++, mask >>>= 1) {
    if (!(mask & 1)) continue;
    const slot = slots[i] as Slot;
    const raw = q.v[i] as number;
    switch (slot.kind) {
      case SlotKind.FLOAT: vals[j++] = dequantizeFloat(raw, slot.step, slot.inv); break;
      case SlotKind.ANGLE: vals[j++] = dequantizeAngle(raw, slot.bits); break;
      case SlotKind.INT: vals[j++] = raw; break;
      case SlotKind.BOOL: vals[j++] = raw === 1; break;
      case SlotKind.STRING: vals[j++] = q.v[i] as string; break;
      default: {
        const c = dequantizeQuat(raw, slot.bits, quatScratch);
        vals[j++] = c[0] as number;
        vals[j++] = c[1] as number;
        vals[j++] = c[2] as number;
        vals[j++] = c[3] as number;
      }
    }
  }
  const out = build(fieldNames(schema, q.mask), vals);
  if (q.extras) for (const k in q.extras) out[k] = plainValue(q.extras[k]) as Value;
  q.view = out;
  return out;
}

/** Dequantizes a whole state (entity objects are shared with the cache: treat as read-only). */
export function dequantizeState(schema: CompiledSchema, q: QState): State {
  const out: State = {};
  for (let i = 0; i < q.ids.length; i++) out[q.ids[i] as string] = dequantizeEntity(schema, q.entities[i] as QEntity);
  return out;
}
