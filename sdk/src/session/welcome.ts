/**
 * The host's WELCOME as a member reads it, on joining and on getting back into its seat: the
 * roster, the host, the tick rate and schema, the member's seat token and the seat grace. Every
 * field is checked; a REJECT becomes a typed error with the host's sentence (capped).
 */
import { HostmeshError, isErrorCode } from '../core/errors.js';
import type { Link } from '../link/link.js';
import type { Schema } from '../snapshot/schema.js';
import { MsgType } from '../wire/protocol.js';
import { isPlayerInfo, MAX_PLAYERS, type PlayerInfo } from './players.js';
import { readSuccession, type Succession } from './succession.js';

/** Codes a host may refuse or remove us with; anything else reads as NOT_ADMITTED. */
const REJECT_CODES = new Set<string>(['NOT_ADMITTED', 'LOBBY_FULL', 'KICKED', 'RATE_LIMITED']);

/** What the host tells a member it admitted (or took back into its seat). */
export interface Welcome {
  players: PlayerInfo[];
  hostId: string;
  tickRateHz: number;
  schema: Schema | undefined;
  /** Our seat token, when the host holds seats. */
  seat: string | undefined;
  /** How long the host holds a dropped member's seat, ms. */
  graceMs: number;
  /** Members whose seats are held (their links dropped): not worth dialling now. */
  away: string[];
  /** Spectators in the session (us included when we watch). */
  spectators: PlayerInfo[];
  /** How members link: 'mesh' (to each other) or 'star' (to the host only). */
  topology: 'mesh' | 'star';
  /** What a successor needs, when the host lets the session outlive it. */
  succession: Succession | undefined;
  /** The host's newest checkpoint (undefined when none). */
  checkpoint: unknown;
}

/** A WELCOME (or HOST_CHANGE) body checked field by field; undefined when it is not one (or lists a spectator among the players). */
export function parseWelcome(body: unknown): Welcome | undefined {
  const b = body as { players?: unknown; hostId?: unknown; tickRateHz?: unknown; schema?: unknown; seat?: unknown; graceMs?: unknown; away?: unknown; succession?: unknown; checkpoint?: unknown; spectators?: unknown; topology?: unknown } | null;
  if (typeof b !== 'object' || b === null || !Array.isArray(b.players) || b.players.length > MAX_PLAYERS || !b.players.every(isPlayerInfo) || typeof b.hostId !== 'string'
    || typeof b.tickRateHz !== 'number' || !(b.tickRateHz > 0 && b.tickRateHz <= 120)) return undefined;
  if (b.players.some((p) => (p as PlayerInfo).spectator === true)) return undefined;
  const schema = typeof b.schema === 'object' && b.schema !== null ? b.schema as Schema : undefined;
  const seat = typeof b.seat === 'string' && /^[0-9a-f]{32}$/.test(b.seat) ? b.seat : undefined;
  const graceMs = typeof b.graceMs === 'number' && b.graceMs >= 0 && b.graceMs <= 3_600_000 ? b.graceMs : 0;
  const away = Array.isArray(b.away) ? b.away.filter((x): x is string => typeof x === 'string').slice(0, MAX_PLAYERS) : [];
  const spectators = Array.isArray(b.spectators) ? b.spectators.filter((p): p is PlayerInfo => isPlayerInfo(p) && p.spectator === true).slice(0, MAX_PLAYERS) : [];
  const topology = b.topology === 'star' ? 'star' : 'mesh';
  return { players: b.players, hostId: b.hostId, tickRateHz: b.tickRateHz, schema, seat, graceMs, away, spectators, topology, succession: readSuccession(b.succession), checkpoint: b.checkpoint ?? undefined };
}

/** Sends the request (`send`) and resolves with the host's WELCOME; rejects on REJECT, close or timeout. */
export function readWelcome(hostLink: Link, timeoutMs: number, send: () => void): Promise<Welcome> {
  return new Promise<Welcome>((resolve, reject) => {
    const timer = setTimeout(() => done(new HostmeshError('HOST_UNREACHABLE', 'The host did not answer the join request in time. Try again.')), timeoutMs);
    const offClose = hostLink.on('close', () => done(new HostmeshError('HOST_UNREACHABLE', 'The host closed the connection before admitting us. Try again.')));
    const offMessage = hostLink.on('message', (type, body) => {
      const b = body as { code?: unknown; message?: unknown } | null;
      if (type === MsgType.REJECT) {
        const code = isErrorCode(b?.code) && REJECT_CODES.has(b.code) ? b.code : 'NOT_ADMITTED';
        done(new HostmeshError(code, typeof b?.message === 'string' ? b.message.slice(0, 300) : undefined));
      } else if (type === MsgType.WELCOME || type === MsgType.HOST_CHANGE) {
        // A host that took over meanwhile answers a returning member with HOST_CHANGE: same shape.
        const welcome = parseWelcome(body);
        if (welcome) done(undefined, welcome);
      }
    });
    function done(err?: HostmeshError, value?: Welcome) {
      clearTimeout(timer);
      offClose();
      offMessage();
      if (err) { hostLink.close('local'); reject(err); } else resolve(value!);
    }
    send();
  });
}

