/**
 * A client's side of a session: joining (pass the lobby's admission on the server, link to
 * the host, present the ticket, wait for WELCOME), then forming the mesh: the newcomer links
 * to every other member; members accept links only from players the host has announced.
 * Membership changes come only from the host. A member keeps one link per player: a second
 * offer from a player it is linked to is refused, and a player that floods its mesh link is cut
 * off (its messages then come through the host, which kicks flooders).
 */
import { HostmeshError, isErrorCode } from '../core/errors.js';
import type { Link } from '../link/link.js';
import type { LobbyApi } from '../lobby/lobby-client.js';
import type { Network } from '../link/network.js';
import { isPlayerInfo, MAX_PLAYERS, type PlayerInfo } from './players.js';
import { MsgType } from '../wire/protocol.js';
import { Session } from './session.js';
import { SessionCore } from './session-core.js';
import { ClientReplication } from './client-replication.js';
import type { Schema } from '../snapshot/schema.js';

/** Codes a host may refuse or remove us with; anything else reads as NOT_ADMITTED. */
const REJECT_CODES = new Set<string>(['NOT_ADMITTED', 'LOBBY_FULL', 'KICKED', 'RATE_LIMITED']);

/** Mesh links from players the host has not announced yet, held at most at once. */
const MAX_HELD = 8;

interface Welcome { players: PlayerInfo[]; hostId: string; tickRateHz: number; schema: Schema | undefined }

/** What joining needs. */
export interface JoinInit {
  code: string;
  playerName: string;
  password?: string | undefined;
  /** Time allowed for the host to answer, ms. */
  timeoutMs: number;
  /** Upper bound of the interpolation delay, ms. */
  maxInterpolationDelayMs: number;
}

/** Joins the lobby `code` over `net`; resolves with the session once the host welcomed us. */
export async function joinSession(net: Network, lobby: LobbyApi, init: JoinInit): Promise<Session> {
  const admission = await lobby.join(init.code, { peerId: net.id, ...(init.password === undefined ? {} : { password: init.password }) });
  let hostLink: Link;
  try {
    // The ticket rides on the offer too: the host refuses offers without one before answering.
    hostLink = await net.connect(admission.hostPeerId, { kind: 'join', ticket: admission.ticket });
  } catch (err) {
    throw new HostmeshError('HOST_UNREACHABLE', `Could not connect to the host of lobby ${admission.lobby.code}: ${(err as Error).message}`, { cause: err });
  }
  const welcome = await new Promise<Welcome>((resolve, reject) => {
    const timer = setTimeout(() => done(new HostmeshError('HOST_UNREACHABLE', 'The host did not answer the join request in time. Try again.')), init.timeoutMs);
    const offClose = hostLink.on('close', () => done(new HostmeshError('HOST_UNREACHABLE', 'The host closed the connection before admitting us. Try again.')));
    const offMessage = hostLink.on('message', (type, body) => {
      const b = body as { players?: unknown; hostId?: unknown; code?: unknown; message?: unknown; tickRateHz?: unknown; schema?: unknown } | null;
      if (type === MsgType.REJECT) {
        const code = isErrorCode(b?.code) && REJECT_CODES.has(b.code) ? b.code : 'NOT_ADMITTED';
        done(new HostmeshError(code, typeof b?.message === 'string' ? b.message.slice(0, 300) : undefined));
      } else if (type === MsgType.WELCOME && Array.isArray(b?.players) && b.players.length <= MAX_PLAYERS && b.players.every(isPlayerInfo) && typeof b.hostId === 'string'
        && typeof b.tickRateHz === 'number' && b.tickRateHz > 0 && b.tickRateHz <= 120) {
        const schema = typeof b.schema === 'object' && b.schema !== null ? b.schema as Schema : undefined;
        done(undefined, { players: b.players, hostId: b.hostId, tickRateHz: b.tickRateHz, schema });
      }
    });
    function done(err?: HostmeshError, value?: Welcome) {
      clearTimeout(timer);
      offClose();
      offMessage();
      if (err) { hostLink.close('local'); reject(err); } else resolve(value!);
    }
    hostLink.sendReliable(MsgType.JOIN, { ticket: admission.ticket, name: init.playerName });
  });
  const session = new SessionCore(net, { code: admission.lobby.code, hostId: welcome.hostId, players: welcome.players });
  try {
    session.replication = new ClientReplication(session, hostLink, welcome.tickRateHz, welcome.schema, init.maxInterpolationDelayMs);
  } catch (err) {
    hostLink.close('protocol');
    throw new HostmeshError('PROTOCOL_MISMATCH', `The host's snapshot schema is not usable here: ${(err as Error).message}`, { cause: err });
  }
  const adoptMesh = startClientRole(session, hostLink);
  // Mesh: link to every member already present (they accept us once the host announced us).
  await Promise.allSettled(welcome.players
    .filter((p) => p.id !== session.selfId && p.id !== welcome.hostId)
    .map(async (p) => {
      const link = await net.connect(p.id, { kind: 'mesh' });
      adoptMesh(link);
    }));
  return new Session(session);
}

/** Wires the client's side into `session`; returns how to adopt a mesh link to a member. */
function startClientRole(session: SessionCore, hostLink: Link): (link: Link) => void {
  const held = new Map<string, Link>(); // mesh links from players not yet announced by the host
  const cutOff = new Set<string>(); // players whose mesh links flooded us: refused for the session
  hostLink.unlimit(); // the host is the session's authority: its snapshots are not budgeted
  session.net.setOfferGate((id, metadata) => {
    const m = metadata as { kind?: unknown } | null;
    return typeof m === 'object' && m !== null && m.kind === 'mesh' && !session.isClosed && id !== session.hostId
      && !session.links.has(id) && !held.has(id) && !cutOff.has(id) && (session.roster.has(id) || held.size < MAX_HELD);
  });
  const onHostFrame = (type: number, body: unknown, reliable: boolean) => {
    const b = body as { player?: unknown; id?: unknown; reason?: unknown; code?: unknown; message?: unknown } | null;
    if (type === MsgType.PLAYER_JOIN && isPlayerInfo(b?.player)) {
      const player = b.player;
      // The host announces others; it cannot re-seat us or itself, nor grow the roster past any lobby's size.
      if (player.id === session.selfId || player.id === session.hostId || player.isHost) return;
      if (!session.roster.has(player.id) && session.roster.size >= MAX_PLAYERS) return;
      session.roster.set(player.id, player);
      const pending = held.get(player.id);
      if (pending) { held.delete(player.id); adoptMesh(pending); }
      session.events.emit('playerJoin', player);
    } else if (type === MsgType.PLAYER_LEAVE && typeof b?.id === 'string') {
      const player = session.roster.get(b.id);
      if (!player || b.id === session.selfId || b.id === session.hostId) return;
      session.roster.delete(b.id);
      session.links.get(b.id)?.close('local');
      session.events.emit('playerLeave', player, typeof b.reason === 'string' ? b.reason : 'left');
    } else if (type === MsgType.REJECT) {
      const code = b?.code === 'KICKED' || b?.code === 'RATE_LIMITED' ? b.code : 'NOT_ADMITTED';
      session.close('kicked', new HostmeshError(code, typeof b?.message === 'string' ? b.message.slice(0, 300) : undefined));
    } else {
      session.internal.emit('frame', type, body, hostLink.remoteId, reliable);
    }
  };
  const adoptMesh = (link: Link) => {
    const id = link.remoteId;
    const live = session.links.get(id);
    if (session.isClosed || !session.roster.has(id) || cutOff.has(id) || (live && live !== link)) { link.close('local'); return; }
    link.on('flood', () => { cutOff.add(id); link.close('local'); });
    session.attach(link, (t, b, r) => session.internal.emit('frame', t, b, id, r));
  };
  session.attach(hostLink, onHostFrame);
  hostLink.on('close', (reason, error) => {
    session.close('host-left', new HostmeshError('HOST_LEFT', reason === 'timeout'
      ? 'The host stopped answering and is treated as gone. Host a new game or join another.'
      : error?.message ?? undefined));
  });
  session.net.on('link', (link) => {
    if (session.roster.has(link.remoteId)) { adoptMesh(link); return; }
    if (held.has(link.remoteId) || held.size >= MAX_HELD) { link.close('local'); return; }
    held.set(link.remoteId, link);
    const timer = setTimeout(() => { if (held.get(link.remoteId) === link) { held.delete(link.remoteId); link.close('local'); } }, 10_000);
    link.on('close', () => { clearTimeout(timer); if (held.get(link.remoteId) === link) held.delete(link.remoteId); });
  });
  session.addCleanup(() => { for (const link of held.values()) link.close('local'); held.clear(); });
  return adoptMesh;
}
