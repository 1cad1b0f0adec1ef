/**
 * A game session as one member sees it: the players, a direct link to every other member
 * (full mesh), typed application messages on either channel, and one idempotent close.
 * Role-specific protocol lives in host-role.ts (admission, membership announcements) and
 * client-role.ts (welcome, mesh links); this file holds what both roles share.
 */
import { Emitter } from './emitter.js';
import { HostmeshError } from './errors.js';
import type { Link } from './link.js';
import type { LinkStats } from './link-stats.js';
import type { PeerNetwork } from './peer-network.js';
import type { PlayerInfo } from './players.js';
import { MsgType } from './protocol.js';
import type { ClientReplication, ClientReplicationStats, PredictionOptions } from './client-replication.js';
import type { HostReplication, HostReplicationStats } from './host-replication.js';
import type { State } from './schema.js';

/** Why a session closed. */
export type SessionCloseReason = 'left' | 'host-left' | 'kicked' | 'disconnected' | 'error';

/** Events of a session. */
export interface SessionEvents {
  /** A player joined (not fired for players already present when we joined). */
  playerJoin: [player: PlayerInfo];
  /** A player left, was kicked or timed out. */
  playerLeave: [player: PlayerInfo, reason: string];
  /** The host changed (reserved for host migration; not fired yet). */
  hostChange: [hostId: string];
  /** Host: a snapshot tick is about to be sent (timer keeps its rate in hidden tabs); simulate and setState() here. */
  tick: [tick: number, intervalMs: number];
  /** Client: a complete authoritative snapshot arrived (raw, not interpolated). */
  snapshot: [state: State, tick: number];
  /** The session closed, exactly once. */
  close: [reason: SessionCloseReason, error?: HostmeshError];
}

/** Internal events for the replication layer and roles. */
export interface SessionInternalEvents {
  /** A non-session frame from an admitted member. */
  frame: [type: number, body: unknown, fromId: string, reliable: boolean];
  /** A member's link is gone. */
  linkClosed: [id: string];
}

/** Options of `send`. */
export interface SendOptions {
  /** Reliable-ordered (default) or unreliable-unordered latest-wins. Default: true. */
  reliable?: boolean;
  /** Send to one player only. Default: every other player. */
  to?: string;
}

/** What `stats()` reports per remote player. */
export type PeerStats = LinkStats & Partial<HostReplicationStats & ClientReplicationStats>;

/** Called by close(); roles release their own resources here. */
export type RoleCleanup = (reason: SessionCloseReason) => Promise<void> | void;

/** A hostmesh session: the public face shared by host and clients. */
export class Session {
  /** Join code of the lobby. */
  readonly code: string;
  /** Our player id. */
  readonly selfId: string;
  /** Internal plumbing; not part of the public API. */
  readonly internal = new Emitter<SessionInternalEvents>();
  /** Internal plumbing; not part of the public API. */
  readonly events = new Emitter<SessionEvents>();
  /** Internal plumbing; not part of the public API. */
  readonly roster = new Map<string, PlayerInfo>();
  /** Internal plumbing; not part of the public API. */
  readonly links = new Map<string, Link>();
  /** Internal: the replication driver of this member's role. */
  replication: HostReplication | ClientReplication | undefined;
  private hostIdValue: string;
  private closed = false;
  private readonly handlers = new Map<string, Set<(data: unknown, fromId: string) => void>>();
  private cleanups: RoleCleanup[] = [];

  constructor(readonly net: PeerNetwork, init: { code: string; hostId: string; players: PlayerInfo[] }) {
    this.code = init.code;
    this.selfId = net.id;
    this.hostIdValue = init.hostId;
    for (const p of init.players) this.roster.set(p.id, p);
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

  /** Players in the session, us included, by id. */
  get players(): ReadonlyMap<string, PlayerInfo> {
    return this.roster;
  }

  /** True after the session closed. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Subscribes to a session event; returns an unsubscribe function. */
  on<K extends keyof SessionEvents>(event: K, cb: (...args: SessionEvents[K]) => void): () => void {
    return this.events.on(event, cb);
  }

  /** Subscribes to application messages of `type`; returns an unsubscribe function. */
  onMessage<T = unknown>(type: string, cb: (data: T, fromId: string) => void): () => void {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    const entry = cb as (data: unknown, fromId: string) => void;
    set.add(entry);
    return () => void set.delete(entry);
  }

  /** Sends an application message to every other player, or one (`to`). Throws MESSAGE_TOO_LARGE, INVALID_ARGUMENT. */
  send(type: string, data: unknown, options: SendOptions = {}): void {
    if (typeof type !== 'string' || type.length === 0 || type.length > 64) {
      throw new HostmeshError('INVALID_ARGUMENT', 'send(type, data): type must be a non-empty string of at most 64 characters.');
    }
    if (this.closed) throw new HostmeshError('SESSION_CLOSED');
    const reliable = options.reliable ?? true;
    const frame = { t: type, d: data };
    const targets = options.to === undefined ? [...this.roster.keys()].filter((id) => id !== this.selfId) : [options.to];
    if (options.to !== undefined && (!this.roster.has(options.to) || options.to === this.selfId)) {
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

  /** Snapshots per second the host sends. */
  get tickRateHz(): number {
    return this.replicator().tickRateHz;
  }

  /** Host: sets the authoritative state (entities of number/boolean/short-string fields); sent every tick. */
  setState(state: State): void {
    const r = this.replicator();
    if (!('setState' in r)) throw new HostmeshError('NOT_HOST', 'Only the host sets the state; clients send inputs with sendInput().');
    r.setState(state);
  }

  /** Host: the state it set. Client: the interpolated view for now (own entity predicted when enabled). */
  getState(): State {
    return this.replicator().getState();
  }

  /** Host: the state it set. Client: the newest complete authoritative snapshot, not interpolated. */
  latestState(): State {
    const r = this.replicator();
    return 'latestState' in r ? r.latestState() : r.getState();
  }

  /** Host: subscribes to players' inputs (the host's own included); call setState() after applying them. Returns an unsubscribe function. */
  onInput<I = unknown>(cb: (input: I, fromId: string) => void): () => void {
    const r = this.replicator();
    if (!('onInput' in r)) throw new HostmeshError('NOT_HOST', 'Only the host receives inputs; clients send them with sendInput().');
    return r.onInput(cb as (input: unknown, fromId: string) => void);
  }

  /** Sends an input to the host: unreliable, each packet repeating the unacknowledged ones. */
  sendInput(input: unknown): void {
    if (this.closed) throw new HostmeshError('SESSION_CLOSED');
    this.replicator().sendInput(input);
  }

  /** Client: predicts our entity with the game's `applyInput`, reconciled on each snapshot. */
  setPrediction<I>(options: PredictionOptions<I>): void {
    const r = this.replicator();
    if (!('setPrediction' in r)) throw new HostmeshError('NOT_HOST', 'The host is the authority and needs no prediction; setPrediction() is for clients.');
    r.setPrediction(options);
  }

  /** Per remote player: RTT, jitter, loss, bytes/s, drops, and snapshot figures. */
  stats(): Record<string, PeerStats> {
    const out: Record<string, PeerStats> = {};
    const r = this.replication;
    for (const [id, link] of this.links) {
      const extra = r && 'statsFor' in r ? r.statsFor(id) : r && id === this.hostIdValue ? r.stats() : {};
      out[id] = { ...link.stats(), ...extra };
    }
    return out;
  }

  /** Leaves the session: says goodbye to every peer and releases everything. */
  async leave(): Promise<void> {
    await this.shutdown('left');
  }

  private replicator(): HostReplication | ClientReplication {
    if (!this.replication) throw new HostmeshError('SESSION_CLOSED', 'This session has no replication yet.');
    return this.replication;
  }

  /** Internal: registers a role's cleanup, run once on close. */
  addCleanup(cleanup: RoleCleanup): void {
    this.cleanups.push(cleanup);
  }

  /** Internal: adopts an admitted member's link and routes its frames. */
  attach(link: Link, onFrame: (type: number, body: unknown, reliable: boolean) => void): void {
    const old = this.links.get(link.remoteId);
    if (old && old !== link) old.close('local');
    this.links.set(link.remoteId, link);
    link.on('message', (type, body, reliable) => {
      if (type === MsgType.USER) this.deliver(body, link.remoteId);
      else if (type === MsgType.RELAY || type === MsgType.RELAYED) this.relay(type, body, link, reliable);
      else onFrame(type, body, reliable);
    });
    link.on('close', () => {
      if (this.links.get(link.remoteId) === link) this.links.delete(link.remoteId);
      this.internal.emit('linkClosed', link.remoteId);
    });
  }

  /** Internal: closes the session once with `reason`. */
  close(reason: SessionCloseReason, error?: HostmeshError): void {
    void this.shutdown(reason, error);
  }

  private async shutdown(reason: SessionCloseReason, error?: HostmeshError): Promise<void> {
    if (this.closed) return;
    this.closed = true;
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
      if (from.remoteId === this.hostIdValue && typeof msg.f === 'string' && this.roster.has(msg.f)) this.deliver(msg, msg.f);
      return;
    }
    if (!this.isHost || typeof msg.to !== 'string' || !this.roster.has(from.remoteId)) return;
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
      try { cb(msg.d, fromId); } catch (err) { console.error(`[hostmesh] onMessage('${msg.t}') handler threw:`, err); }
    }
  }
}
