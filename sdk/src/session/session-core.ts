/**
 * The inside of a session, shared by both roles: the roster, a direct link to every other
 * member (full mesh), routing of frames from admitted members (application messages, relays,
 * the rest to the roles and replication as internal events), and one idempotent close.
 * Role-specific protocol lives in host-role.ts (admission, membership announcements) and
 * client-role.ts (welcome, mesh links). Games never see this object: session.ts is their face.
 */
import { Emitter } from '../core/emitter.js';
import { handlerFailed, HostmeshError } from '../core/errors.js';
import type { Link } from '../link/link.js';
import type { Network } from '../link/network.js';
import { checkSendable } from '../wire/codec.js';
import { MsgType } from '../wire/protocol.js';
import type { ClientReplication } from './client-replication.js';
import type { HostControls } from './host-controls.js';
import type { HostReplication } from './host-replication.js';
import type { PlayerInfo } from './players.js';
import type { ReplicationContext } from './replication-context.js';
import type { RoleCleanup, SessionCloseReason, SessionEvents, SessionInternalEvents } from './session-events.js';
import type { Succession } from './succession.js';

/** Options of `send`. */
export interface SendOptions {
  /** Reliable-ordered (default) or unreliable-unordered latest-wins. Default: true. */
  reliable?: boolean;
  /** Send to one player only. Default: every other player. */
  to?: string;
}

type MessageHandler = (data: unknown, fromId: string) => void;

/** Longest a close waits for its farewells (a leaving host handing the lobby over), ms. */
const FAREWELL_MS = 2000;

/** A session's state and plumbing; the roles and replication drivers work on it. */
export class SessionCore implements ReplicationContext {
  /** Join code of the lobby. */
  readonly code: string;
  /** Our player id. */
  readonly selfId: string;
  /** Frames from admitted members, and link losses, for the roles and replication. */
  readonly internal = new Emitter<SessionInternalEvents>();
  /** The public events. */
  readonly events: Emitter<SessionEvents> = new Emitter<SessionEvents>((event, err) => this.listenerFailed(event, err));
  /** Admitted members, us included: the host's is the truth. */
  readonly roster = new Map<string, PlayerInfo>();
  /** Admitted spectators, by id: they receive snapshots and messages, take no seat and send no inputs (never in `roster`, so never elected host). */
  readonly spectators = new Map<string, PlayerInfo>();
  /** Direct links by remote id. */
  readonly links = new Map<string, Link>();
  /** Client: our current seat token (changes on each return to the seat). */
  seatToken: string | undefined;
  /** The replication driver of this member's role. */
  replication: HostReplication | ClientReplication | undefined;
  /** The host's controls while we host (from the start, or since we took over). */
  hostControls: HostControls | undefined;
  /** Member: what taking over as host needs (from the host); undefined when the host does not let the session outlive it. */
  succession: Succession | undefined;
  /** The lobby's host epoch as we know it (one more per host change). */
  epoch = 0;
  /** The host's newest checkpoint (on the host: the one it set). */
  checkpoint: unknown;
  /** Member: ids whose seats the host holds (their links dropped), as the host announced. */
  readonly away = new Set<string>();
  private hostIdValue: string;
  private closed = false;
  private readonly handlers = new Map<string, Set<MessageHandler>>();
  private cleanups: RoleCleanup[] = [];
  private farewells: RoleCleanup[] = [];

  constructor(readonly net: Network, init: { code: string; hostId: string; players: PlayerInfo[] }) {
    this.code = init.code;
    this.selfId = net.id;
    this.hostIdValue = init.hostId;
    for (const p of init.players) this.roster.set(p.id, p);
    net.on('signaling', (state) => { if (!this.closed) this.events.emit('signalingChange', state); });
    net.on('disconnected', () => {
      // Signaling is only needed to admit new players: a host that lost it can carry on, but
      // nobody new can join, so say so in the close reason when nothing else is left.
      if (this.links.size === 0 && !this.isHost) this.close('disconnected', new HostmeshError('SERVER_UNREACHABLE'));
    });
  }

  /** True when we are the host. */
  get isHost(): boolean {
    return this.hostIdValue === this.selfId;
  }

  /** The host's player id. */
  get hostId(): string {
    return this.hostIdValue;
  }

  /** True after the session closed. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** The host changed (a migration): `id` hosts from now on. */
  setHost(id: string): void {
    this.hostIdValue = id;
  }

  /** Subscribes to application messages of `type`; returns an unsubscribe function. */
  onMessage(type: string, cb: MessageHandler): () => void {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    set.add(cb);
    return () => void set.delete(cb);
  }

  /** Sends an application message to every other player, or one (`to`). Throws MESSAGE_TOO_LARGE, INVALID_ARGUMENT. */
  send(type: string, data: unknown, options: SendOptions): void {
    if (typeof type !== 'string' || type.length === 0 || type.length > 64) {
      throw new HostmeshError('INVALID_ARGUMENT', 'send(type, data): type must be a non-empty string of at most 64 characters.');
    }
    if (this.closed) throw new HostmeshError('SESSION_CLOSED');
    checkSendable(data, `send('${type}'): the data`);
    const reliable = options.reliable ?? true;
    const frame = { t: type, d: data };
    const targets = options.to === undefined ? [...this.roster.keys(), ...this.spectators.keys()].filter((id) => id !== this.selfId) : [options.to];
    if (options.to !== undefined && (!this.isMember(options.to) || options.to === this.selfId)) {
      throw new HostmeshError('INVALID_ARGUMENT', `send(): no other player has id ${options.to}. Use an id from session.players.`);
    }
    for (const id of targets) {
      const direct = this.links.get(id);
      // No direct link (the mesh link failed or is still forming): the host relays it.
      const [link, type, body] = direct ? [direct, MsgType.USER, frame] : [this.links.get(this.hostIdValue), MsgType.RELAY, { to: id, ...frame }];
      if (!link) continue;
      if (reliable) link.sendReliable(type, body); else link.sendUnreliable(type, body);
    }
  }

  /** True for an admitted player or spectator. */
  isMember(id: string): boolean {
    return this.roster.has(id) || this.spectators.has(id);
  }

  /** The replication driver; throws SESSION_CLOSED before it exists. */
  replicator(): HostReplication | ClientReplication {
    if (!this.replication) throw new HostmeshError('SESSION_CLOSED', 'This session has no replication yet.');
    return this.replication;
  }

  /** Registers a role's cleanup, run once on close. */
  addCleanup(cleanup: RoleCleanup): void {
    this.cleanups.push(cleanup);
  }

  /** Registers a farewell, run (and awaited, briefly) on close before the links close: last words to the members. */
  addFarewell(farewell: RoleCleanup): void {
    this.farewells.push(farewell);
  }

  /** Adopts an admitted member's link and routes its frames. */
  attach(link: Link, onFrame: (type: number, body: unknown, reliable: boolean) => void): void {
    const old = this.links.get(link.remoteId);
    this.links.set(link.remoteId, link);
    if (old && old !== link) old.close('local');
    link.on('message', (type, body, reliable) => {
      if (type === MsgType.USER) this.deliver(body, link.remoteId);
      else if (type === MsgType.RELAY || type === MsgType.RELAYED) this.relay(type, body, link, reliable);
      else onFrame(type, body, reliable);
    });
    link.on('close', (reason) => {
      // A link that was replaced is no news: the member is still linked.
      if (this.links.get(link.remoteId) !== link) return;
      this.links.delete(link.remoteId);
      this.internal.emit('linkClosed', link.remoteId, reason);
    });
  }

  /** Reports an exception thrown by one of the game's handlers as an `error` event (or on the console when it came from an `error` listener or nobody listens). */
  reportError(error: HostmeshError): void {
    if (!this.errorListened || this.reporting) { console.error('[hostmesh]', error.message, error.cause ?? ''); return; }
    this.reporting = true;
    try { this.events.emit('error', error); } finally { this.reporting = false; }
  }

  /** True while someone listens to `error`. */
  private get errorListened(): boolean {
    return this.events.count('error') > 0;
  }

  private reporting = false;

  /** A game handler threw inside an event. */
  private listenerFailed(event: keyof SessionEvents, err: unknown): void {
    if (event === 'error') { console.error("[hostmesh] an 'error' listener threw:", err); return; }
    this.reportError(handlerFailed(`The game's '${String(event)}' handler`, err));
  }

  /** Closes the session once with `reason`. */
  close(reason: SessionCloseReason, error?: HostmeshError): void {
    void this.shutdown(reason, error);
  }

  /** Closes the session once with `reason`; resolves when everything is released. */
  async shutdown(reason: SessionCloseReason, error?: HostmeshError): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const farewells = this.farewells.splice(0);
    if (farewells.length > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([Promise.allSettled(farewells.map(async (f) => f(reason))), new Promise((r) => { timer = setTimeout(r, FAREWELL_MS); })]);
      clearTimeout(timer);
    }
    const cleanups = this.cleanups.splice(0);
    for (const link of [...this.links.values()]) link.close('local');
    this.links.clear();
    await Promise.allSettled(cleanups.map(async (c) => c(reason)));
    // Give the BYE frames a moment to leave before signaling and connections go away.
    await new Promise((r) => setTimeout(r, 60));
    this.net.destroy();
    this.events.emit('close', reason, ...(error ? [error] : []));
    this.events.clear();
    this.internal.clear();
    this.handlers.clear();
  }

  /** Host: forwards a member's RELAY to its target. Members: delivers a RELAYED from the host. */
  private relay(type: number, body: unknown, from: Link, reliable: boolean): void {
    const msg = body as { to?: unknown; f?: unknown; t?: unknown; d?: unknown } | null;
    if (typeof msg !== 'object' || msg === null) return;
    if (type === MsgType.RELAYED) {
      if (from.remoteId === this.hostIdValue && typeof msg.f === 'string' && this.isMember(msg.f)) this.deliver(msg, msg.f);
      return;
    }
    if (!this.isHost || typeof msg.to !== 'string' || typeof msg.t !== 'string' || msg.t.length > 64 || !this.isMember(from.remoteId)) return;
    const body2 = { f: from.remoteId, t: msg.t, d: msg.d };
    if (msg.to === this.selfId) { this.deliver(body2, from.remoteId); return; }
    const target = this.links.get(msg.to);
    if (!target) return;
    try {
      if (reliable) target.sendReliable(MsgType.RELAYED, body2); else target.sendUnreliable(MsgType.RELAYED, body2);
    } catch { /* over the size limit once the sender id is added: dropped */ }
  }

  private deliver(body: unknown, fromId: string): void {
    const msg = body as { t?: unknown; d?: unknown } | null;
    if (typeof msg !== 'object' || msg === null || typeof msg.t !== 'string') return;
    const set = this.handlers.get(msg.t);
    if (!set) return;
    for (const cb of [...set]) {
      try { cb(msg.d, fromId); } catch (err) { this.reportError(handlerFailed(`The onMessage('${msg.t.slice(0, 64)}') handler`, err)); }
    }
  }
}
