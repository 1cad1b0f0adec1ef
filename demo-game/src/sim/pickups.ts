/**
 * Pickups: where new ones appear (a seeded random generator, so a run can be replayed) and
 * which player collected which (circle overlap, decided by the host alone).
 */
import type { State } from 'hostmesh';
import { ARENA, asPickup, asPlayer, PICKUP_RADIUS, PLAYER_RADIUS, type PickupEntity } from './arena.js';

/** A seeded generator of uniform numbers in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A new pickup at a random spot away from the walls; one in five is a gem worth 3. */
export function spawnPickup(random: () => number): PickupEntity {
  const margin = 40;
  return {
    kind: 'pickup',
    x: Math.round(margin + random() * (ARENA.width - 2 * margin)),
    y: Math.round(margin + random() * (ARENA.height - 2 * margin)),
    value: random() < 0.2 ? 3 : 1,
  };
}

/** One collection: `playerId` took pickup `pickupId` worth `value`. */
export interface Collected { playerId: string; pickupId: string; value: number }

/** Pickups touched by players in `state` (each pickup goes to the first player touching it). */
export function findCollections(state: State): Collected[] {
  const reach = (PLAYER_RADIUS + PICKUP_RADIUS) ** 2;
  const players = Object.entries(state).filter(([, e]) => asPlayer(e)).sort(([a], [b]) => (a < b ? -1 : 1));
  const out: Collected[] = [];
  for (const [pickupId, e] of Object.entries(state)) {
    const k = asPickup(e);
    if (!k) continue;
    const taker = players.find(([, p]) => ((p.x as number) - k.x) ** 2 + ((p.y as number) - k.y) ** 2 <= reach);
    if (taker) out.push({ playerId: taker[0], pickupId, value: k.value });
  }
  return out;
}

/** Number of pickups in `state`. */
export function countPickups(state: State): number {
  let n = 0;
  for (const e of Object.values(state)) if (asPickup(e)) n++;
  return n;
}
