/**
 * Fog of war for pickups: each player sees (and is sent) only the pickups within
 * SIGHT_RADIUS of its avatar; avatars and the game entity are always seen. The host passes
 * `inSight` to `session.setInterest`, so a client's snapshots simply lack far pickups (they
 * arrive when the player comes near and vanish when it walks away); the host's own view is
 * filtered the same way before drawing. Spectators have no avatar and see everything.
 */
import type { Entity, State } from 'hostmesh';
import { asPlayer } from './arena.js';

/** How far a player sees pickups, px. */
export const SIGHT_RADIUS = 260;

/** True when `viewerId` may see entity `e` in `state`. */
export function inSight(state: State, viewerId: string, e: Entity): boolean {
  if (e.kind !== 'pickup') return true;
  const me = asPlayer(state[viewerId]);
  if (!me) return true;
  return Math.hypot((e.x as number) - me.x, (e.y as number) - me.y) <= SIGHT_RADIUS;
}

/** The part of `state` that `viewerId` sees. */
export function sightOf(state: State, viewerId: string): State {
  const out: State = {};
  for (const [id, e] of Object.entries(state)) if (inSight(state, viewerId, e)) out[id] = e;
  return out;
}
