/**
 * Packed field values: entity fields that are not numbers, booleans or short strings (nested
 * objects, arrays, long strings, `Uint8Array`, null) travel msgpack-encoded (msgpackr, no
 * records, so every packet still decodes alone).
 *
 * The host encodes such a field once per tick and compares the bytes with last tick's: equal
 * bytes keep last tick's `Packed` object, so the snapshot codec's identity compares (and its
 * per-field deltas) work on values the game mutates in place. A small value rides inline in
 * the snapshot record; a larger one is a *reference*: the record carries only its version (the
 * tick it was first committed at) and the bytes go once per client over the reliable channel
 * (STATE_VALUE, see value-store.ts), so no record outgrows a packet. Clients decode each value
 * once and share it between ticks (read-only, like entities).
 */
import { Packr } from 'msgpackr';
import { HostmeshError } from '../core/errors.js';
import { checkPlainMsgpack } from '../wire/msgpack-guard.js';

/** Largest msgpack encoding of one field value, bytes (a STATE_VALUE frame must stay under the reliable limit). */
export const MAX_FIELD_BYTES = 12 * 1024;
/** A packed value up to this many bytes rides inline in snapshot records; a larger one is sent by reference. */
export const INLINE_VALUE_BYTES = 128;
/** Strings longer than this (UTF-16 units) travel packed, like objects. */
export const INLINE_STRING_LENGTH = 64;
/** Inline bytes one entity's extra fields may use; fields past it go by reference. */
export const INLINE_ENTITY_BYTES = 480;

const packr = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true });

/** A field value in its msgpack form: the bytes, the value, and its version when sent by reference (-1: inline). */
export class Packed {
  constructor(
    /** The msgpack encoding (empty on a client until a referenced value is resolved). */
    public bytes: Uint8Array,
    /** The value (the host's own object on the host; a decoded copy on clients). */
    public value: unknown,
    /** Tick the value was first committed at when it travels by reference, else -1. */
    public ref: number,
  ) {}
}

/** Deepest nesting of arrays and objects inside one field value (the frame guard allows 32 levels in all). */
export const MAX_VALUE_DEPTH = 30;

/**
 * Why `value` cannot travel as a field value, or undefined when it can: plain objects, arrays,
 * strings, finite or not numbers, booleans, null, undefined (inside containers) and Uint8Array,
 * without cycles, at most MAX_VALUE_DEPTH deep. `at` names where in the field the problem sits.
 */
export function whyNotPackable(value: unknown): string | undefined {
  stack.length = 0;
  if (packable(value, 1)) return undefined; // the common case: no paths built
  return explain(value);
}

const stack: object[] = [];

/** Fast check, no allocation: true when `v` can travel (see whyNotPackable). */
function packable(v: unknown, depth: number): boolean {
  const t = typeof v;
  if (t === 'number' || t === 'boolean' || t === 'string' || t === 'undefined') return true;
  if (t !== 'object') return false;
  if (v === null || v instanceof Uint8Array) return true;
  const o = v as object;
  if (depth > MAX_VALUE_DEPTH || stack.includes(o)) return false;
  const isArray = Array.isArray(o);
  if (!isArray) { const proto = Object.getPrototypeOf(o) as unknown; if (proto !== Object.prototype && proto !== null) return false; }
  stack.push(o);
  let ok = true;
  if (isArray) {
    const a = o as unknown[];
    for (let i = 0; ok && i < a.length; i++) ok = packable(a[i], depth + 1);
  } else {
    const r = o as Record<string, unknown>;
    for (const k in r) {
      if (!Object.hasOwn(r, k)) continue;
      if (k === '__proto__' || !packable(r[k], depth + 1)) { ok = false; break; }
    }
  }
  stack.pop();
  return ok;
}

/** The sentence for a value `packable` refused: walks it again, naming where the problem sits. */
function explain(value: unknown): string | undefined {
  const ancestors: object[] = [];
  const where = (at: string) => (at ? ` at '${at}'` : '');
  const walk = (v: unknown, at: string, depth: number): string | undefined => {
    switch (typeof v) {
      case 'number': case 'boolean': case 'string': case 'undefined': return undefined;
      case 'function': return `holds a function${where(at)}; send data only (functions cannot be replicated).`;
      case 'symbol': return `holds a symbol${where(at)}; use a string instead.`;
      case 'bigint': return `holds a BigInt${where(at)}; use a number, or a string of its digits.`;
    }
    if (v === null || v instanceof Uint8Array) return undefined;
    const o = v as object;
    if (depth > MAX_VALUE_DEPTH) return `is nested deeper than ${MAX_VALUE_DEPTH} levels${where(at)}; flatten it.`;
    if (ancestors.includes(o)) return `refers to itself${where(at)} (a cycle); replicate a tree, e.g. ids instead of references.`;
    const isArray = Array.isArray(o), proto = Object.getPrototypeOf(o) as unknown;
    if (!isArray && proto !== Object.prototype && proto !== null)
      return `holds a ${(o.constructor as { name?: string } | undefined)?.name || 'class instance'}${where(at)}; use plain objects, arrays, strings, numbers, booleans, null or Uint8Array.`;
    ancestors.push(o);
    try {
      if (isArray) {
        const a = o as unknown[];
        for (let i = 0; i < a.length; i++) { const why = walk(a[i], `${at}[${i}]`, depth + 1); if (why) return why; }
      } else {
        for (const k of Object.keys(o)) {
          const path = `${at}${at ? '.' : ''}${k.length > 40 ? `${k.slice(0, 40)}…` : k}`;
          if (k === '__proto__') return `has a key '__proto__'${where(at)}; rename it.`;
          const why = walk((o as Record<string, unknown>)[k], path, depth + 1);
          if (why) return why;
        }
      }
    } finally {
      ancestors.pop();
    }
    return undefined;
  };
  return walk(value, '', 1);
}

/** The msgpack bytes of `value` (checked by state-check.ts beforehand; throws INVALID_ARGUMENT if it still cannot be encoded). */
export function packBytes(value: unknown): Uint8Array {
  try {
    return packr.pack(value);
  } catch (err) {
    throw new HostmeshError('INVALID_ARGUMENT', `A field value cannot be encoded: ${(err as Error).message}`, { cause: err });
  }
}

/** Decodes bytes a host packed; throws DECODE_FAILED unless they are one plain msgpack value. */
export function unpackBytes(bytes: Uint8Array): unknown {
  checkPlainMsgpack(bytes);
  try {
    return packr.unpack(bytes);
  } catch (err) {
    throw new HostmeshError('DECODE_FAILED', `A packed field value could not be decoded: ${(err as Error).message}`, { cause: err });
  }
}

/** True when two byte arrays hold the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when a field value travels packed (anything but a number, a boolean or a short string). */
export function needsPacking(v: unknown): boolean {
  const t = typeof v;
  return !(t === 'number' || t === 'boolean' || (t === 'string' && (v as string).length <= INLINE_STRING_LENGTH));
}

/** The plain value of an extras slot (unwraps a Packed). */
export function plainValue(v: unknown): unknown {
  return v instanceof Packed ? v.value : v;
}
