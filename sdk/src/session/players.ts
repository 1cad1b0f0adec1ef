/** Player records as every member sees them; the host's view is the truth. */

/** One player in a session. */
export interface PlayerInfo {
  /** Player id (its signaling id); unique in the session. */
  readonly id: string;
  /** Display name. */
  readonly name: string;
  /** True for the session's host. */
  readonly isHost: boolean;
  /** Seat number in join order (the host is 0); a deterministic succession order for later host migration. */
  readonly seat: number;
}

/** Longest player name kept; longer names are cut. */
export const MAX_PLAYER_NAME = 32;

/** Cleans a user-supplied name: trimmed, control characters removed, cut to MAX_PLAYER_NAME. */
export function cleanPlayerName(name: unknown, fallback: string): string {
  if (typeof name !== 'string') return fallback;
  // eslint-disable-next-line no-control-regex
  const cleaned = name.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, MAX_PLAYER_NAME);
  return cleaned || fallback;
}

/** True when `value` has the shape of a PlayerInfo (for frames received from peers). */
export function isPlayerInfo(value: unknown): value is PlayerInfo {
  const p = value as PlayerInfo | null;
  return typeof p === 'object' && p !== null && typeof p.id === 'string' && typeof p.name === 'string'
    && typeof p.isHost === 'boolean' && typeof p.seat === 'number';
}
