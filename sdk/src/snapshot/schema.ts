/**
 * Replication schema: how each entity field is quantized on the wire.
 *
 * A world state is `Record<entityId, Entity>` and an entity is a record of fields: numbers,
 * booleans and strings, or any msgpack value (nested objects, arrays, `Uint8Array`, null), which
 * travel msgpack-encoded (packed.ts). The schema names the number fields worth compressing
 * (positions on a grid, angles in a few bits, rotations as smallest-three quaternions); every
 * other field still travels, as-is. `compileSchema` validates a schema once and turns it into numbered slots
 * (sorted by name, so host and client agree without negotiation) plus an 8-bit fingerprint
 * that every snapshot packet carries, so a schema mismatch is detected instead of decoding
 * garbage. Read more: Glenn Fiedler, "Snapshot Compression" (gafferongames.com, 2015).
 */
import { HostmeshError } from '../core/errors.js';

/** A scalar field value: what the quantized path and short extras carry. */
export type Scalar = number | boolean | string;
/** A field value: a scalar, or any msgpack value (null, `Uint8Array`, arrays and plain objects of these); `setState` checks it. */
export type Value = Scalar | null | object;
/** One entity: a record of field values. */
export type Entity = Record<string, Value>;
/** A world state: entities by id. */
export type State = Record<string, Entity>;

/** A number quantized to integer multiples of `step` (e.g. 0.01 for centimetres). */
export interface FloatField { type: 'float'; step: number }
/** An angle in radians, wrapped and quantized to `bits` bits (2..16); decoded into [-π, π). */
export interface AngleField { type: 'angle'; bits: number }
/** A safe integer with |value| < 2^50, sent as a (delta) variable-length integer. */
export interface IntField { type: 'int' }
/** A boolean: one bit, and nothing at all in a delta beyond the "changed" bit. */
export interface BoolField { type: 'bool' }
/** A string of at most `maxLength` UTF-16 units (unbounded when omitted; a packet still caps it). */
export interface StringField { type: 'string'; maxLength?: number }
/**
 * A unit quaternion spread over four entity fields (default `qx,qy,qz,qw`), sent smallest-three:
 * 2 bits for the largest component's index plus `bits` (6..15, default 9) per other component.
 */
export interface QuatField { type: 'quat'; fields?: readonly [string, string, string, string]; bits?: number }
/** How one field (or, for `quat`, one group of four fields) is sent. */
export type FieldSpec = FloatField | AngleField | IntField | BoolField | StringField | QuatField;
/** A schema: field name (or quaternion group name) to spec. */
export type Schema = Readonly<Record<string, FieldSpec>>;

/** Slot kinds, numbered for fast dispatch. */
export const SlotKind = { FLOAT: 0, ANGLE: 1, INT: 2, BOOL: 3, STRING: 4, QUAT: 5 } as const;
/** A slot kind code. */
export type SlotKindCode = (typeof SlotKind)[keyof typeof SlotKind];

/** One compiled slot: a schema field or quaternion group with its wire parameters. */
export interface Slot {
  /** Schema key. */
  readonly name: string;
  readonly kind: SlotKindCode;
  /** Entity field names covered: one, or four for a quaternion (x, y, z, w). */
  readonly fields: readonly string[];
  /** FLOAT: grid step. */
  readonly step: number;
  /** FLOAT: 1/step when that is an integer (0.01 -> 100, so values decode as q / 100 exactly), else 0. */
  readonly inv: number;
  /** ANGLE / QUAT: bits per value / per component. */
  readonly bits: number;
  /** STRING: max UTF-16 length (Infinity when unbounded). */
  readonly maxLength: number;
}

/** A validated schema ready for the codec and the interpolator. */
export interface CompiledSchema {
  readonly slots: readonly Slot[];
  /** Entity field name to slot index (the four quaternion fields map to one slot). */
  readonly fieldSlot: ReadonlyMap<string, number>;
  /** Entity field name to component index inside a quaternion slot (0..3). */
  readonly quatComponent: ReadonlyMap<string, number>;
  /** 8-bit fingerprint carried by every snapshot packet. */
  readonly fingerprint: number;
}

/** Most slots a schema may have (presence masks are 32-bit); other fields still travel as-is. */
export const MAX_SCHEMA_SLOTS = 32;

/**
 * Schema used when none is given, fit for simple 2D and 3D games: `x,y,z,vx,vy,vz` floats on a
 * 0.01 grid, `angle` and `rotation` angles in 10 bits (0.35°), and `q` a quaternion over
 * `qx,qy,qz,qw` with 9 bits per component. Other fields travel unquantized.
 */
export const defaultSchema: Schema = Object.freeze({
  x: { type: 'float', step: 0.01 },
  y: { type: 'float', step: 0.01 },
  z: { type: 'float', step: 0.01 },
  vx: { type: 'float', step: 0.01 },
  vy: { type: 'float', step: 0.01 },
  vz: { type: 'float', step: 0.01 },
  angle: { type: 'angle', bits: 10 },
  rotation: { type: 'angle', bits: 10 },
  q: { type: 'quat', fields: ['qx', 'qy', 'qz', 'qw'], bits: 9 },
});

/** 1/step when it is (within rounding) an integer, else 0. */
export function integerInverse(step: number): number {
  const inv = 1 / step;
  const r = Math.round(inv);
  return Math.abs(inv - r) < 1e-9 * inv ? r : 0;
}

function invalid(sentence: string): HostmeshError {
  return new HostmeshError('INVALID_ARGUMENT', `Invalid schema: ${sentence}`);
}

function isInt(n: unknown, lo: number, hi: number): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= lo && n <= hi;
}

function compileSlot(name: string, spec: FieldSpec | undefined): Slot {
  const base = { name, fields: [name] as readonly string[], step: 0, inv: 0, bits: 0, maxLength: Infinity };
  if (spec === null || typeof spec !== 'object') throw invalid(`field '${name}' must be an object like { type: 'float', step: 0.01 }.`);
  switch (spec.type) {
    case 'float':
      if (typeof spec.step !== 'number' || !Number.isFinite(spec.step) || spec.step <= 0)
        throw invalid(`float field '${name}' needs a finite positive step, e.g. { type: 'float', step: 0.01 }.`);
      return { ...base, kind: SlotKind.FLOAT, step: spec.step, inv: integerInverse(spec.step) };
    case 'angle':
      if (!isInt(spec.bits, 2, 16)) throw invalid(`angle field '${name}' needs bits between 2 and 16, e.g. { type: 'angle', bits: 10 }.`);
      return { ...base, kind: SlotKind.ANGLE, bits: spec.bits };
    case 'int':
      return { ...base, kind: SlotKind.INT };
    case 'bool':
      return { ...base, kind: SlotKind.BOOL };
    case 'string':
      if (spec.maxLength !== undefined && !isInt(spec.maxLength, 0, 1 << 20))
        throw invalid(`string field '${name}' has a maxLength that is not an integer between 0 and 1048576.`);
      return { ...base, kind: SlotKind.STRING, maxLength: spec.maxLength ?? Infinity };
    case 'quat': {
      const fields = spec.fields ?? ['qx', 'qy', 'qz', 'qw'];
      const bits = spec.bits ?? 9;
      if (!Array.isArray(fields) || fields.length !== 4 || fields.some((f) => typeof f !== 'string' || f === '') || new Set(fields).size !== 4)
        throw invalid(`quat group '${name}' needs four distinct field names, e.g. fields: ['qx', 'qy', 'qz', 'qw'].`);
      if (!isInt(bits, 6, 15)) throw invalid(`quat group '${name}' needs bits between 6 and 15 (9 is a good default).`);
      return { ...base, kind: SlotKind.QUAT, fields: [...fields], bits };
    }
    default:
      throw invalid(`field '${name}' has unknown type '${String((spec as { type?: unknown }).type)}'; use float, angle, int, bool, string or quat.`);
  }
}

const cache = new WeakMap<object, CompiledSchema>();

/** Validates `schema` (throws INVALID_ARGUMENT with the reason) and compiles it; cached per object. */
export function compileSchema(schema: Schema = defaultSchema): CompiledSchema {
  if (schema === null || typeof schema !== 'object') throw invalid('a schema is an object of field name to spec.');
  const hit = cache.get(schema);
  if (hit) return hit;
  const names = Object.keys(schema).sort();
  if (names.length > MAX_SCHEMA_SLOTS)
    throw invalid(`it has ${names.length} entries; at most ${MAX_SCHEMA_SLOTS} are allowed (fields left out still travel, unquantized).`);
  const slots = names.map((n) => compileSlot(n, schema[n]));
  const fieldSlot = new Map<string, number>();
  const quatComponent = new Map<string, number>();
  slots.forEach((slot, i) => {
    slot.fields.forEach((f, c) => {
      if (fieldSlot.has(f)) throw invalid(`field '${f}' is claimed twice (by '${slots[fieldSlot.get(f) ?? 0]?.name}' and '${slot.name}').`);
      fieldSlot.set(f, i);
      if (slot.kind === SlotKind.QUAT) quatComponent.set(f, c);
    });
  });
  let h = 0x811c9dc5;
  const canon = JSON.stringify(slots.map((s) => [s.name, s.kind, s.fields, s.step, s.bits, s.maxLength === Infinity ? -1 : s.maxLength]));
  for (let i = 0; i < canon.length; i++) h = Math.imul(h ^ canon.charCodeAt(i), 0x01000193);
  const compiled: CompiledSchema = { slots, fieldSlot, quatComponent, fingerprint: (h ^ (h >>> 8) ^ (h >>> 16) ^ (h >>> 24)) & 0xff };
  cache.set(schema, compiled);
  return compiled;
}
