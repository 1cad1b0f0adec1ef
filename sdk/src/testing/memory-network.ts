/**
 * In-memory networks: a hub that plays the signaling server, and one MemoryNetwork endpoint
 * per session, making Links over in-memory channel pairs (link/memory-channel.ts) instead of
 * WebRTC. Each link still runs the real handshake, heartbeat, codec and conditioner; the hub
 * can freeze a player (its sends vanish, nobody is told: the heartbeat must notice), cut its
 * links (both ends see them close) or take its signaling away, for fault tests.
 */
import { Emitter } from '../core/emitter.js';
import { HostmeshError } from '../core/errors.js';
import { Link, type LinkOptions } from '../link/link.js';
import { memoryChannelPair, type MemoryChannelOptions, type MemoryLinkChannels } from '../link/memory-channel.js';
import type { Network, NetworkEvents, OfferGate, SignalingState, SignalingStats } from '../link/network.js';

/** The in-memory signaling server: endpoints by id, and the channels between them. */
export class MemoryHub {
  private readonly endpoints = new Map<string, MemoryNetwork>();
  private readonly ends = new Map<string, Set<MemoryLinkChannels>>();
  private count = 0;

  constructor(private readonly channel: Partial<MemoryChannelOptions> = {}) {}

  /** Opens an endpoint with the next id (`p1`, `p2`, ...). */
  open(link: Partial<LinkOptions>): MemoryNetwork {
    const net = new MemoryNetwork(`p${++this.count}`, this, link);
    this.endpoints.set(net.id, net);
    return net;
  }

  /** Ids of the open endpoints. */
  ids(): string[] {
    return [...this.endpoints.keys()];
  }

  /** Makes a link from `from` to `toId`; the other end is offered to `toId` with `metadata`. */
  connect(from: MemoryNetwork, toId: string, metadata: unknown): Promise<Link> {
    const to = this.endpoints.get(toId);
    if (!to) return Promise.reject(new HostmeshError('PEER_UNREACHABLE', `No player ${toId} on this test network.`));
    // A refused offer: over PeerJS it goes unanswered until the caller's timeout; here it fails at once.
    if (!to.accepts(from.id, metadata)) return Promise.reject(new HostmeshError('PEER_UNREACHABLE', `Player ${toId} did not answer.`));
    const pair = memoryChannelPair(this.channel);
    this.track(from.id, pair.a);
    this.track(toId, pair.b);
    const outgoing = new Link(toId, pair.a, from.linkOptions);
    to.offer(new Link(from.id, pair.b, to.linkOptions), metadata);
    return outgoing.whenReady().then(() => outgoing);
  }

  /** True while endpoint `id` is open and has signaling. */
  signalingOpen(id: string): boolean {
    return this.endpoints.get(id)?.signalingState === 'open';
  }

  /** Player `id`'s sends vanish from now on, with no close event anywhere (a frozen tab). */
  freeze(id: string): void {
    for (const end of this.ends.get(id) ?? []) end.silence();
  }

  /** Player `id` loses signaling for good: open links stay, nobody new can reach it. */
  loseSignaling(id: string): void {
    this.endpoints.get(id)?.loseSignaling();
  }

  /** Closes every link of player `id` (both ends see it close), as a dropped connection. */
  cut(id: string): void {
    for (const end of this.ends.get(id) ?? []) end.dispose();
  }

  /** Forgets endpoint `id` (it was destroyed). */
  remove(id: string): void {
    this.endpoints.delete(id);
    this.ends.delete(id);
  }

  private track(id: string, end: MemoryLinkChannels): void {
    let set = this.ends.get(id);
    if (!set) this.ends.set(id, (set = new Set()));
    set.add(end);
  }
}

/** One session's endpoint on a MemoryHub. */
export class MemoryNetwork extends Emitter<NetworkEvents> implements Network {
  /** Signaling figures (offers the gate refused; nothing is malformed in memory). */
  readonly signaling: SignalingStats = { signalsDropped: 0, offersRefused: 0, reconnectAttempts: 0 };
  private readonly links = new Set<Link>();
  private destroyed = false;
  private lost = false;
  private gate: OfferGate = () => false;
  /** The id's secret (the memory lobby does not check it; the real server does). */
  readonly token = `memory-${Math.random().toString(36).slice(2)}`;

  constructor(readonly id: string, private readonly hub: MemoryHub, readonly linkOptions: Partial<LinkOptions>) {
    super();
  }

  /** 'open' until signaling is lost ('lost') or the endpoint destroyed ('closed'). */
  get signalingState(): SignalingState {
    return this.destroyed ? 'closed' : this.lost ? 'lost' : 'open';
  }

  /** Called by the hub: signaling is gone for good (as PeerNetwork reports a dead server). */
  loseSignaling(): void {
    if (this.destroyed || this.lost) return;
    this.lost = true;
    this.emit('disconnected', new HostmeshError('SERVER_UNREACHABLE', 'The test network cut this player off signaling.'));
  }

  /** Sets the session's offer gate; until then every incoming offer is refused. */
  setOfferGate(gate: OfferGate): void {
    this.gate = gate;
  }

  /** Whether this endpoint answers an offer from `remoteId` (the hub asks before making the link). */
  accepts(remoteId: string, metadata: unknown): boolean {
    if (this.destroyed || this.lost) return false;
    let ok = false;
    try { ok = this.gate(remoteId, metadata); } catch { /* a throwing gate refuses */ }
    if (!ok) this.signaling.offersRefused++;
    return ok;
  }

  /** Opens a link to `remoteId`; resolves when its handshake completed. */
  async connect(remoteId: string, metadata: unknown): Promise<Link> {
    if (this.destroyed) throw new HostmeshError('SESSION_CLOSED');
    if (this.lost) throw new HostmeshError('SERVER_UNREACHABLE', 'This player has no signaling on the test network.');
    const link = await this.hub.connect(this, remoteId, metadata);
    this.keep(link);
    return link;
  }

  /** Called by the hub: an incoming link, announced once ready. */
  offer(link: Link, metadata: unknown): void {
    if (this.destroyed) { link.close('local'); return; }
    this.keep(link);
    link.whenReady().then(() => { if (!this.destroyed) this.emit('link', link, metadata); }, () => { /* closed during handshake */ });
  }

  /** Leaves the hub and closes every link. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.hub.remove(this.id);
    for (const link of this.links) link.close('local');
    this.clear();
  }

  private keep(link: Link): void {
    this.links.add(link);
    link.on('close', () => this.links.delete(link));
  }
}
