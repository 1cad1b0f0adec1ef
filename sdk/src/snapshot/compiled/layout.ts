/**
 * Compiled entity layouts: the quantizer specialized, at run time, for one key order.
 *
 * Entities of one game come in a few shapes (a player, a pickup, ...), and each shape keeps its
 * key order tick after tick. The first time a key order is seen (and quantized by the general
 * path without error), it is compiled with `new Function` into a quantizer whose property loads
 * name their field (`e.x`, so V8 keeps them monomorphic), whose per-slot work is inlined, and
 * which returns the previous tick's QEntity when nothing changed. A compiled quantizer returns
 * null on any value it does not expect, and the general path then handles (or rejects) it: the
 * compiled code never decides an error. Where code generation is refused (codegen.ts), or after
 * `MAX_LAYOUTS` shapes, the general path does it all.
 * Read more: msgpackr's record readers; V8's inline caches ("monomorphic property access").
 */
import { codegenEnabled, compileFunction, literal } from './codegen.js';
import { MAX_QUANTIZED, type QEntity } from '../qentity.js';
import { quantizeAngle, quantizeQuat } from '../quantize-scalar.js';
import { SlotKind, type CompiledSchema, type Entity, type Slot } from '../schema.js';
import { INLINE_STRING_LENGTH } from '../packed.js';

/** A compiled quantizer: the QEntity of `e` (`reuse` itself when equal), or null to take the general path. */
export type LayoutQuantizer = (e: Entity, reuse: QEntity | undefined) => QEntity | null;

/** One key order of one schema, compiled. */
export interface Layout {
  /** Keys in object order. */
  readonly keys: readonly string[];
  readonly quantize: LayoutQuantizer;
}

/** Most key orders compiled per schema; more than this and the rest use the general path. */
export const MAX_LAYOUTS = 64;

interface Table { list: Layout[]; last: Layout | undefined }
const tables = new WeakMap<CompiledSchema, Table>();
let lastSchema: CompiledSchema | undefined, lastTable: Table | undefined;

/** True when `e`'s own enumerable keys are exactly `keys`, in order. */
function keysMatch(keys: readonly string[], e: Entity): boolean {
  let j = 0;
  for (const k in e) if (keys[j++] !== k) return false;
  return j === keys.length;
}

/** The compiled layout of `e`'s key order, if one is known. */
export function findLayout(schema: CompiledSchema, e: Entity): Layout | undefined {
  const t = schema === lastSchema ? lastTable : tables.get(schema);
  lastSchema = schema;
  lastTable = t;
  if (!t || !codegenEnabled()) return undefined;
  if (t.last && keysMatch(t.last.keys, e)) return t.last;
  for (const L of t.list) if (L !== t.last && keysMatch(L.keys, e)) return (t.last = L);
  return undefined;
}

/** Compiles `e`'s key order (which the general path just quantized without error); no-op when not possible. */
export function learnLayout(schema: CompiledSchema, e: Entity): void {
  if (!codegenEnabled()) return;
  let t = tables.get(schema);
  if (!t) tables.set(schema, (t = { list: [], last: undefined }));
  if (schema === lastSchema) lastTable = t;
  if (t.list.length >= MAX_LAYOUTS || findLayout(schema, e)) return; // full, or compiled already (its quantizer declined this entity)
  const keys = Object.keys(e);
  const quantize = compileQuantizer(schema, keys);
  if (quantize) t.list.push((t.last = { keys, quantize }));
}

/** Source that returns null unless `check` holds. */
const need = (check: string): string => `if (!(${check})) return null;\n`;

/** Source that checks raw value `a` for `slot` and quantizes it into `q`. */
function slotCode(slot: Slot, a: string, q: string): string {
  const finite = `typeof ${a} === 'number' && ${a} - ${a} === 0`;
  switch (slot.kind) {
    case SlotKind.FLOAT: {
      const round = slot.inv ? `Math.round(${a} * ${slot.inv})` : `Math.round(${a} / ${slot.step})`;
      return need(finite) + `const ${q} = ${round} + 0; if (${q} >= MAX || ${q} <= -MAX) return null;\n`;
    }
    case SlotKind.ANGLE:
      return need(finite) + `const ${q} = qAngle(${a}, ${slot.bits});\n`;
    case SlotKind.INT:
      return need(`Number.isInteger(${a}) && ${a} < MAX && ${a} > -MAX`) + `const ${q} = ${a} + 0;\n`;
    case SlotKind.BOOL:
      return need(`typeof ${a} === 'boolean'`) + `const ${q} = ${a} ? 1 : 0;\n`;
    default:
      return need(`typeof ${a} === 'string' && ${a}.length <= ${slot.maxLength === Infinity ? 'Infinity' : slot.maxLength}`) + `const ${q} = ${a};\n`;
  }
}

let nextLayoutId = 1;

/**
 * Source of the quantizer for `keys`, or undefined when the key order cannot be compiled (the
 * general path keeps it). It loads every field once (a<j> for key j); returns `reuse` at once
 * when `reuse` came from this layout with the same raw values (`src`); else checks, quantizes,
 * and returns `reuse` if the quantized values are still equal, or a new QEntity.
 */
function quantizerSource(schema: CompiledSchema, keys: readonly string[]): string | undefined {
  const { slots, fieldSlot, quatComponent } = schema;
  const id = nextLayoutId++;
  let body = keys.map((key, j) => `const a${j} = e[${literal(key)}];\n`).join('');
  let mask = 0;
  const quatKeys = new Map<number, number[]>();
  const extras: number[] = [];
  keys.forEach((key, j) => {
    const si = fieldSlot.get(key);
    if (si === undefined) { extras.push(j); return; }
    mask |= 1 << si;
    if ((slots[si] as Slot).kind !== SlotKind.QUAT) return;
    const parts = quatKeys.get(si) ?? new Array<number>(4);
    parts[quatComponent.get(key) ?? 0] = j;
    quatKeys.set(si, parts);
  });
  const rawSame = keys.map((_, j) => (extras.includes(j) ? `Object.is(s[${j}], a${j})` : `s[${j}] === a${j}`)).join(' && ');
  body += `if (reuse !== undefined) { const s = reuse.src; if (s !== undefined && s[${keys.length}] === ${id}${rawSame ? ` && ${rawSame}` : ''}) return reuse; }\n`;
  keys.forEach((key, j) => {
    const si = fieldSlot.get(key);
    if (si !== undefined && (slots[si] as Slot).kind !== SlotKind.QUAT) body += slotCode(slots[si] as Slot, `a${j}`, `q${si}`);
  });
  for (const [si, parts] of quatKeys) {
    if (parts.filter((p) => p !== undefined).length !== 4) return undefined; // a partial quaternion: the general path explains
    const names = parts.map((j) => `a${j}`);
    body += need(names.map((a) => `typeof ${a} === 'number'`).join(' && '));
    body += `const q${si} = qQuat(${names.join(', ')}, ${(slots[si] as Slot).bits}); if (q${si} !== q${si}) return null;\n`;
  }
  // Objects, arrays, null and long strings travel packed (packed.ts): the general path does those.
  for (const j of extras) body += need(`typeof a${j} === 'number' || (typeof a${j} === 'string' && a${j}.length <= ${INLINE_STRING_LENGTH}) || typeof a${j} === 'boolean'`);
  const present = slots.map((_, i) => ((mask >>> i) & 1 ? `q${i}` : '0'));
  const sameValues = slots.map((_, i) => ((mask >>> i) & 1 ? ` && reuse.v[${i}] === q${i}` : '')).join('');
  let ex = 'undefined';
  if (extras.length > 0) {
    const same = extras.map((j) => `Object.is(pe[${literal(keys[j] as string)}], a${j})`).join(' && ');
    // Last tick's extras are shared when equal; from this same layout (src tag) they hold the same keys, else count them.
    body += `const pe = reuse === undefined ? undefined : reuse.extras;\n` +
      `const ex = pe !== undefined && ${same} && ((reuse.src !== undefined && reuse.src[${keys.length}] === ${id}) || countKeys(pe) === ${extras.length}) ? pe : { ${extras.map((j) => `${literal(keys[j] as string)}: a${j}`).join(', ')} };\n`;
    ex = 'ex';
  }
  body += `if (reuse !== undefined && reuse.mask === ${mask | 0}${sameValues} && reuse.extras === ${ex}) return reuse;\n`;
  body += `return { mask: ${mask | 0}, v: [${present.join(', ')}], extras: ${ex}, view: undefined, src: [${keys.map((_, j) => `a${j}`).join(', ')}${keys.length ? ', ' : ''}${id}] };\n`;
  return body;
}

function countKeys(e: Readonly<Entity>): number {
  let n = 0;
  for (const _ in e) n++;
  return n;
}

function compileQuantizer(schema: CompiledSchema, keys: readonly string[]): LayoutQuantizer | undefined {
  const body = quantizerSource(schema, keys);
  if (body === undefined) return undefined;
  return compileFunction<LayoutQuantizer>('quantizeLayout', { MAX: MAX_QUANTIZED, qAngle: quantizeAngle, qQuat: quantizeQuat, countKeys }, 'e, reuse', body);
}
