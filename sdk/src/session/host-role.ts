/**
 * The host's side of a session: admits joiners that passed the lobby's admission (a ticket
 * signed with the host secret, bound to the joiner's id, used once), enforces capacity and
 * bans, announces membership to every member, keeps the lobby's player count on the server
 * current, and closes the lobby when the host leaves. The host's roster is the truth, and it
 * holds one link per admitted id: a second link or JOIN from a member is refused, so what
 * every member is told always matches it. A peer that floods its link is kicked and banned.
 * A member whose link drops without a goodbye keeps its seat for `reconnectGraceMs` (seats.ts):
 * the others hear PLAYER_DISCONNECT, and the member may come back on a new link with its seat
 * token (offer `{ kind: 'rejoin', seat }`, then REJOIN), or is removed with reason 'timeout'.
 * With migration on, every member also gets what a successor needs (succession.ts) and the
 * game's checkpoints; a host that leaves releases the lobby and says HANDOVER first. A member
 * that took over (migration.ts) starts this role with `takeover`: the state and tick it had, the
 * old host's bans, and HOST_CHANGE (a new seat token) to every member it is linked to; members it
 * is not linked to dial it (`{ kind: 'follow' }`) and get HOST_CHANGE on that link.
 */
import { HostmeshError } from '../core/errors.js';
import type { Link } from '../link/link.js';
import type { LobbyApi } from '../lobby/lobby-client.js';
import type { UpdateLobbyRequest } from '../wire/lobby-api.js';
import { MsgType } from '../wire/protocol.js';
import { Admission } from './admission.js';
import type { HostControls } from './host-controls.js';
import { Seats } from './seats.js';
import { LobbyRegistration, type LobbySettings } from './lobby-registration.js';
import { HostReplication } from './host-replication.js';
import { cleanPlayerName, uniquePlayerName, type PlayerInfo } from './players.js';
import type { SessionCore } from './session-core.js';
import type { Schema, State } from '../snapshot/schema.js';
import { isSpectator, successionOrder, type Succession } from './succession.js';

export type { HostControls } from './host-controls.js';

/** Shortest gap between two CHECKPOINT frames to the members, ms (newer checkpoints replace queued ones). */
export const CHECKPOINT_INTERVAL_MS = 250;

/** What a member that took over as host starts from. */
export interface Takeover {
  /** The newest authoritative state it had, and its tick. */
  state: State | undefined;
  tick: number;
  /** The old host's bans and next seat number. */
  bans: string[];
  nextSeat: number;
}

/** Links that have finished their handshake but not sent JOIN yet, at most. */
const MAX_KNOCKING = 8;

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
  /** Inputs per second per client that reach onInput. */
  maxInputsPerSecond: number;
  /** What the lobby was created with, for re-registering it after a signaling outage. */
  settings: LobbySettings;
  /** How long a dropped member's seat is held, ms (0: removed at once). */
  reconnectGraceMs: number;
  /** Spectators admitted at most (they take no player seat). Default: 16. */
  maxSpectators?: number;
  /** 'mesh': members link to each other; 'star': members link only to the host, which relays their messages. Default: 'mesh'. */
  topology?: Topology;
  /** Longest lag-compensation rewind, ms. Default: 250. */
  maxRewindMs?: number;
  /** The session outlives the host: members get what a successor needs, and a leaving host hands over. */
  migration: boolean;
  /** The lobby's claim secret ('' when none). */
  claimSecret: string;
  /** The lobby's host epoch we host it at. */
  epoch: number;
  /** Set when we took over from a host that is gone. */
  takeover?: Takeover;
}

/** How members link: everyone to everyone, or everyone to the host only. */
export type Topology = 'mesh' | 'star';

type RejectCode = 'NOT_ADMITTED' | 'LOBBY_FULL' | 'KICKED' | 'RATE_LIMITED';

/** Wires host behaviour into `session`. */
export function startHostRole(session: SessionCore, init: HostRoleInit): HostControls {
  const { net } = session;
  const takeover = init.takeover;
  let nextSeat = takeover ? Math.max(takeover.nextSeat, ...[...session.roster.values()].map((p) => p.seat + 1)) : 1;
  const door = new Admission(init.hostSecret, session.code);
  for (const id of takeover?.bans ?? []) door.ban(id, 'banned');
  const knocking = new Map<string, Link>();
  const seats = new Seats();
  const hasLobby = init.hostSecret !== '';
  session.epoch = init.epoch;
  session.replication = new HostReplication(session, init.tickRateHz, init.schema, init.maxInputsPerSecond, takeover && { state: takeover.state, tick: takeover.tick },
    init.maxRewindMs === undefined ? {} : { maxRewindMs: init.maxRewindMs });
  const maxSpectators = init.maxSpectators ?? 16, topology = init.topology ?? 'mesh';

  const succession = (): Succession | undefined => (init.migration ? {
    claimSecret: init.claimSecret, epoch: init.epoch, settings: init.settings, bans: door.banned(), nextSeat, maxInputsPerSecond: init.maxInputsPerSecond,
  } : undefined);
  /** Tells every member what a successor needs now (after a ban, an unban or a lobby update). */
  const shareSuccession = () => {
    const body = succession();
    if (!body || session.isClosed) return;
    for (const link of session.links.values()) link.sendReliable(MsgType.HOST_STATE, { succession: body });
  };

  const refuse = (link: Link, code: RejectCode, message: string) => {
    try { link.sendReliable(MsgType.REJECT, { code, message }); } catch { /* closing anyway */ }
    setTimeout(() => link.close('local'), 20);
  };

  // Offers are checked before PeerJS answers them: no ticket (or, for a member coming back, no
  // seat token), no RTCPeerConnection.
  net.setOfferGate((id, metadata) => {
    const m = metadata as { kind?: unknown; ticket?: unknown; seat?: unknown } | null;
    if (typeof m !== 'object' || m === null || session.isClosed || door.isBanned(id) || knocking.has(id) || knocking.size >= MAX_KNOCKING) return false;
    if (m.kind === 'rejoin') return session.roster.has(id) && seats.valid(id, m.seat);
    // A member of the old host that had no link to us comes to us after the takeover.
    if (m.kind === 'follow') return session.isMember(id) && id !== session.selfId && !session.links.has(id);
    return m.kind === 'join' && !session.roster.has(id) && door.ticketValid(id, m.ticket);
  });

  const welcome = (id: string) => ({
    players: [...session.roster.values()], hostId: session.selfId, tickRateHz: init.tickRateHz, schema: init.schema ?? null,
    seat: session.spectators.has(id) ? undefined : seats.issue(id), graceMs: init.reconnectGraceMs, away: seats.heldIds(), succession: succession(), checkpoint: session.checkpoint,
    spectators: [...session.spectators.values()], topology,
  });

  /** A member of the old host's session is ours now: adopt its link and give it its new view (HOST_CHANGE, a new seat token). */
  const adoptMember = (link: Link) => {
    const id = link.remoteId;
    const player = session.roster.get(id);
    if (!player) { link.close('local'); return; }
    const wasHeld = seats.isHeld(id);
    seats.reclaimed(id);
    link.on('flood', () => ban(id, 'rate-limited', 'RATE_LIMITED'));
    if (session.links.get(id) !== link) session.attach(link, (t, b, r) => session.internal.emit('frame', t, b, id, r));
    link.sendReliable(MsgType.HOST_CHANGE, { epoch: init.epoch, ...welcome(id) });
    if (!wasHeld) return;
    for (const other of session.links.values()) if (other.remoteId !== id) other.sendReliable(MsgType.PLAYER_RECONNECT, { id });
    session.events.emit('playerReconnect', player);
  };

  /** A spectator of the old host's session follows us: it keeps watching (no seat to reclaim). */
  const adoptSpectator = (link: Link) => {
    const id = link.remoteId;
    clearTimeout(spectatorTimers.get(id));
    spectatorTimers.delete(id);
    link.on('flood', () => ban(id, 'rate-limited', 'RATE_LIMITED'));
    session.attach(link, (t, b, r) => session.internal.emit('frame', t, b, id, r));
    link.sendReliable(MsgType.HOST_CHANGE, { epoch: init.epoch, ...welcome(id) });
  };
  /** Spectators of the old host not linked to us yet, by the timer that drops them if they never follow. */
  const spectatorTimers = new Map<string, ReturnType<typeof setTimeout>>();

  const admit = (link: Link, metadata: unknown) => {
    const id = link.remoteId;
    const kind = (metadata as { kind?: unknown } | null)?.kind;
    if (kind === 'follow') {
      if (session.isClosed || door.isBanned(id) || !session.isMember(id) || session.links.has(id)) link.close('local');
      else if (session.spectators.has(id)) adoptSpectator(link);
      else adoptMember(link);
      return;
    }
    const rejoin = kind === 'rejoin';
    if (session.isClosed || door.isBanned(id) || (session.roster.has(id) !== rejoin) || knocking.has(id) || knocking.size >= MAX_KNOCKING) {
      link.close('local');
      return;
    }
    knocking.set(id, link);
    link.on('flood', () => ban(id, 'rate-limited', 'RATE_LIMITED'));
    const timer = setTimeout(() => link.close('timeout'), init.joinTimeoutMs);
    const offClose = link.on('close', () => { clearTimeout(timer); if (knocking.get(id) === link) knocking.delete(id); });
    const offMessage = link.on('message', (type, body) => {
      if (type !== (rejoin ? MsgType.REJOIN : MsgType.JOIN)) return; // nothing else counts before admission
      clearTimeout(timer);
      offMessage();
      offClose();
      knocking.delete(id);
      if (rejoin) { seatBack(link, (body as { seat?: unknown } | null)?.seat); return; }
      const join = body as { ticket?: unknown; name?: unknown; spectator?: unknown } | null;
      if (session.roster.has(id) || door.isBanned(id) || !door.ticketValid(id, join?.ticket)) {
        refuse(link, 'NOT_ADMITTED', 'The host did not admit this connection: it did not come through the lobby, its ticket expired or was used already, or this player is in the session already. Join with the lobby code again.');
        return;
      }
      const spectator = join?.spectator === true;
      if (spectator ? session.spectators.size >= maxSpectators : session.roster.size >= init.maxPlayers) {
        refuse(link, 'LOBBY_FULL', spectator
          ? `This lobby has no room for more spectators (${maxSpectators}). Try again later, or join as a player.`
          : `This lobby is full (${init.maxPlayers} players). Try again when a player leaves.`);
        return;
      }
      door.consume(join!.ticket as string);
      if (spectator) { admitSpectator(link, join?.name); return; }
      const name = uniquePlayerName(cleanPlayerName(join?.name, `Player ${nextSeat + 1}`), [...session.roster.values()].map((p) => p.name));
      const player: PlayerInfo = { id, name, isHost: false, seat: nextSeat++ };
      const others = [...session.links.values()];
      session.roster.set(id, player);
      session.attach(link, (t, b, r) => session.internal.emit('frame', t, b, id, r));
      link.sendReliable(MsgType.WELCOME, welcome(id));
      for (const other of others) other.sendReliable(MsgType.PLAYER_JOIN, { player });
      reportCount();
      session.events.emit('playerJoin', player);
    });
  };

  /** A spectator takes no seat: it is kept apart from the roster (so never counted, never elected), links only to us, and is told everyone. */
  const admitSpectator = (link: Link, rawName: unknown) => {
    const id = link.remoteId;
    const taken = [...session.roster.values(), ...session.spectators.values()].map((p) => p.name);
    const spectator: PlayerInfo = { id, name: uniquePlayerName(cleanPlayerName(rawName, 'Spectator'), taken), isHost: false, seat: -1, spectator: true };
    const others = [...session.links.values()];
    session.spectators.set(id, spectator);
    session.attach(link, (t, b, r) => session.internal.emit('frame', t, b, id, r));
    link.sendReliable(MsgType.WELCOME, welcome(id));
    for (const other of others) other.sendReliable(MsgType.PLAYER_JOIN, { player: spectator });
    reportCount();
    session.events.emit('spectatorJoin', spectator);
  };

  /** A member proved its seat on a new link: it replaces the old link, and the others hear it is back. */
  const seatBack = (link: Link, token: unknown) => {
    const id = link.remoteId;
    const player = session.roster.get(id);
    if (!player || door.isBanned(id) || !seats.valid(id, token)) {
      refuse(link, 'NOT_ADMITTED', 'The host did not take this seat token: it is wrong, was used already, or the seat was given up. Join with the lobby code again.');
      return;
    }
    const wasHeld = seats.isHeld(id);
    seats.reclaimed(id);
    session.attach(link, (t, b, r) => session.internal.emit('frame', t, b, id, r));
    session.internal.emit('relinked', id);
    link.sendReliable(MsgType.WELCOME, welcome(id));
    if (!wasHeld) return; // we had not noticed the drop yet: nobody was told it was gone
    for (const other of session.links.values()) if (other.remoteId !== id) other.sendReliable(MsgType.PLAYER_RECONNECT, { id });
    session.events.emit('playerReconnect', player);
  };

  /** A member's link dropped without a goodbye: hold its seat for the grace period. */
  const hold = (id: string) => {
    const player = session.roster.get(id);
    if (!player || session.isClosed) return;
    seats.hold(id, init.reconnectGraceMs, () => remove(id, 'timeout'));
    for (const link of session.links.values()) if (link.remoteId !== id) link.sendReliable(MsgType.PLAYER_DISCONNECT, { id });
    session.events.emit('playerDisconnect', player);
  };

  const reportCount = () => {
    if (session.isClosed || !hasLobby) return;
    init.lobby.update(session.code, init.hostSecret, { players: session.roster.size, spectators: session.spectators.size }).catch(() => {
      /* the count is advisory; the host enforces capacity itself */
    });
  };

  const remove = (id: string, reason: string) => {
    const watcher = session.spectators.get(id);
    if (watcher && !session.isClosed) {
      session.spectators.delete(id);
      for (const link of session.links.values()) if (link.remoteId !== id) link.sendReliable(MsgType.PLAYER_LEAVE, { id, reason });
      reportCount();
      session.events.emit('spectatorLeave', watcher, reason);
      return;
    }
    const player = session.roster.get(id);
    if (!player || id === session.selfId || session.isClosed) return;
    seats.forget(id);
    session.roster.delete(id);
    for (const link of session.links.values()) if (link.remoteId !== id) link.sendReliable(MsgType.PLAYER_LEAVE, { id, reason });
    reportCount();
    session.events.emit('playerLeave', player, reason);
  };

  const eject = (id: string, reason: string, code: RejectCode) => {
    const link = session.links.get(id) ?? knocking.get(id);
    knocking.delete(id);
    if (link) refuse(link, code, code === 'RATE_LIMITED'
      ? 'The host removed you for sending more than a player can: check for a loop that sends every frame.'
      : `The host removed you from the session (${reason}).`);
    remove(id, reason);
  };

  const ban = (id: string, reason: string, code: RejectCode = 'KICKED') => {
    if (id === session.selfId) throw new HostmeshError('INVALID_ARGUMENT', 'The host cannot ban itself; call leave() instead.');
    door.ban(id, reason);
    eject(id, reason, code);
    shareSuccession();
  };

  /** The server refused our lobby back: if a member took over while we were away (frozen, cut off), this session is over here. */
  const replaced = (error: HostmeshError) => {
    if (!init.migration || init.claimSecret === '') { session.events.emit('lobbyLost', error); return; }
    init.lobby.hostStatus(session.code, init.claimSecret).then((status) => {
      if (session.isClosed) return;
      if (status.hostEpoch > init.epoch && status.hostPeerId !== session.selfId) {
        session.close('host-left', new HostmeshError('HOST_CHANGED', `While this host was away (frozen or cut off), ${status.hostPeerId} took over the session. Join again with the code to play on.`));
      } else session.events.emit('lobbyLost', error);
    }, () => { if (!session.isClosed) session.events.emit('lobbyLost', error); });
  };
  const registration = hasLobby
    ? new LobbyRegistration(net, init.lobby, session.code, init.hostSecret, init.settings, () => session.roster.size,
      (error) => { if (!session.isClosed) replaced(error); }, () => ({ claimSecret: init.claimSecret, hostEpoch: init.epoch }))
    : undefined;
  const offLink = net.on('link', (link, metadata) => admit(link, metadata));
  session.internal.on('linkClosed', (id, reason) => {
    // A goodbye (or our own close: kick, ban, refusal) ends the seat; a drop holds it.
    if (reason === 'remote' || reason === 'local' || reason === 'protocol' || init.reconnectGraceMs <= 0 || session.spectators.has(id)) remove(id, 'left');
    else hold(id);
  });

  // Checkpoints go to every member at a bounded rate: the newest replaces one still waiting.
  let checkpointTimer: ReturnType<typeof setTimeout> | undefined;
  let lastCheckpointMs = -Infinity;
  const sendCheckpoint = () => {
    checkpointTimer = undefined;
    if (session.isClosed) return;
    lastCheckpointMs = performance.now();
    const body = { d: session.checkpoint, k: session.replication && 'setState' in session.replication ? session.replication.currentTick : 0 };
    for (const link of session.links.values()) link.sendReliable(MsgType.CHECKPOINT, body);
  };
  session.internal.on('checkpoint', () => {
    if (!init.migration || checkpointTimer !== undefined) return;
    checkpointTimer = setTimeout(sendCheckpoint, Math.max(0, lastCheckpointMs + CHECKPOINT_INTERVAL_MS - performance.now()));
  });

  // A host that leaves with members left hands the session over: it releases the lobby (a member
  // may claim it at once) and says HANDOVER before its BYE.
  let handedOver = false;
  session.addFarewell(async (reason) => {
    if (!init.migration || reason !== 'left' || successionOrder(session.roster.values(), session.selfId, new Set(seats.heldIds())).length === 0) return;
    if (checkpointTimer !== undefined) { clearTimeout(checkpointTimer); sendCheckpoint(); }
    handedOver = true;
    if (hasLobby && !registration?.isLost) await init.lobby.release(session.code, init.hostSecret).catch(() => { /* members claim once our socket is gone */ });
    for (const link of session.links.values()) link.sendReliable(MsgType.HANDOVER, { epoch: init.epoch });
  });
  session.addCleanup(async () => {
    clearTimeout(checkpointTimer);
    offLink();
    registration?.stop();
    seats.clear();
    if (!hasLobby || registration?.isLost || handedOver) return;
    await init.lobby.close(session.code, init.hostSecret).catch(() => { /* lobby expires by itself */ });
  });

  // Taking over: every member we are linked to is ours now; the others get their seats held.
  if (takeover) {
    for (const p of [...session.roster.values()]) {
      if (p.id === session.selfId) continue;
      const link = session.links.get(p.id);
      if (link) adoptMember(link);
      else if (!isSpectator(p)) hold(p.id);
      else remove(p.id, 'left');
    }
    // Spectators linked only to the old host dial us ('follow'); those that do not within the grace are dropped.
    for (const id of session.spectators.keys()) {
      const link = session.links.get(id);
      if (link) adoptSpectator(link);
      else spectatorTimers.set(id, setTimeout(() => { spectatorTimers.delete(id); if (!session.links.has(id)) remove(id, 'left'); }, Math.max(1000, init.reconnectGraceMs)));
    }
    session.addCleanup(() => { for (const t of spectatorTimers.values()) clearTimeout(t); spectatorTimers.clear(); });
    reportCount();
  }

  const controls: HostControls = {
    updateLobby(changes: UpdateLobbyRequest) {
      if (session.isClosed) return Promise.reject(new HostmeshError('SESSION_CLOSED'));
      if (!hasLobby) return Promise.reject(new HostmeshError('LOBBY_NOT_FOUND', 'This session took over from a host while the server could not be reached, so it has no lobby on the server. Host a new lobby for newcomers.'));
      const { players: _ignored, ...rest } = changes; // the host reports the count itself
      return init.lobby.update(session.code, init.hostSecret, rest).then((info) => { registration?.updated(rest); shareSuccession(); return info; });
    },
    kick(id: string, reason = 'kicked') {
      if (id === session.selfId) throw new HostmeshError('INVALID_ARGUMENT', 'The host cannot kick itself; call leave() instead.');
      if (session.links.has(id) || knocking.has(id)) eject(id, reason, 'KICKED');
    },
    ban: (id: string, reason = 'banned') => ban(id, reason),
    unban: (id: string) => { door.unban(id); shareSuccession(); },
    banned: () => door.banned(),
  };
  session.hostControls = controls;
  return controls;
}
