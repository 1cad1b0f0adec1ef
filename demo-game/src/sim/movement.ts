/**
 * Movement: the one pure `applyInput` that both the host (authority) and the client
 * (prediction) run, so a client's prediction matches what the host computes from the same
 * inputs. Inputs come from the network and are untrusted: anything malformed moves nothing.
 */
import type { Entity } from 'hostmesh';
import { ARENA, INPUT_STEP_MS, PLAYER_RADIUS, PLAYER_SPEED } from './arena.js';

/** One 1/60 s step of movement intent: a direction with length at most 1. */
export interface MoveInput { x: number; y: number }

/** The input as a direction of length ≤ 1, or undefined when it is not a valid input. */
export function cleanInput(raw: unknown): MoveInput | undefined {
  const i = raw as Partial<MoveInput> | null;
  if (typeof i !== 'object' || i === null || typeof i.x !== 'number' || typeof i.y !== 'number') return undefined;
  if (!Number.isFinite(i.x) || !Number.isFinite(i.y)) return undefined;
  const len = Math.hypot(i.x, i.y);
  return len > 1 ? { x: i.x / len, y: i.y / len } : { x: i.x, y: i.y };
}

/** Pure: the player entity after one input step (clamped to the arena); other entities unchanged. */
export function applyInput(entity: Entity, raw: unknown): Entity {
  const input = cleanInput(raw);
  const { x, y } = entity;
  if (!input || typeof x !== 'number' || typeof y !== 'number' || (input.x === 0 && input.y === 0)) return entity;
  const step = (PLAYER_SPEED * INPUT_STEP_MS) / 1000;
  return {
    ...entity,
    x: clamp(x + input.x * step, PLAYER_RADIUS, ARENA.width - PLAYER_RADIUS),
    y: clamp(y + input.y * step, PLAYER_RADIUS, ARENA.height - PLAYER_RADIUS),
    angle: Math.atan2(input.y, input.x),
  };
}

/** `v` limited to [lo, hi]. */
export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
