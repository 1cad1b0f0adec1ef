/**
 * Compiled views: the plain object of a quantized entity, built by code specialized
 * (codegen.ts) for one presence mask and one list of extra fields.
 *
 * The general `dequantizeEntity` fills an object field by field through keyed stores, then
 * copies the extras in a loop; a compiled builder is one object literal with the field names
 * written out, which V8 allocates with its final shape at once. Fields come in the same order
 * and with the same values, bit for bit. Builders are found per mask, and for entities with
 * extras through the extras object itself (which is shared from tick to tick while unchanged),
 * then by its key list. A key list that cannot appear in a literal ('__proto__') is left to
 * the general path.
 */
import { codegenEnabled, compileFunction, literal } from './codegen.js';
import { dequantizeQuat } from '../quantize-scalar.js';
import { SlotKind, type CompiledSchema, type Entity, type Slot } from '../schema.js';
import { plainValue } from '../packed.js';

/** Builds the plain entity from slot values `v` and extras `ex`. */
export type ViewBuilder = (v: readonly (number | string)[], ex: Readonly<Entity> | undefined) => Entity;

/** Most builders compiled per schema. */
export const MAX_VIEW_BUILDERS = 256;

interface Table { bySignature: Map<string, ViewBuilder>; byMask: Map<number, ViewBuilder> }
const tables = new WeakMap<CompiledSchema, Table>();
const byExtras = new WeakMap<object, { schema: CompiledSchema; mask: number; build: ViewBuilder }>();

/** The compiled builder for `mask` and the keys of `extras`, or undefined (general path). */
export function viewBuilder(schema: CompiledSchema, mask: number, extras: Readonly<Entity> | undefined): ViewBuilder | undefined {
  if (!codegenEnabled()) return undefined;
  if (extras) {
    const hit = byExtras.get(extras);
    if (hit && hit.schema === schema && hit.mask === mask) return hit.build;
  }
  let t = tables.get(schema);
  if (!t) tables.set(schema, (t = { bySignature: new Map(), byMask: new Map() }));
  if (!extras) {
    let build = t.byMask.get(mask);
    if (!build && t.byMask.size < MAX_VIEW_BUILDERS) t.byMask.set(mask, (build = compileView(schema.slots, mask, [])));
    return build;
  }
  const keys = Object.keys(extras);
  if (keys.includes('__proto__')) return undefined;
  const sig = `${mask}:${keys.join('\u0000')}`;
  let build = t.bySignature.get(sig);
  if (!build) {
    if (t.bySignature.size >= MAX_VIEW_BUILDERS) return undefined;
    t.bySignature.set(sig, (build = compileView(schema.slots, mask, keys)));
  }
  byExtras.set(extras, { schema, mask, build });
  return build;
}

const TWO_PI = 2 * Math.PI;

function compileView(slots: readonly Slot[], mask: number, extras: readonly string[]): ViewBuilder {
  let pre = '';
  const fields: string[] = [];
  for (let i = 0, m = mask; m !== 0; i++, m >>>= 1) {
    if (!(m & 1)) continue;
    const slot = slots[i] as Slot, name = literal(slot.fields[0] as string);
    switch (slot.kind) {
      case SlotKind.FLOAT:
        fields.push(`${name}: ${slot.inv ? `v[${i}] / ${slot.inv}` : `v[${i}] * ${slot.step}`}`);
        break;
      case SlotKind.ANGLE: {
        const n = 2 ** slot.bits;
        fields.push(`${name}: ((v[${i}] >= ${n / 2} ? v[${i}] - ${n} : v[${i}]) * ${TWO_PI}) / ${n}`);
        break;
      }
      case SlotKind.INT: case SlotKind.STRING:
        fields.push(`${name}: v[${i}]`);
        break;
      case SlotKind.BOOL:
        fields.push(`${name}: v[${i}] === 1`);
        break;
      default:
        pre += `dq(v[${i}], ${slot.bits}, t);\nconst q${i}_0 = t[0], q${i}_1 = t[1], q${i}_2 = t[2], q${i}_3 = t[3];\n`;
        slot.fields.forEach((f, c) => fields.push(`${literal(f)}: q${i}_${c}`));
    }
  }
  for (const k of extras) fields.push(`${literal(k)}: pv(ex[${literal(k)}])`);
  return compileFunction<ViewBuilder>('buildView', { dq: dequantizeQuat, t: [0, 0, 0, 0], pv: plainValue }, 'v, ex', `${pre}return { ${fields.join(', ')} };\n`);
}
