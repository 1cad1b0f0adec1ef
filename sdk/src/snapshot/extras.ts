/**
 * Fields outside the schema ("extras") in snapshot records: names once per packet, values typed.
 *
 * Entities of one kind carry the same extra fields, so a packet keeps a small table of extras
 * shapes (field names in order, each with a type tag). An extras record names its shape by index
 * (Exp-Golomb k=0; the table length means "new shape": field count, then each name and 3-bit tag)
 * and then writes only values: integers as zigzag Exp-Golomb (k=4), other numbers as float64,
 * strings as UTF-8 length + bytes, booleans as one bit, packed values (packed.ts) as their msgpack
 * bytes, and values sent by reference as their version (the bytes come over the reliable
 * channel; the decoder resolves them through `takePendingRefs`). A changed record whose extras keep the
 * baseline's shape sends one bit per field and only the changed values (compared by value).
 * The table starts empty in every packet, so each packet still decodes alone.
 * Read more: Gaffer on Games, "Snapshot Compression"; HPACK (RFC 7541) for per-connection name tables.
 */
import { decodeFailed, unzigzag, zigzag, type BitWriter } from './bitpack.js';
import type { BitReader } from './bit-reader.js';
import { MAX_QUANTIZED } from './qentity.js';
import type { Entity, Value } from './schema.js';
import { MAX_NAME_BYTES } from './format.js';
import { MAX_FIELD_BYTES, Packed, sameBytes, unpackBytes } from './packed.js';

/** One extras shape: field names in object order and their type tags. */
export interface ExtrasShape { readonly keys: string[]; readonly tags: number[] }

const INT = 0, FLOAT = 1, STR = 2, BOOL = 3, PACK = 4, REF = 5;
/** Bits of a type tag. */
const TAG_BITS = 3;

/** Type tag of an extras value: 0 integer (|v| < 2^50, not -0), 1 other number, 2 string, 3 boolean, 4 packed inline, 5 packed by reference. */
export function tagOf(v: Value): number {
  if (typeof v === 'number') return Number.isSafeInteger(v) && Math.abs(v) < MAX_QUANTIZED && !Object.is(v, -0) ? INT : FLOAT;
  if (typeof v === 'string') return STR;
  if (typeof v === 'boolean') return BOOL;
  return (v as Packed).ref >= 0 ? REF : PACK;
}

function writeValue(w: BitWriter, tag: number, v: Value): void {
  if (tag === INT) w.eg(zigzag(v as number), 4);
  else if (tag === FLOAT) w.float64(v as number);
  else if (tag === STR) w.string(v as string);
  else if (tag === BOOL) w.bit(v as boolean);
  else if (tag === PACK) w.byteArray((v as Packed).bytes);
  else w.varuint((v as Packed).ref);
}

/** Referenced values read since the last `takePendingRefs` (decoding is synchronous): field names and their placeholders. */
const pendingFields: string[] = [], pendingPacks: Packed[] = [];

/** True when a record read since the last `takePendingRefs` named a value sent by reference. */
export function hasPendingRefs(): boolean {
  return pendingFields.length > 0;
}

/** The referenced values of the record just read (field names and placeholders to resolve), and forgets them. */
export function takePendingRefs(fields: string[], packs: Packed[]): void {
  for (let i = 0; i < pendingFields.length; i++) { fields.push(pendingFields[i] as string); packs.push(pendingPacks[i] as Packed); }
  pendingFields.length = pendingPacks.length = 0;
}

function readValue(r: BitReader, tag: number, prev: Value | undefined, field: string): Value {
  if (tag === INT) {
    const v = unzigzag(r.eg(4));
    if (v <= -MAX_QUANTIZED || v >= MAX_QUANTIZED) decodeFailed('an integer field is out of range');
    return v;
  }
  if (tag === FLOAT) return r.float64();
  if (tag === STR) return r.stringLike(typeof prev === 'string' ? prev : undefined);
  if (tag === BOOL) return r.bit();
  if (tag === PACK) {
    const bytes = r.byteArray(MAX_FIELD_BYTES);
    // Unchanged bytes keep the older tick's decoded value: one object per value, shared between ticks.
    if (prev instanceof Packed && prev.ref < 0 && sameBytes(prev.bytes, bytes)) return prev;
    return new Packed(bytes, unpackBytes(bytes), -1);
  }
  if (tag !== REF) decodeFailed('an extras field has an unknown type tag');
  const version = r.varuint();
  if (prev instanceof Packed && prev.ref === version) return prev;
  const p = new Packed(EMPTY_BYTES, undefined, version);
  pendingFields.push(field);
  pendingPacks.push(p);
  return p;
}

const EMPTY_BYTES = new Uint8Array(0);

/** True when `e`'s keys and value types are exactly `shape`'s. */
function fits(shape: ExtrasShape, e: Readonly<Entity>): boolean {
  const { keys, tags } = shape;
  let j = 0;
  for (const k in e) {
    if (j >= keys.length || keys[j] !== k || tags[j] !== tagOf(e[k] as Value)) return false;
    j++;
  }
  return j === keys.length;
}

/** Writes `e` against the packet's shape table `shapes` (appending its shape when new). */
export function writeExtras(w: BitWriter, e: Readonly<Entity>, shapes: ExtrasShape[]): void {
  let s = 0;
  while (s < shapes.length && !fits(shapes[s] as ExtrasShape, e)) s++;
  w.eg(s, 0);
  let shape = shapes[s];
  if (!shape) {
    const keys = Object.keys(e), tags = keys.map((k) => tagOf(e[k] as Value));
    w.eg(keys.length - 1, 0);
    for (let j = 0; j < keys.length; j++) { w.string(keys[j] as string); w.bits(tags[j] as number, TAG_BITS); }
    shapes.push((shape = { keys, tags }));
  }
  const { keys, tags } = shape;
  for (let j = 0; j < keys.length; j++) writeValue(w, tags[j] as number, e[keys[j] as string] as Value);
}

/** Reads extras written by `writeExtras`; `like` (the same entity in an older tick) lends equal strings, or itself when all values are equal. */
export function readExtras(r: BitReader, shapes: ExtrasShape[], like: Readonly<Entity> | undefined): Entity {
  const s = r.eg(0);
  if (s > shapes.length) decodeFailed('an extras shape index is past the table');
  let shape = shapes[s];
  if (!shape) {
    const count = r.eg(0) + 1;
    if (count * (TAG_BITS + 3) > r.remaining()) decodeFailed('it declares more fields than it has bits');
    const keys: string[] = [], tags: number[] = [], seen = new Set<string>();
    for (let j = 0; j < count; j++) {
      const key = r.string(MAX_NAME_BYTES);
      if (key === '__proto__') decodeFailed("a field is named '__proto__'");
      if (seen.has(key)) decodeFailed('a field name repeats');
      seen.add(key);
      keys.push(key);
      const tag = r.bits(TAG_BITS);
      if (tag > REF) decodeFailed('an extras field has an unknown type tag');
      tags.push(tag);
    }
    shapes.push((shape = { keys, tags }));
  }
  const { keys, tags } = shape, n = keys.length;
  let same = like !== undefined;
  for (let j = 0; j < n; j++) {
    const prev = like?.[keys[j] as string];
    const v = (valScratch[j] = readValue(r, tags[j] as number, prev, keys[j] as string));
    same &&= Object.is(v, prev);
  }
  if (same) {
    // Shared only when its keys are in the same order too (deltas walk a baseline's keys in order).
    let m = 0;
    for (const k in like) if (keys[m++] !== k) { same = false; break; }
    if (same && m === n) return like as Entity;
  }
  const out: Entity = {};
  for (let j = 0; j < n; j++) out[keys[j] as string] = valScratch[j] as Value;
  return out;
}

const valScratch: Value[] = [];

/** Writes `cur` as changed extras of `base` (which differ): same shape → per-field changed bits and values, else a whole record. */
export function writeExtrasDelta(w: BitWriter, cur: Readonly<Entity>, base: Readonly<Entity>, shapes: ExtrasShape[]): void {
  // Same keys in the same order (the decoder rebuilds in the baseline's order) and the same types.
  const bk = Object.keys(base);
  let same = true, j = 0;
  for (const k in cur) {
    if (bk[j++] !== k || tagOf(cur[k] as Value) !== tagOf(base[k] as Value)) { same = false; break; }
  }
  same &&= j === bk.length;
  w.bit(same);
  if (!same) return writeExtras(w, cur, shapes);
  for (const k in base) {
    const b = base[k] as Value, c = cur[k] as Value;
    const changed = !Object.is(c, b);
    w.bit(changed);
    if (changed) writeValue(w, tagOf(b), c);
  }
}

/** Reads extras written by `writeExtrasDelta` against `base`. */
export function readExtrasDelta(r: BitReader, base: Readonly<Entity>, shapes: ExtrasShape[]): Entity {
  if (!r.bit()) return readExtras(r, shapes, base);
  const out: Entity = {};
  for (const k in base) {
    const b = base[k] as Value;
    out[k] = r.bit() ? readValue(r, tagOf(b), b, k) : b;
  }
  return out;
}
