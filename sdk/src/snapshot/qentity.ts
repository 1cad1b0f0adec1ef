/**
 * The quantized entity (`QEntity`): what quantize.ts makes of one entity and what the snapshot
 * codec deltas, encodes and decodes; plus the codec's value and name limits. Its own module so
 * that the quantizer, its compiled layouts and the quantized state all import it one way.
 */
import type { Entity, Value } from './schema.js';

/** Largest |quantized integer| the codec accepts (keeps every delta and zigzag under 2^53). */
export const MAX_QUANTIZED = 2 ** 50;

/** Longest entity id or field name outside the schema, UTF-16 units. */
export const MAX_NAME_LENGTH = 256;

/** A quantized entity: presence mask over schema slots, one value per slot, other fields as-is. */
export interface QEntity {
  /** Bit i set when slot i is present. */
  readonly mask: number;
  /** Slot values (0 where absent): integers; strings for string slots; 0/1 for bools. */
  readonly v: readonly (number | string)[];
  /** Fields outside the schema, unchanged, or undefined when there are none. */
  readonly extras: Readonly<Entity> | undefined;
  /** Cached dequantized view (filled lazily, shared by every tick that holds this QEntity). */
  view: Entity | undefined;
  /** Host side, compiled layouts only: the raw field values this was quantized from, then the layout's id; equal input is recognized without quantizing. */
  readonly src: readonly Value[] | undefined;
}
