/**
 * A client's side of a session: joining (pass the lobby's admission on the server, link to
 * the host, present the ticket, wait for WELCOME), then forming the mesh: the newcomer links
 * to every other member; members accept links only from players the host has announced.
 * Membership changes come only from the host. A member keeps one link per player: a second
 * offer from a player it is linked to is refused, and a player that floods its mesh link is cut
 * off (its messages then come through the host, which kicks flooders). When the link to the
 * host drops without a goodbye, the member gets back into its seat (seat-reconnect.ts); when the
 * host is gone (it said HANDOVER, or the server says its socket closed), the session carries on
 * at its successor (migration.ts): we take over as host, or follow the member that did.
 */
import { HostmeshError } from '../core/errors.js';
import type { Link } from '../link/link.js';
import type { LobbyApi } from '../lobby/lobby-client.js';
import type { Network } from '../link/network.js';
import type { ClaimLobbyResponse } from '../wire/lobby-api.js';
import { isPlayerInfo, MAX_PLAYERS, type PlayerInfo } from './players.js';
import { MsgType } from '../wire/protocol.js';
import { Session } from './session.js';
import { SessionCore } from './session-core.js';
import { ClientReplication } from './client-replication.js';
import { startHostRole } from './host-role.js';
import { Succession } from './migration.js';
import { reconnectSeat } from './seat-reconnect.js';
import { readSuccession } from './succession.js';
import { parseWelcome, readWelcome, type Welcome } from './welcome.js';
import type { ResumeToken } from './resume-token.js';

/** Mesh links from players the host has not announced yet, held at most at once. */
const MAX_HELD = 8;

/** How often a member checks how long the host has been silent, ms. */
const SILENCE_CHECK_MS = 100;

/** Timing a member needs for its session (join, reconnect, migration). */
export interface MemberTiming {
  /** Time allowed for the host to answer, ms. */
  timeoutMs: number;
  /** Upper bound of the interpolation delay, ms. */
  maxInterpolationDelayMs: number;
  /** The links' heartbeat interval, ms. */
  heartbeatIntervalMs: number;
  /** Silence after which a link is treated as gone, ms. */
  peerTimeoutMs: number;
}

/** What joining needs. */
export interface JoinInit extends MemberTiming {
  code: string;
  playerName: string;
  password?: string | undefined;
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
  return startSession(net, lobby, admission.lobby.code, hostLink, welcome, init);
}

/** What resuming a seat needs. */
export interface ResumeInit extends MemberTiming {
  /** Our resume token's parts (the network was opened with its id and token). */
  resume: ResumeToken;
}

/** Takes our seat back from a new process or page (`net` holds our old id); rejects with SEAT_LOST when the host does not take it. */
export async function resumeSession(net: Network, lobby: LobbyApi, init: ResumeInit): Promise<Session> {
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
  return startSession(net, lobby, resume.code, hostLink, welcome, init);
}

/** Builds the member's session from the host's WELCOME, then links to the other members. */
async function startSession(net: Network, lobby: LobbyApi, code: string, hostLink: Link, welcome: Welcome, init: MemberTiming): Promise<Session> {
  const session = new SessionCore(net, { code, hostId: welcome.hostId, players: welcome.players });
  for (const s of welcome.spectators) session.spectators.set(s.id, s);
  session.seatToken = welcome.seat;
  session.succession = welcome.succession;
  session.epoch = welcome.succession?.epoch ?? 0;
  session.checkpoint = welcome.checkpoint;
  for (const id of welcome.away) session.away.add(id);
  try {
    session.replication = new ClientReplication(session, hostLink, welcome.tickRateHz, welcome.schema, init.maxInterpolationDelayMs);
  } catch (err) {
    hostLink.close('protocol');
    throw new HostmeshError('PROTOCOL_MISMATCH', `The host's snapshot schema is not usable here: ${(err as Error).message}`, { cause: err });
  }
  const adoptMesh = startClientRole(session, lobby, hostLink, welcome, init);
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
function startClientRole(session: SessionCore, lobby: LobbyApi, firstHostLink: Link, welcome: Welcome, timing: MemberTiming): (link: Link) => void {
  let hostLink = firstHostLink;
  let seat = welcome.seat;
  let graceMs = welcome.graceMs;
  let stopped = false; // we took over as host: this role is over
  const offs: (() => void)[] = [];
  const held = new Map<string, Link>(); // mesh links from players not yet announced by the host
  const cutOff = new Set<string>(); // players whose mesh links flooded us: refused for the session
  const emitFrame = (id: string) => (t: number, b: unknown, r: boolean) => session.internal.emit('frame', t, b, id, r);
  const replication = () => session.replication as ClientReplication;

  session.net.setOfferGate((id, metadata) => {
    const m = metadata as { kind?: unknown } | null;
    return !stopped && typeof m === 'object' && m !== null && m.kind === 'mesh' && !session.isClosed && id !== session.hostId && meshes(session, welcome)
      && !session.links.has(id) && !held.has(id) && !cutOff.has(id) && (session.roster.has(id) || held.size < MAX_HELD);
  });

  // ---- Host migration: who takes over when the host is gone (migration.ts decides). ----
  let succession: Succession | undefined;
  let pendingChange: { from: string; epoch: number; welcome: Welcome } | undefined;
  const watchSuccession = () => {
    succession?.stop();
    succession = session.succession ? new Succession(session, lobby, {
      becomeHost: (claim) => takeOver(claim),
      follow: (hostId, epoch) => {
        if (pendingChange?.from === hostId && pendingChange.epoch === epoch) { const p = pendingChange; pendingChange = undefined; acceptHostChange(p.from, p.epoch, p.welcome); return; }
        if (session.links.has(hostId)) return; // its HOST_CHANGE is on its way over our link
        session.net.connect(hostId, { kind: 'follow', epoch }).then(adoptMesh, () => { /* the next look-up tries again */ });
      },
    }) : undefined;
  };
  watchSuccession();

  /** A member says it won the lobby at `epoch`: believe it once the server confirms (migration.ts), then follow it. */
  const onHostChange = (from: string, body: unknown) => {
    const epoch = (body as { epoch?: unknown } | null)?.epoch;
    const next = parseWelcome(body);
    if (!succession || !Number.isSafeInteger(epoch) || (epoch as number) <= session.epoch || !next || next.hostId !== from || !session.roster.has(from)) return;
    pendingChange = { from, epoch: epoch as number, welcome: next };
    void succession.verify(from, epoch as number).then((real) => {
      if (real && pendingChange?.from === from && pendingChange.epoch === epoch) { pendingChange = undefined; acceptHostChange(from, epoch as number, next); }
    });
  };

  /** `hostId` won the lobby: it is our host now, over the mesh link we already have to it. */
  const acceptHostChange = (hostId: string, epoch: number, next: Welcome) => {
    const link = session.links.get(hostId);
    if (stopped || session.isClosed || !link || epoch <= session.epoch) return;
    const oldId = session.hostId;
    const oldHost = session.roster.get(oldId);
    const oldLink = hostLink;
    hostLink = link;
    session.setHost(hostId);
    session.epoch = epoch;
    seat = next.seat;
    graceMs = next.graceMs;
    session.seatToken = next.seat;
    session.succession = next.succession;
    if (next.checkpoint !== undefined) session.checkpoint = next.checkpoint;
    session.away.clear();
    for (const id of next.away) session.away.add(id);
    session.roster.delete(oldId);
    if (oldLink.remoteId === oldId) oldLink.close('local');
    const newHost = next.players.find((p) => p.id === hostId);
    if (newHost) session.roster.set(hostId, newHost);
    replication().follow(link);
    watchHostLink(link);
    syncRoster(next.players);
    watchSuccession();
    session.events.emit('hostChange', hostId);
    if (oldHost) session.events.emit('playerLeave', oldHost, 'left');
  };

  /** We won the lobby (or the host left and the server is down): we host from here, from the state we had. */
  const takeOver = (claim: ClaimLobbyResponse | undefined) => {
    const s = session.succession;
    if (stopped || session.isClosed || !s) return;
    stopped = true;
    succession?.stop();
    for (const off of offs.splice(0)) off();
    for (const link of held.values()) link.close('local');
    held.clear();
    const oldId = session.hostId;
    const oldHost = session.roster.get(oldId);
    if (hostLink.remoteId === oldId) hostLink.close('local');
    const r = replication();
    const state = r.latestState();
    const tick = r.lastTick;
    r.dispose();
    session.roster.delete(oldId);
    const self = session.roster.get(session.selfId);
    if (self) session.roster.set(self.id, { ...self, isHost: true });
    session.away.clear();
    session.setHost(session.selfId);
    startHostRole(session, {
      hostSecret: claim?.hostSecret ?? '', maxPlayers: s.settings.maxPlayers, lobby, joinTimeoutMs: timing.timeoutMs,
      tickRateHz: welcome.tickRateHz, schema: welcome.schema, maxInputsPerSecond: s.maxInputsPerSecond, settings: s.settings,
      reconnectGraceMs: graceMs, migration: true, claimSecret: s.claimSecret, epoch: claim?.hostEpoch ?? s.epoch + 1, topology: welcome.topology,
      takeover: { state: Object.keys(state).length > 0 ? state : undefined, tick, bans: s.bans, nextSeat: s.nextSeat },
    });
    session.events.emit('hostChange', session.selfId);
    if (oldHost) session.events.emit('playerLeave', oldHost, 'left');
    if (!claim) session.events.emit('lobbyLost', new HostmeshError('SERVER_UNREACHABLE', 'We took over as host while the server could not be reached, so the lobby code no longer leads here. Players in the session keep playing; host a new lobby for newcomers.'));
  };

  // How long the host has been silent: a few snapshot intervals while snapshots flow, else a heartbeat and a bit.
  const silenceTimer = setInterval(() => {
    if (stopped || session.isClosed || !succession || session.isHost) return;
    const now = performance.now();
    const silentMs = now - hostLink.lastInboundMs;
    const flowing = now - replication().lastSnapshotMs < 1000;
    const suspectMs = flowing ? Math.max(300, 10_000 / welcome.tickRateHz) : 1.25 * timing.heartbeatIntervalMs;
    if (silentMs >= suspectMs) succession.silent(silentMs, timing.peerTimeoutMs / 2);
  }, SILENCE_CHECK_MS);
  session.addCleanup(() => { clearInterval(silenceTimer); succession?.stop(); });

  // ---- Frames from the host (membership), and from the member that says it took over. ----
  offs.push(session.internal.on('frame', (type, body, fromId) => {
    if (stopped) return;
    if (fromId !== session.hostId) {
      if (type === MsgType.HOST_CHANGE) onHostChange(fromId, body);
      return;
    }
    const b = body as { player?: unknown; id?: unknown; reason?: unknown; code?: unknown; message?: unknown; succession?: unknown; d?: unknown } | null;
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
      session.away.delete(b.id);
      session.links.get(b.id)?.close('local');
      session.events.emit('playerLeave', player, typeof b.reason === 'string' ? b.reason.slice(0, 64) : 'left');
    } else if ((type === MsgType.PLAYER_DISCONNECT || type === MsgType.PLAYER_RECONNECT) && typeof b?.id === 'string') {
      const player = session.roster.get(b.id);
      if (!player || b.id === session.selfId || b.id === session.hostId) return;
      if (type === MsgType.PLAYER_DISCONNECT) session.away.add(b.id); else session.away.delete(b.id);
      session.events.emit(type === MsgType.PLAYER_DISCONNECT ? 'playerDisconnect' : 'playerReconnect', player);
    } else if (type === MsgType.REJECT) {
      const code = b?.code === 'KICKED' || b?.code === 'RATE_LIMITED' ? b.code : 'NOT_ADMITTED';
      session.close('kicked', new HostmeshError(code, typeof b?.message === 'string' ? b.message.slice(0, 300) : undefined));
    } else if (type === MsgType.HOST_STATE) {
      const next = readSuccession(b?.succession);
      if (next && next.epoch === session.epoch) session.succession = next;
    } else if (type === MsgType.CHECKPOINT && typeof b === 'object' && b !== null) {
      session.checkpoint = b.d;
      session.events.emit('checkpoint', b.d);
    } else if (type === MsgType.HANDOVER) {
      succession?.handover();
    }
  }));

  const adoptMesh = (link: Link) => {
    const id = link.remoteId;
    const live = session.links.get(id);
    if (session.isClosed || !session.roster.has(id) || cutOff.has(id) || (live && live !== link)) { link.close('local'); return; }
    link.on('flood', () => { cutOff.add(id); link.close('local'); });
    session.attach(link, emitFrame(id));
  };
  /** Watches the host link: a goodbye after HANDOVER elects a successor; a drop gets our seat back (or, the host gone, elects). */
  const watchHostLink = (link: Link) => {
    link.unlimit(); // the host is the session's authority: its snapshots are not budgeted
    link.on('close', (reason, error) => {
      if (stopped || session.isClosed || link !== hostLink) return;
      if (reason === 'remote' && succession?.hostGone) { succession.hostLeft(); return; }
      // A goodbye is final; a drop is worth getting our seat back for.
      if (reason !== 'remote' && reason !== 'protocol' && seat !== undefined && graceMs > 0) {
        const epoch = session.epoch;
        void reconnectSeat(session, {
          seat, graceMs, since: link.lastInboundMs, timeoutMs: timing.timeoutMs,
          cancelled: () => stopped || session.epoch !== epoch,
          hostUnavailable: () => { if (!succession) return false; succession.hostUnavailable(); return true; },
        }).then((back) => {
          if (!back || session.isClosed || stopped || session.epoch !== epoch) { back?.link.close('local'); return; }
          seat = back.welcome.seat;
          session.seatToken = seat;
          hostLink = back.link;
          replication().rebind(back.link);
          session.attach(back.link, emitFrame(back.link.remoteId));
          watchHostLink(back.link);
          syncRoster(back.welcome.players);
          if (back.welcome.succession) session.succession = back.welcome.succession;
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
  session.attach(hostLink, emitFrame(hostLink.remoteId));
  watchHostLink(hostLink);
  offs.push(session.net.on('link', (link) => {
    if (session.roster.has(link.remoteId)) { adoptMesh(link); return; }
    if (held.has(link.remoteId) || held.size >= MAX_HELD) { link.close('local'); return; }
    held.set(link.remoteId, link);
    const timer = setTimeout(() => { if (held.get(link.remoteId) === link) { held.delete(link.remoteId); link.close('local'); } }, 10_000);
    link.on('close', () => { clearTimeout(timer); if (held.get(link.remoteId) === link) held.delete(link.remoteId); });
  }));
  session.addCleanup(() => { for (const link of held.values()) link.close('local'); held.clear(); });
  return adoptMesh;
}
