/**
 * A client's side of a session: joining (pass the lobby's admission on the server, link to
 * the host, present the ticket, wait for WELCOME), then forming the mesh: the newcomer links
 * to every other member; members accept links only from players the host has announced.
 * Membership changes come only from the host.
 */
import { HostmeshError, isErrorCode } from '../core/errors.js';
import type { Link } from '../link/link.js';
import type { LobbyApi } from '../lobby/lobby-client.js';
import type { Network } from '../link/network.js';
import { isPlayerInfo, type PlayerInfo } from './players.js';
import { MsgType } from '../wire/protocol.js';
import { Session } from './session.js';
import { SessionCore } from './session-core.js';
import { ClientReplication } from './client-replication.js';
import type { Schema } from '../snapshot/schema.js';

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
    hostLink = await net.connect(admission.hostPeerId, { kind: 'join' });
  } catch (err) {
    throw new HostmeshError('HOST_UNREACHABLE', `Could not connect to the host of lobby ${admission.lobby.code}: ${(err as Error).message}`, { cause: err });
  }
  const welcome = await new Promise<Welcome>((resolve, reject) => {
    const timer = setTimeout(() => done(new HostmeshError('HOST_UNREACHABLE', 'The host did not answer the join request in time. Try again.')), init.timeoutMs);
    const offClose = hostLink.on('close', () => done(new HostmeshError('HOST_UNREACHABLE', 'The host closed the connection before admitting us. Try again.')));
    const offMessage = hostLink.on('message', (type, body) => {
      const b = body as { players?: unknown; hostId?: unknown; code?: unknown; message?: unknown; tickRateHz?: unknown; schema?: unknown } | null;
      if (type === MsgType.REJECT) {
        const code = isErrorCode(b?.code) ? b.code : 'NOT_ADMITTED';
        done(new HostmeshError(code, typeof b?.message === 'string' ? b.message : undefined));
      } else if (type === MsgType.WELCOME && Array.isArray(b?.players) && b.players.every(isPlayerInfo) && typeof b.hostId === 'string'
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
  startClientRole(session, hostLink);
  // Mesh: link to every member already present (they accept us once the host announced us).
  await Promise.allSettled(welcome.players
    .filter((p) => p.id !== session.selfId && p.id !== welcome.hostId)
    .map(async (p) => {
      const link = await net.connect(p.id, { kind: 'mesh' });
      if (session.isClosed || !session.roster.has(p.id)) link.close('local');
      else session.attach(link, (t, b, r) => session.internal.emit('frame', t, b, p.id, r));
    }));
  return new Session(session);
}

function startClientRole(session: SessionCore, hostLink: Link): void {
  const held = new Map<string, Link>(); // mesh links from players not yet announced by the host
  const onHostFrame = (type: number, body: unknown, reliable: boolean) => {
    const b = body as { player?: unknown; id?: unknown; reason?: unknown; code?: unknown; message?: unknown } | null;
    if (type === MsgType.PLAYER_JOIN && isPlayerInfo(b?.player)) {
      const player = b.player;
      session.roster.set(player.id, player);
      const pending = held.get(player.id);
      if (pending) { held.delete(player.id); adoptMesh(pending); }
      session.events.emit('playerJoin', player);
    } else if (type === MsgType.PLAYER_LEAVE && typeof b?.id === 'string') {
      const player = session.roster.get(b.id);
      if (!player || b.id === session.selfId) return;
      session.roster.delete(b.id);
      session.links.get(b.id)?.close('local');
      session.events.emit('playerLeave', player, typeof b.reason === 'string' ? b.reason : 'left');
    } else if (type === MsgType.REJECT) {
      const code = b?.code === 'KICKED' ? 'KICKED' : 'NOT_ADMITTED';
      session.close('kicked', new HostmeshError(code, typeof b?.message === 'string' ? b.message : undefined));
    } else {
      session.internal.emit('frame', type, body, hostLink.remoteId, reliable);
    }
  };
  const adoptMesh = (link: Link) => {
    if (session.isClosed || !session.roster.has(link.remoteId)) { link.close('local'); return; }
    session.attach(link, (t, b, r) => session.internal.emit('frame', t, b, link.remoteId, r));
  };
  session.attach(hostLink, onHostFrame);
  hostLink.on('close', (reason, error) => {
    session.close('host-left', new HostmeshError('HOST_LEFT', reason === 'timeout'
      ? 'The host stopped answering and is treated as gone. Host a new game or join another.'
      : error?.message ?? undefined));
  });
  session.net.on('link', (link) => {
    if (session.roster.has(link.remoteId)) { adoptMesh(link); return; }
    held.set(link.remoteId, link);
    const timer = setTimeout(() => { if (held.get(link.remoteId) === link) { held.delete(link.remoteId); link.close('local'); } }, 10_000);
    link.on('close', () => { clearTimeout(timer); if (held.get(link.remoteId) === link) held.delete(link.remoteId); });
  });
  session.addCleanup(() => { for (const link of held.values()) link.close('local'); held.clear(); });
}
