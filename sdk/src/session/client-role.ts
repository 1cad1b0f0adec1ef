/**
 * A client's side of a session: joining (pass the lobby's admission on the server, link to
 * the host, present the ticket, wait for WELCOME), then forming the mesh: the newcomer links
 * to every other member; members accept links only from players the host has announced.
 * Membership changes come only from the host. A member keeps one link per player: a second
 * offer from a player it is linked to is refused, and a player that floods its mesh link is cut
 * off (its messages then come through the host, which kicks flooders). When the link to the
 * host drops without a goodbye, the member gets back into its seat (seat-reconnect.ts).
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
import { reconnectSeat } from './seat-reconnect.js';
import { readWelcome, type Welcome } from './welcome.js';
import type { ResumeToken } from './resume-token.js';
import type { Schema } from '../snapshot/schema.js';


/** Mesh links from players the host has not announced yet, held at most at once. */
const MAX_HELD = 8;


/** What joining needs. */
export interface JoinInit {
  code: string;
  playerName: string;
  password?: string | undefined;
  /** Time allowed for the host to answer, ms. */
  timeoutMs: number;
  /** Upper bound of the interpolation delay, ms. */
  maxInterpolationDelayMs: number;
  /** Join as a spectator (no seat, no inputs, links only to the host). */
  spectator?: boolean;
}

/** Joins the lobby `code` over `net`; resolves with the session once the host welcomed us. */
export async function joinSession(net: Network, lobby: LobbyApi, init: JoinInit): Promise<Session> {
  const admission = await lobby.join(init.code, { peerId: net.id, ...(init.password === undefined ? {} : { password: init.password }), ...(init.spectator ? { spectator: true } : {}) });
  let hostLink: Link;
  try {
    // The ticket rides on the offer too: the host refuses offers without one before answering.
    hostLink = await net.connect(admission.hostPeerId, { kind: 'join', ticket: admission.ticket });
  } catch (err) {
    throw new HostmeshError('HOST_UNREACHABLE', `Could not connect to the host of lobby ${admission.lobby.code}: ${(err as Error).message}`, { cause: err });
  }
  const welcome = await readWelcome(hostLink, init.timeoutMs, () => hostLink.sendReliable(MsgType.JOIN, { ticket: admission.ticket, name: init.playerName, ...(init.spectator ? { spectator: true } : {}) }));
  return startSession(net, admission.lobby.code, hostLink, welcome, init);
}

/** What resuming a seat needs. */
export interface ResumeInit {
  /** Our resume token's parts (the network was opened with its id and token). */
  resume: ResumeToken;
  /** Time allowed for the host to answer, ms. */
  timeoutMs: number;
  /** Upper bound of the interpolation delay, ms. */
  maxInterpolationDelayMs: number;
}

/** Takes our seat back from a new process or page (`net` holds our old id); rejects with SEAT_LOST when the host does not take it. */
export async function resumeSession(net: Network, init: ResumeInit): Promise<Session> {
  const { resume } = init;
  let hostLink: Link;
  try {
    hostLink = await net.connect(resume.hostId, { kind: 'rejoin', seat: resume.seat });
  } catch (err) {
    throw new HostmeshError('SEAT_LOST', `The host of lobby ${resume.code} did not take this resume token back (a wrong or used token, a seat given up, or a host that left): ${(err as Error).message} Join again with the code.`, { cause: err });
  }
  let welcome: Welcome;
  try {
    welcome = await readWelcome(hostLink, init.timeoutMs, () => hostLink.sendReliable(MsgType.REJOIN, { seat: resume.seat }));
  } catch (err) {
    throw new HostmeshError('SEAT_LOST', `The host did not take us back into our seat: ${(err as Error).message}`, { cause: err });
  }
  return startSession(net, resume.code, hostLink, welcome, init);
}

/** Builds the member's session from the host's WELCOME, then links to the other members. */
async function startSession(net: Network, code: string, hostLink: Link, welcome: Welcome, init: { timeoutMs: number; maxInterpolationDelayMs: number }): Promise<Session> {
  const session = new SessionCore(net, { code, hostId: welcome.hostId, players: welcome.players });
  for (const s of welcome.spectators) session.spectators.set(s.id, s);
  session.seatToken = welcome.seat;
  try {
    session.replication = new ClientReplication(session, hostLink, welcome.tickRateHz, welcome.schema, init.maxInterpolationDelayMs);
  } catch (err) {
    hostLink.close('protocol');
    throw new HostmeshError('PROTOCOL_MISMATCH', `The host's snapshot schema is not usable here: ${(err as Error).message}`, { cause: err });
  }
  const adoptMesh = startClientRole(session, hostLink, welcome, init.timeoutMs);
  // Mesh: link to every member already present (they accept us once the host announced us).
  // Members whose seats are held are skipped: their links dropped, an offer would wait for nothing
  // (they dial us when they are back). A star, and a spectator, link to the host only.
  if (!meshes(session, welcome)) return new Session(session);
  await Promise.allSettled(welcome.players
    .filter((p) => p.id !== session.selfId && p.id !== welcome.hostId && !welcome.away.includes(p.id) && !session.links.has(p.id))
    .map(async (p) => {
      const link = await net.connect(p.id, { kind: 'mesh' });
      adoptMesh(link);
    }));
  return new Session(session);
}

/** True when this member links to the other members (a mesh, and we are a player). */
function meshes(session: SessionCore, welcome: Welcome): boolean {
  return welcome.topology === 'mesh' && !session.spectators.has(session.selfId);
}

/** Wires the client's side into `session`; returns how to adopt a mesh link to a member. */
function startClientRole(session: SessionCore, firstHostLink: Link, welcome: Welcome, timeoutMs: number): (link: Link) => void {
  let hostLink = firstHostLink;
  let seat = welcome.seat;
  const held = new Map<string, Link>(); // mesh links from players not yet announced by the host
  const cutOff = new Set<string>(); // players whose mesh links flooded us: refused for the session
  session.net.setOfferGate((id, metadata) => {
    const m = metadata as { kind?: unknown } | null;
    return typeof m === 'object' && m !== null && m.kind === 'mesh' && !session.isClosed && id !== session.hostId && meshes(session, welcome)
      && !session.links.has(id) && !held.has(id) && !cutOff.has(id) && (session.roster.has(id) || held.size < MAX_HELD);
  });
  const onHostFrame = (type: number, body: unknown, reliable: boolean) => {
    const b = body as { player?: unknown; id?: unknown; reason?: unknown; code?: unknown; message?: unknown } | null;
    if (type === MsgType.PLAYER_JOIN && isPlayerInfo(b?.player)) {
      const player = b.player;
      // The host announces others; it cannot re-seat us or itself, nor grow the roster past any lobby's size.
      if (player.id === session.selfId || player.id === session.hostId || player.isHost) return;
      if (player.spectator) {
        if (session.roster.has(player.id) || (!session.spectators.has(player.id) && session.spectators.size >= MAX_PLAYERS)) return;
        session.spectators.set(player.id, player);
        session.events.emit('spectatorJoin', player);
        return;
      }
      if (session.spectators.has(player.id)) return;
      if (!session.roster.has(player.id) && session.roster.size >= MAX_PLAYERS) return;
      session.roster.set(player.id, player);
      const pending = held.get(player.id);
      if (pending) { held.delete(player.id); adoptMesh(pending); }
      session.events.emit('playerJoin', player);
    } else if (type === MsgType.PLAYER_LEAVE && typeof b?.id === 'string') {
      const watcher = session.spectators.get(b.id);
      if (watcher && b.id !== session.selfId) {
        session.spectators.delete(b.id);
        session.events.emit('spectatorLeave', watcher, typeof b.reason === 'string' ? b.reason : 'left');
        return;
      }
      const player = session.roster.get(b.id);
      if (!player || b.id === session.selfId || b.id === session.hostId) return;
      session.roster.delete(b.id);
      session.links.get(b.id)?.close('local');
      session.events.emit('playerLeave', player, typeof b.reason === 'string' ? b.reason : 'left');
    } else if ((type === MsgType.PLAYER_DISCONNECT || type === MsgType.PLAYER_RECONNECT) && typeof b?.id === 'string') {
      const player = session.roster.get(b.id);
      if (!player || b.id === session.selfId || b.id === session.hostId) return;
      session.events.emit(type === MsgType.PLAYER_DISCONNECT ? 'playerDisconnect' : 'playerReconnect', player);
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
  const useHostLink = (link: Link) => {
    hostLink = link;
    link.unlimit(); // the host is the session's authority: its snapshots are not budgeted
    session.attach(link, onHostFrame);
    link.on('close', (reason, error) => {
      if (session.isClosed || link !== hostLink) return;
      // A goodbye is final; a drop is worth getting our seat back for.
      if (reason !== 'remote' && reason !== 'protocol' && seat !== undefined && welcome.graceMs > 0) {
        void reconnectSeat(session, { seat, graceMs: welcome.graceMs, since: link.lastInboundMs, timeoutMs }).then((back) => {
          if (!back || session.isClosed) return;
          seat = back.welcome.seat;
          session.seatToken = seat;
          (session.replication as ClientReplication).rebind(back.link);
          useHostLink(back.link);
          syncRoster(back.welcome.players);
          session.events.emit('reconnected');
          redialMesh();
        });
        return;
      }
      session.close('host-left', new HostmeshError('HOST_LEFT', reason === 'timeout'
        ? 'The host stopped answering and is treated as gone. Host a new game or join another.'
        : error?.message ?? undefined));
    });
  };
  /** Membership changes we missed while away, from the host's WELCOME. */
  const syncRoster = (players: PlayerInfo[]) => {
    const now = new Map(players.map((p) => [p.id, p]));
    for (const [id, p] of [...session.roster]) {
      if (now.has(id) || id === session.selfId || id === session.hostId) continue;
      session.roster.delete(id);
      session.links.get(id)?.close('local');
      session.events.emit('playerLeave', p, 'left');
    }
    for (const p of players) {
      if (session.roster.has(p.id) || p.id === session.hostId || p.isHost || session.roster.size >= MAX_PLAYERS) continue;
      session.roster.set(p.id, p);
      session.events.emit('playerJoin', p);
    }
  };
  /** Links again to members our direct link to was lost with the outage (until then the host relays). */
  const redialMesh = () => {
    if (!meshes(session, welcome)) return;
    for (const id of session.roster.keys()) {
      if (id === session.selfId || id === session.hostId || session.links.has(id)) continue;
      session.net.connect(id, { kind: 'mesh' }).then(adoptMesh, () => { /* the host relays */ });
    }
  };
  useHostLink(hostLink);
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
