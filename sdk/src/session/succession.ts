/**
 * What every member keeps so that one of them can carry the session on when the host is gone:
 * the lobby's claim secret and host epoch, the lobby settings, the ban list, the next seat number
 * and the input allowance (the host sends them in WELCOME and again in HOST_STATE when they
 * change), and the order of succession: the members that are not away, lowest seat first. Every
 * member computes the same order from the same roster; the server's compare-and-swap on the epoch
 * settles the rare case where two members disagree.
 */
import { MAX_RELIABLE_BYTES } from '../wire/protocol.js';
import type { LobbySettings } from './lobby-registration.js';
import type { PlayerInfo } from './players.js';

/** Largest host checkpoint, bytes once encoded: it must fit one reliable frame with its header. */
export const MAX_CHECKPOINT_BYTES = MAX_RELIABLE_BYTES - 1024;

/** Most bans handed to a successor (the host's own cap). */
const MAX_BANS = 1024;

/** A member's copy of what taking over as host needs. */
export interface Succession {
  /** The lobby's claim secret ('' when the lobby service gave none). */
  claimSecret: string;
  /** The host epoch the current host holds the lobby at. */
  epoch: number;
  /** The lobby as created (name, capacity, visibility, password, meta, open). */
  settings: LobbySettings;
  /** Ids banned in this session. */
  bans: string[];
  /** The seat number the next newcomer gets. */
  nextSeat: number;
  /** Inputs per second per client that reach onInput. */
  maxInputsPerSecond: number;
}

/** The wire form of a Succession, checked field by field; undefined when anything is off. */
export function readSuccession(value: unknown): Succession | undefined {
  const v = value as Partial<Record<keyof Succession, unknown>> | null;
  if (typeof v !== 'object' || v === null) return undefined;
  const s = v.settings as Partial<Record<keyof LobbySettings, unknown>> | null;
  if (typeof v.claimSecret !== 'string' || v.claimSecret.length > 256 || !Number.isSafeInteger(v.epoch) || (v.epoch as number) < 0
    || !Array.isArray(v.bans) || v.bans.length > MAX_BANS || !v.bans.every((b) => typeof b === 'string' && b.length <= 64)
    || !Number.isSafeInteger(v.nextSeat) || (v.nextSeat as number) < 1 || typeof v.maxInputsPerSecond !== 'number' || !(v.maxInputsPerSecond > 0)
    || typeof s !== 'object' || s === null || typeof s.name !== 'string' || s.name.length > 64 || !Number.isInteger(s.maxPlayers)
    || typeof s.public !== 'boolean' || typeof s.open !== 'boolean' || (s.password !== undefined && s.password !== null && typeof s.password !== 'string')) return undefined;
  const meta = typeof s.meta === 'object' && s.meta !== null && !Array.isArray(s.meta) ? s.meta as LobbySettings['meta'] : undefined;
  return {
    claimSecret: v.claimSecret, epoch: v.epoch as number, bans: v.bans as string[], nextSeat: v.nextSeat as number,
    maxInputsPerSecond: v.maxInputsPerSecond,
    settings: {
      name: s.name, maxPlayers: s.maxPlayers as number, public: s.public, open: s.open, meta,
      password: typeof s.password === 'string' ? s.password : undefined,
    },
  };
}

/** True for a roster entry that watches without a seat (never elected). */
export function isSpectator(player: PlayerInfo): boolean {
  return (player as { spectator?: unknown }).spectator === true;
}

/** Who takes over when `oldHostId` is gone, in order: members that are not away and not spectators, lowest seat first. */
export function successionOrder(roster: Iterable<PlayerInfo>, oldHostId: string, away: ReadonlySet<string>): PlayerInfo[] {
  return [...roster].filter((p) => p.id !== oldHostId && !away.has(p.id) && !isSpectator(p)).sort((a, b) => a.seat - b.seat || (a.id < b.id ? -1 : 1));
}
