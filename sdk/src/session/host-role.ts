/**
 * The host's side of a session: admits joiners that passed the lobby's admission (a ticket
 * signed with the host secret, bound to the joiner's id), enforces capacity, announces
 * membership to every member, keeps the lobby's player count on the server current, and
 * closes the lobby when the host leaves. The host's roster is the truth.
 */
import { HostmeshError } from '../core/errors.js';
import type { Link } from '../link/link.js';
import type { LobbyApi } from '../lobby/lobby-client.js';
import type { LobbyInfo, UpdateLobbyRequest } from '../wire/lobby-api.js';
import { cleanPlayerName, type PlayerInfo } from './players.js';
import { MsgType } from '../wire/protocol.js';
import type { SessionCore } from './session-core.js';
import { verifyTicket } from '../lobby/ticket.js';
import { HostReplication } from './host-replication.js';
import type { Schema } from '../snapshot/schema.js';

/** What the host role needs to know about its lobby. */
export interface HostRoleInit {
  hostSecret: string;
  maxPlayers: number;
  lobby: LobbyApi;
  /** Time a joiner has to send JOIN after its link is ready, ms. */
  joinTimeoutMs: number;
  /** Snapshots per second. */
  tickRateHz: number;
  /** Snapshot schema, sent to every joiner. */
  schema: Schema | undefined;
}

/** Host-only controls added to a hosting session. */
export interface HostControls {
  /** Removes a player: it gets KICKED, the others playerLeave. */
  kick(id: string, reason?: string): void;
  /** Updates the lobby on the server: `open: false` turns newcomers away with LOBBY_CLOSED. */
  updateLobby(changes: UpdateLobbyRequest): Promise<LobbyInfo>;
}

/** Wires host behaviour into `session`. */
export function startHostRole(session: SessionCore, init: HostRoleInit): HostControls {
  let nextSeat = 1;
  const { net } = session;
  session.replication = new HostReplication(session, init.tickRateHz, init.schema);

  const admit = (link: Link) => {
    const timer = setTimeout(() => link.close('timeout'), init.joinTimeoutMs);
    const offClose = link.on('close', () => clearTimeout(timer));
    const offMessage = link.on('message', (type, body) => {
      if (type !== MsgType.JOIN) return; // nothing else counts before admission
      clearTimeout(timer);
      offMessage();
      offClose();
      const join = body as { ticket?: unknown; name?: unknown } | null;
      const refuse = (code: 'NOT_ADMITTED' | 'LOBBY_FULL', message: string) => {
        link.sendReliable(MsgType.REJECT, { code, message });
        setTimeout(() => link.close('local'), 20);
      };
      if (!verifyTicket(init.hostSecret, session.code, link.remoteId, join?.ticket, Date.now())) {
        refuse('NOT_ADMITTED', 'The host did not admit this connection: it did not come through the lobby, or its ticket expired. Join with the lobby code again.');
        return;
      }
      if (session.roster.size >= init.maxPlayers && !session.roster.has(link.remoteId)) {
        refuse('LOBBY_FULL', `This lobby is full (${init.maxPlayers} players). Try again when a player leaves.`);
        return;
      }
      const player: PlayerInfo = { id: link.remoteId, name: cleanPlayerName(join?.name, `Player ${nextSeat + 1}`), isHost: false, seat: nextSeat++ };
      const others = [...session.links.values()];
      session.roster.set(player.id, player);
      session.attach(link, (t, b) => session.internal.emit('frame', t, b, link.remoteId, true));
      link.sendReliable(MsgType.WELCOME, {
        players: [...session.roster.values()], hostId: session.selfId, tickRateHz: init.tickRateHz, schema: init.schema ?? null,
      });
      for (const other of others) other.sendReliable(MsgType.PLAYER_JOIN, { player });
      reportCount();
      session.events.emit('playerJoin', player);
    });
  };

  const reportCount = () => {
    if (session.isClosed) return;
    init.lobby.update(session.code, init.hostSecret, { players: session.roster.size }).catch(() => {
      /* the count is advisory; the host enforces capacity itself */
    });
  };

  const remove = (id: string, reason: string) => {
    const player = session.roster.get(id);
    if (!player || id === session.selfId || session.isClosed) return;
    session.roster.delete(id);
    for (const link of session.links.values()) link.sendReliable(MsgType.PLAYER_LEAVE, { id, reason });
    reportCount();
    session.events.emit('playerLeave', player, reason);
  };

  net.on('link', (link) => admit(link));
  session.internal.on('linkClosed', (id) => remove(id, 'left'));
  session.addCleanup(async () => {
    await init.lobby.close(session.code, init.hostSecret).catch(() => { /* lobby expires by itself */ });
  });

  return {
    updateLobby(changes: UpdateLobbyRequest) {
      if (session.isClosed) return Promise.reject(new HostmeshError('SESSION_CLOSED'));
      const { players: _ignored, ...rest } = changes; // the host reports the count itself
      return init.lobby.update(session.code, init.hostSecret, rest);
    },
    kick(id: string, reason = 'kicked') {
      if (id === session.selfId) throw new HostmeshError('INVALID_ARGUMENT', 'The host cannot kick itself; call leave() instead.');
      const link = session.links.get(id);
      if (!link) return;
      link.sendReliable(MsgType.REJECT, { code: 'KICKED', message: `The host removed you from the session (${reason}).` });
      remove(id, reason);
      setTimeout(() => link.close('local'), 20);
    },
  };
}
