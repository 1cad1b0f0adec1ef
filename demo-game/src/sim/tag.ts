/**
 * Tag, judged with lag compensation: a player presses Space to tag whoever is within
 * TAG_RADIUS of it. The host judges the tag against `session.stateAt(tagger)`, the world as the
 * tagger saw it when it pressed (other avatars are drawn ~100 ms in the past on a client), not
 * the host's present, so a tag that looked right on the tagger's screen counts. The tagger's own
 * position is its authoritative present one (it is predicted on its screen). A tag steals one
 * point; each player can tag once per TAG_COOLDOWN_MS.
 */
import type { State } from 'hostmesh';
import { asPlayer, type PlayerEntity } from './arena.js';

/** Reach of a tag, px (centre to centre). */
export const TAG_RADIUS = 60;
/** Time between two tags of one player, ms. */
export const TAG_COOLDOWN_MS = 1000;

/** The player the tagger `taggerId` (at its present position `tagger`) reaches in the rewound world `seen`, nearest first. */
export function tagTarget(seen: State, taggerId: string, tagger: PlayerEntity): string | undefined {
  let best: string | undefined, bestD = TAG_RADIUS;
  for (const [id, e] of Object.entries(seen)) {
    const p = asPlayer(e);
    if (!p || id === taggerId) continue;
    const d = Math.hypot(p.x - tagger.x, p.y - tagger.y);
    if (d <= bestD) { best = id; bestD = d; }
  }
  return best;
}
