/**
 * Proximity voice: how loud a player is heard at a distance. Full volume up to `refDistance`,
 * falling linearly to silence at `maxDistance` (WebAudio's linear distance model, applied to a
 * gain so it needs no listener orientation).
 */

/** A position in the game's world units. */
export interface VoicePosition {
  /** World x. */
  x: number;
  /** World y. */
  y: number;
}

/** Proximity settings. */
export interface ProximityOptions {
  /** Distance within which a voice is at full volume, world units. */
  refDistance: number;
  /** Distance from which a voice is silent, world units. */
  maxDistance: number;
}

/** Gain 0..1 of a voice at `distance`. */
export function proximityGain(distance: number, opts: ProximityOptions): number {
  if (!Number.isFinite(distance)) return 0;
  if (distance <= opts.refDistance) return 1;
  if (distance >= opts.maxDistance) return 0;
  return 1 - (distance - opts.refDistance) / (opts.maxDistance - opts.refDistance);
}

/** Euclidean distance between two positions. */
export function distance(a: VoicePosition, b: VoicePosition): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}
