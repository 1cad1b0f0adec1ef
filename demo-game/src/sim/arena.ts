/**
 * The arena's rules as numbers and entity shapes, shared by the host simulation, the client's
 * prediction and the renderer. Entities travel through hostmesh snapshots as flat records:
 * `x`/`y` are quantized to 0.01 px by the SDK's default schema, the rest travel as-is.
 */
import type { Entity, State } from 'hostmesh';

/** Arena size in world pixels. */
export const ARENA = { width: 960, height: 600 } as const;
/** Player circle radius, px. */
export const PLAYER_RADIUS = 18;
/** Pickup radius, px. */
export const PICKUP_RADIUS = 10;
/** Player speed, px per second. */
export const PLAYER_SPEED = 260;
/** One input covers this much time: clients send 60 inputs per second while playing. */
export const INPUT_STEP_MS = 1000 / 60;
/** Most pickups on the field at once. */
export const MAX_PICKUPS = 7;
/** A new pickup appears this often while there is room, ms. */
export const PICKUP_EVERY_MS = 900;
/** Id of the entity that carries the game phase. */
export const GAME_ID = 'game';
/** Player hues, by seat. */
export const PLAYER_COLORS = [0xf6c343, 0x4fc3f7, 0xef5da8, 0x7bd88f, 0xb18cff, 0xff8a4c, 0x5eead4, 0xf87171] as const;

/** Game phase: players gather in the lobby, then play. */
export type Phase = 'lobby' | 'play';

/** A player avatar, keyed by its hostmesh player id. */
export interface PlayerEntity extends Entity { kind: 'player'; x: number; y: number; angle: number; score: number; name: string; color: number }
/** A pickup, keyed `k<number>`. */
export interface PickupEntity extends Entity { kind: 'pickup'; x: number; y: number; value: number }
/** The game entity: phase and the host's late-join choice. */
export interface GameEntity extends Entity { kind: 'game'; phase: Phase; lateJoin: boolean }

/** The entity as a player, when it is one. */
export function asPlayer(e: Entity | undefined): PlayerEntity | undefined {
  return e?.kind === 'player' && typeof e.x === 'number' && typeof e.y === 'number' ? (e as PlayerEntity) : undefined;
}

/** The entity as a pickup, when it is one. */
export function asPickup(e: Entity | undefined): PickupEntity | undefined {
  return e?.kind === 'pickup' && typeof e.x === 'number' && typeof e.y === 'number' ? (e as PickupEntity) : undefined;
}

/** The game phase in `state` ('lobby' until the host starts). */
export function phaseOf(state: State): Phase {
  return state[GAME_ID]?.phase === 'play' ? 'play' : 'lobby';
}

/** Players in `state`, best score first, then by name. */
export function rankedPlayers(state: State): [string, PlayerEntity][] {
  const out: [string, PlayerEntity][] = [];
  for (const [id, e] of Object.entries(state)) {
    const p = asPlayer(e);
    if (p) out.push([id, p]);
  }
  return out.sort((a, b) => b[1].score - a[1].score || a[1].name.localeCompare(b[1].name));
}
