/** Player records as every member sees them; the host's view is the truth. */

/** One player in a session. */
export interface PlayerInfo {
  /** Player id (its signaling id); unique in the session. */
  readonly id: string;
  /** Display name. */
  readonly name: string;
  /** True for the session's host. */
  readonly isHost: boolean;
  /** Seat number in join order (the host is 0); a deterministic succession order for later host migration. -1 for a spectator. */
  readonly seat: number;
  /** True for a spectator: it watches (snapshots, messages), takes no seat, sends no inputs, never becomes host; listed in `session.spectators`, never in `players`. */
  readonly spectator?: boolean;
}

/** Most players a session can hold (the lobby API's own cap on maxPlayers). */
export const MAX_PLAYERS = 64;

/** Longest player name kept; longer names are cut. */
export const MAX_PLAYER_NAME = 32;

/** Control, zero-width and bidi-override characters: never part of a shown name. */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** Cleans a user-supplied name: trimmed, control/zero-width/bidi-override characters removed, cut to MAX_PLAYER_NAME. */
export function cleanPlayerName(name: unknown, fallback: string): string {
  if (typeof name !== 'string') return fallback;
  const cleaned = name.slice(0, 4 * MAX_PLAYER_NAME).replace(INVISIBLE, '').trim().slice(0, MAX_PLAYER_NAME);
  return cleaned || fallback;
}

/** `name`, or `name (2)`, `name (3)`, ... when another player already has it (case-insensitive): nobody can pose as another. */
export function uniquePlayerName(name: string, taken: Iterable<string>): string {
  const names = new Set<string>();
  for (const t of taken) names.add(t.toLowerCase());
  if (!names.has(name.toLowerCase())) return name;
  for (let n = 2; ; n++) {
    const suffix = ` (${n})`;
    const candidate = name.slice(0, MAX_PLAYER_NAME - suffix.length) + suffix;
    if (!names.has(candidate.toLowerCase())) return candidate;
  }
}

/** True when `value` has the shape of a PlayerInfo (for frames received from peers). */
export function isPlayerInfo(value: unknown): value is PlayerInfo {
  const p = value as PlayerInfo | null;
  return typeof p === 'object' && p !== null && typeof p.id === 'string' && p.id.length > 0 && p.id.length <= 64
    && typeof p.name === 'string' && p.name.length <= MAX_PLAYER_NAME && typeof p.isHost === 'boolean'
    && Number.isSafeInteger(p.seat) && (p.spectator === true ? p.seat === -1 : p.seat >= 0 && (p.spectator === undefined || p.spectator === false));
}
