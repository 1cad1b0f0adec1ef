/**
 * Compiled record values: the absolute values of a full record (per presence mask) and the
 * deltas of a changed record (per changed-fields mask), written, read and counted by code
 * specialized (codegen.ts) for one mask of one schema.
 *
 * The general loops in ../records.ts and ../encoder.ts walk the mask bit by bit and
 * switch on each slot's kind; entities of one game use a handful of masks, so each mask is
 * compiled once into straight-line code with the slot kinds, widths and indexes inlined. The
 * wire format is the same bit for bit: a quaternion, written as one 2 + 3·bits integer least
 * significant bit first, is read back as its three components then its index, which also
 * checks each component without unpacking. Without code generation the general loops run.
 */
import { decodeFailed, type BitWriter } from '../bitpack.js';
import type { BitReader } from '../bit-reader.js';
import { codegenEnabled, compileFunction } from './codegen.js';
import { MAX_QUANTIZED } from '../qentity.js';
import { SlotKind, type CompiledSchema, type Slot } from '../schema.js';
import { quatDiffs, readAbs, readDelta, writeDelta } from '../slot-codec.js';

/** Writes the absolute values of the slots in the mask, with per-slot Exp-Golomb orders `k`. */
export type ValuesWriter = (w: BitWriter, v: readonly (number | string)[], k: readonly number[]) => void;
/** Reads them into `v` (which holds zeros elsewhere); `slots` are the schema's (string slots are read by the general code). */
export type ValuesReader = (r: BitReader, v: (number | string)[], k: readonly number[], slots: readonly Slot[]) => void;
/** Counts the bit lengths of the zigzagged integer values into `hist` (rows of `row` entries per slot; the last one holds 1 + the largest length). */
export type ValuesCounter = (hist: Int32Array, row: number, v: readonly (number | string)[]) => void;

/** Writes the deltas of the slots in a changed-fields mask from base values `b` to `v`. */
export type DeltaWriter = (w: BitWriter, v: readonly (number | string)[], b: readonly (number | string)[], k: readonly number[]) => void;
/** Reads them into `v`, a copy of the base values. */
export type DeltaReader = (r: BitReader, v: (number | string)[], k: readonly number[]) => void;
/** Counts the bit lengths of the zigzagged deltas into `hist`. */
export type DeltaCounter = (hist: Int32Array, row: number, v: readonly (number | string)[], b: readonly (number | string)[]) => void;

/** The compiled delta functions of one changed-fields mask. */
export interface DeltaCode { readonly write: DeltaWriter; readonly read: DeltaReader; readonly count: DeltaCounter }

/** The compiled functions of one mask. */
export interface MaskCode { readonly write: ValuesWriter; readonly read: ValuesReader; readonly count: ValuesCounter }

/** Most masks compiled per schema; others use the general loops. */
export const MAX_MASKS = 256;

/** Compiled code per (schema, mask), at most MAX_MASKS per schema, with the last hit kept at hand. */
class MaskTable<T> {
  private readonly tables = new WeakMap<CompiledSchema, Map<number, T>>();
  private lastSchema: CompiledSchema | undefined;
  private lastMask = 0;
  private last: T | undefined;

  constructor(private readonly compile: (slots: readonly Slot[], mask: number) => T) {}

  get(schema: CompiledSchema, mask: number): T | undefined {
    if (!codegenEnabled()) return undefined;
    if (schema === this.lastSchema && mask === this.lastMask) return this.last;
    let table = this.tables.get(schema);
    if (!table) this.tables.set(schema, (table = new Map()));
    let code = table.get(mask);
    if (!code && table.size < MAX_MASKS) table.set(mask, (code = this.compile(schema.slots, mask)));
    this.lastSchema = schema;
    this.lastMask = mask;
    return (this.last = code);
  }
}

const maskTable = new MaskTable<MaskCode>((slots, mask) => compileMask(slots, mask));
const deltaTable = new MaskTable<DeltaCode>((slots, mask) => compileDelta(slots, mask));

/** The compiled code of presence mask `mask` under `schema`, or undefined where code generation is off or the table is full. */
export function maskCode(schema: CompiledSchema, mask: number): MaskCode | undefined {
  return maskTable.get(schema, mask);
}

/** The compiled delta code of changed-fields mask `mask`, or undefined where code generation is off or the table is full. */
export function deltaCode(schema: CompiledSchema, mask: number): DeltaCode | undefined {
  return deltaTable.get(schema, mask);
}

const ZZ = (x: string): string => `(${x} >= 0 ? ${x} * 2 : -${x} * 2 - 1)`;

function compileMask(slots: readonly Slot[], mask: number): MaskCode {
  let write = '', read = '', count = '';
  for (let i = 0, m = mask; m !== 0; i++, m >>>= 1) {
    if (!(m & 1)) continue;
    const slot = slots[i] as Slot, bits = slot.bits;
    switch (slot.kind) {
      case SlotKind.FLOAT: case SlotKind.INT:
        write += `w.eg(${ZZ(`v[${i}]`)}, k[${i}]);\n`;
        read += `u = r.eg(k[${i}]); x = u % 2 === 0 ? u / 2 : -(u + 1) / 2; if (x <= -MAX || x >= MAX) bad('a value is out of range'); v[${i}] = x;\n`;
        count += `u = v[${i}]; u = ${ZZ('u')}; b = u < 4294967296 ? 32 - Math.clz32(u) : 64 - Math.clz32(Math.floor(u / 4294967296)); hist[${i} * row + b]++; if (b >= hist[${i} * row + row - 1]) hist[${i} * row + row - 1] = b + 1;\n`;
        break;
      case SlotKind.ANGLE:
        write += `w.bits(v[${i}], ${bits});\n`;
        read += `v[${i}] = r.bits(${bits});\n`;
        break;
      case SlotKind.BOOL:
        write += `w.bits(v[${i}], 1);\n`;
        read += `v[${i}] = r.bits(1);\n`;
        break;
      case SlotKind.STRING:
        write += `w.string(v[${i}]);\n`;
        read += `v[${i}] = readAbs(r, slots[${i}], 0);\n`;
        break;
      default: {
        const max = (1 << bits) - 2, scale = 1 << bits;
        write += 2 + 3 * bits <= 32 ? `w.bits(v[${i}], ${2 + 3 * bits});\n` : `w.big(v[${i}], ${2 + 3 * bits});\n`;
        read += `c = r.bits(${bits}); b = r.bits(${bits}); a = r.bits(${bits}); x = r.bits(2);\n` +
          `if (a > ${max} || b > ${max} || c > ${max}) bad('a quaternion component is out of range');\n` +
          `v[${i}] = ((x * ${scale} + a) * ${scale} + b) * ${scale} + c;\n`;
      }
    }
  }
  const deps = { MAX: MAX_QUANTIZED, bad: decodeFailed, readAbs };
  return {
    write: compileFunction<ValuesWriter>('writeValues', deps, 'w, v, k', write),
    read: compileFunction<ValuesReader>('readValues', deps, 'r, v, k, slots', `let u = 0, x = 0, a = 0, b = 0, c = 0;\n${read}`),
    count: compileFunction<ValuesCounter>('countValues', deps, 'hist, row, v', `let u = 0, b = 0;\n${count}`),
  };
}

const COUNT = (x: string, i: number): string =>
  `u = ${ZZ(x)}; c = u < 4294967296 ? 32 - Math.clz32(u) : 64 - Math.clz32(Math.floor(u / 4294967296)); hist[${i} * row + c]++; if (c >= hist[${i} * row + row - 1]) hist[${i} * row + row - 1] = c + 1;\n`;

function compileDelta(slots: readonly Slot[], mask: number): DeltaCode {
  let write = '', read = '', count = '';
  for (let i = 0, m = mask; m !== 0; i++, m >>>= 1) {
    if (!(m & 1)) continue;
    const slot = slots[i] as Slot, n = 2 ** slot.bits;
    switch (slot.kind) {
      case SlotKind.FLOAT: case SlotKind.INT:
        write += `d = v[${i}] - b[${i}]; w.eg(${ZZ('d')}, k[${i}]);\n`;
        read += `u = r.eg(k[${i}]); x = v[${i}] + (u % 2 === 0 ? u / 2 : -(u + 1) / 2); if (x <= -MAX || x >= MAX) bad('a value is out of range'); v[${i}] = x;\n`;
        count += `d = v[${i}] - b[${i}]; ${COUNT('d', i)}`;
        break;
      case SlotKind.ANGLE: {
        const wrap = `d = (v[${i}] - b[${i}]) % ${n}; if (d >= ${n / 2}) d -= ${n}; else if (d < ${-n / 2}) d += ${n};`;
        write += `${wrap} w.eg(${ZZ('d')}, k[${i}]);\n`;
        read += `u = r.eg(k[${i}]); x = (v[${i}] + (u % 2 === 0 ? u / 2 : -(u + 1) / 2)) % ${n}; v[${i}] = x < 0 ? x + ${n} : x;\n`;
        count += `${wrap} ${COUNT('d', i)}`;
        break;
      }
      case SlotKind.BOOL:
        read += `v[${i}] = 1 - v[${i}];\n`;
        break;
      default: // strings and quaternions: the general code, called with the slot
        write += `slowWrite(w, slots[${i}], v[${i}], b[${i}], k[${i}]);\n`;
        read += `v[${i}] = slowRead(r, slots[${i}], v[${i}], k[${i}]);\n`;
        if (slot.kind === SlotKind.QUAT) count += `q = quatDiffs(v[${i}], b[${i}], ${slot.bits}); if (q) { ${COUNT('q[0]', i)}${COUNT('q[1]', i)}${COUNT('q[2]', i)}}\n`;
    }
  }
  const deps = { MAX: MAX_QUANTIZED, bad: decodeFailed, slots, slowWrite: writeDelta, slowRead: readDelta, quatDiffs };
  return {
    write: compileFunction<DeltaWriter>('writeDeltas', deps, 'w, v, b, k', `let d = 0;\n${write}`),
    read: compileFunction<DeltaReader>('readDeltas', deps, 'r, v, k', `let u = 0, x = 0;\n${read}`),
    count: compileFunction<DeltaCounter>('countDeltas', deps, 'hist, row, v, b', `let d = 0, u = 0, c = 0, q = null;\n${count}`),
  };
}
