/**
 * Real host and client sessions (the SDK's own SessionCore, roles and replication) over the
 * in-memory transport, with a stand-in for signaling and the lobby server: for fuzzers and
 * property tests that push far more frames or membership changes than real WebRTC could in a
 * test's time. `receive` hands bytes straight to a link's frame handling, synchronously, so a
 * fuzzer can time each frame and check the session after each batch.
 */
import { Emitter } from '../../sdk/src/core/emitter.js';
import { Link, type LinkOptions } from '../../sdk/src/link/link.js';
import { memoryChannelPair } from '../../sdk/src/link/memory-channel.js';
import type { PeerNetwork, PeerNetworkEvents } from '../../sdk/src/link/peer-network.js';
import type { LobbyClient } from '../../sdk/src/lobby/lobby-client.js';
import { signTicket } from '../../sdk/src/lobby/ticket.js';
import { joinSession } from '../../sdk/src/session/client-role.js';
import { startHostRole, type HostControls } from '../../sdk/src/session/host-role.js';
import { SessionCore } from '../../sdk/src/session/session-core.js';
import { Session, sessionCore } from '../../sdk/src/session/session.js';
import { MsgType } from '../../sdk/src/wire/protocol.js';

const SECRET = 'fuzz-secret';
const CODE = 'FUZZ00';

/** A stand-in for PeerNetwork: offers and links are made by the test. */
export class FakeNet extends Emitter<PeerNetworkEvents> {
  gate: (id: string, metadata: unknown) => boolean = () => false;
  destroyed = false;
  connectTo: ((remoteId: string, metadata: unknown) => Promise<Link>) | undefined;
  readonly signaling = { signalsDropped: 0, offersRefused: 0 };
  constructor(readonly id: string) { super(); }
  setOfferGate(gate: (id: string, metadata: unknown) => boolean): void { this.gate = gate; }
  connect(remoteId: string, metadata: unknown): Promise<Link> { return this.connectTo!(remoteId, metadata); }
  destroy(): void { this.destroyed = true; }
  asPeerNetwork(): PeerNetwork { return this as unknown as PeerNetwork; }
}

const lobbyStub = {
  update: async () => ({}), close: async () => undefined,
  join: async () => ({ hostPeerId: 'host', ticket: 'ticket', lobby: { code: CODE } }),
} as unknown as LobbyClient;

/** Link options for harness links: fast, and without inbound budgets unless given. */
const harnessLink: Partial<LinkOptions> = { heartbeatIntervalMs: 1000, timeoutMs: 60_000, budgets: null };

/** Feeds one frame to a link's receive path, as its channel would. */
export function receive(link: Link, bytes: Uint8Array, reliable: boolean): void {
  (link as unknown as { receive(data: unknown, reliable: boolean): void }).receive(bytes, reliable);
}

/** A hosting session over memory links. */
export interface MemoryHost {
  /** The public session. */
  session: Session & HostControls;
  /** Its core. */
  core: SessionCore;
  /** The signaling stand-in. */
  net: FakeNet;
  /** Makes a peer `id` knock (passing the offer gate like a real offer); resolves with both ends once linked. */
  knock(id: string, metadata?: unknown, linkOptions?: Partial<LinkOptions>): Promise<{ hostSide: Link; peerSide: Link } | undefined>;
  /** Knocks with a valid ticket and sends JOIN; resolves once admitted (or undefined when refused). */
  admit(id: string, name?: string, linkOptions?: Partial<LinkOptions>): Promise<{ hostSide: Link; peerSide: Link } | undefined>;
  /** A valid ticket for `id`. */
  ticket(id: string): string;
}

/** Starts a host session over memory links. */
export function memoryHost(options: { maxPlayers?: number; tickRateHz?: number; maxInputsPerSecond?: number; hostLink?: Partial<LinkOptions> } = {}): MemoryHost {
  const net = new FakeNet('host');
  const core = new SessionCore(net.asPeerNetwork(), { code: CODE, hostId: 'host', players: [{ id: 'host', name: 'Ann', isHost: true, seat: 0 }] });
  const controls = startHostRole(core, {
    hostSecret: SECRET, maxPlayers: options.maxPlayers ?? 64, lobby: lobbyStub, joinTimeoutMs: 5000,
    tickRateHz: options.tickRateHz ?? 30, schema: undefined, maxInputsPerSecond: options.maxInputsPerSecond ?? 120,
    reconnectGraceMs: 0, migration: false, claimSecret: '', epoch: 0,
    settings: { name: 'memory', maxPlayers: options.maxPlayers ?? 64, public: false, password: undefined, meta: undefined, open: true },
  });
  const session = Object.assign(new Session(core), controls);
  const ticket = (id: string) => signTicket(SECRET, CODE, id, Date.now() + 60_000);
  const knock: MemoryHost['knock'] = async (id, metadata = { kind: 'join', ticket: ticket(id) }, linkOptions = {}) => {
    if (!net.gate(id, metadata)) return undefined;
    const ends = memoryChannelPair();
    const hostSide = new Link(id, ends.a, { ...harnessLink, ...options.hostLink });
    const peerSide = new Link('host', ends.b, { ...harnessLink, ...linkOptions });
    await Promise.all([hostSide.whenReady(), peerSide.whenReady()]);
    net.emit('link', hostSide, metadata);
    return { hostSide, peerSide };
  };
  const admit: MemoryHost['admit'] = async (id, name = id, linkOptions = {}) => {
    const t = ticket(id);
    const pair = await knock(id, { kind: 'join', ticket: t }, linkOptions);
    if (!pair) return undefined;
    const answer = new Promise<number>((resolve) => {
      pair.peerSide.on('message', (type) => { if (type === MsgType.WELCOME || type === MsgType.REJECT) resolve(type); });
      pair.peerSide.on('close', () => resolve(-1));
    });
    pair.peerSide.sendReliable(MsgType.JOIN, { ticket: t, name });
    return (await answer) === MsgType.WELCOME ? pair : undefined;
  };
  return { session, core, net, knock, admit, ticket };
}

/** A client session over a memory link to a scripted host end. */
export interface MemoryClient {
  /** The public session. */
  session: Session;
  /** The client's link to the host. */
  hostLink: Link;
  /** The scripted host's end of that link. */
  hostEnd: Link;
  /** Has the host announce member `id`, then links it to us as a mesh peer would; resolves with the client's side (undefined when refused). */
  mesh(id: string): Promise<Link | undefined>;
}

/** Joins a scripted host (which answers JOIN with WELCOME) and returns the client session. */
export async function memoryClient(selfId = 'me'): Promise<MemoryClient> {
  const net = new FakeNet(selfId);
  let hostLink: Link | undefined;
  let hostEnd: Link | undefined;
  net.connectTo = async (remoteId) => {
    if (remoteId !== 'host') throw new Error('no such peer');
    const ends = memoryChannelPair();
    hostLink = new Link('host', ends.a, harnessLink);
    hostEnd = new Link(selfId, ends.b, harnessLink);
    hostEnd.on('message', (type) => {
      if (type !== MsgType.JOIN) return;
      hostEnd!.sendReliable(MsgType.WELCOME, {
        players: [{ id: 'host', name: 'Ann', isHost: true, seat: 0 }, { id: selfId, name: 'Me', isHost: false, seat: 1 }],
        hostId: 'host', tickRateHz: 30, schema: null,
      });
    });
    await Promise.all([hostLink.whenReady(), hostEnd.whenReady()]);
    return hostLink;
  };
  const session = await joinSession(net.asPeerNetwork(), lobbyStub, { code: CODE, playerName: 'Me', timeoutMs: 5000, maxInterpolationDelayMs: 500, heartbeatIntervalMs: 1000, peerTimeoutMs: 5000 });
  const mesh = async (id: string) => {
    const seat = 2 + session.players.size;
    const announced = new Promise<void>((resolve) => { const off = session.on('playerJoin', (p) => { if (p.id === id) { off(); resolve(); } }); });
    const others = [...session.players.keys()].filter((p) => p !== selfId && p !== 'host');
    for (const p of others.slice(0, Math.max(0, session.players.size - 60))) hostEnd!.sendReliable(MsgType.PLAYER_LEAVE, { id: p, reason: 'room' });
    if (!session.players.has(id)) hostEnd!.sendReliable(MsgType.PLAYER_JOIN, { player: { id, name: id, isHost: false, seat } });
    if (!session.players.has(id)) await announced;
    if (!net.gate(id, { kind: 'mesh' })) return undefined;
    const ends = memoryChannelPair();
    const ours = new Link(id, ends.a, harnessLink);
    const theirs = new Link(selfId, ends.b, harnessLink);
    await Promise.all([ours.whenReady(), theirs.whenReady()]);
    net.emit('link', ours, { kind: 'mesh' });
    return ours;
  };
  return { session, hostLink: hostLink!, hostEnd: hostEnd!, mesh };
}

/** A host and any number of real client sessions, all over memory links, with signaling routed between their stand-in networks. */
export interface MemoryMesh {
  /** The host. */
  host: MemoryHost;
  /** Joins a new client `id` through the real join procedure; resolves with its session, or the join error. */
  join(id: string, name?: string): Promise<Session>;
  /** Opens a second link from `id` to the host with a fresh ticket, as a duplicate would; true when the host let it in. */
  duplicateLink(id: string): Promise<boolean>;
  /** Kills `id` without a goodbye: every channel of its links closes under it. */
  crash(id: string): void;
}

/** Builds a memory mesh around a host. */
export function memoryMesh(options: Parameters<typeof memoryHost>[0] = {}): MemoryMesh {
  const host = memoryHost(options);
  const nets = new Map<string, FakeNet>([['host', host.net]]);
  const sessions = new Map<string, Session>();
  const route = (fromId: string) => async (remoteId: string, metadata: unknown): Promise<Link> => {
    const target = nets.get(remoteId);
    if (!target || !target.gate(fromId, metadata)) throw new Error(`offer from ${fromId} to ${remoteId} refused`);
    const ends = memoryChannelPair();
    const ours = new Link(remoteId, ends.a, harnessLink);
    const theirs = new Link(fromId, ends.b, harnessLink);
    await Promise.all([ours.whenReady(), theirs.whenReady()]);
    target.emit('link', theirs, metadata);
    return ours;
  };
  return {
    host,
    async join(id, name = id) {
      const net = new FakeNet(id);
      net.connectTo = route(id);
      nets.set(id, net);
      const lobby = { join: async () => ({ hostPeerId: 'host', ticket: host.ticket(id), lobby: { code: CODE } }) } as unknown as LobbyClient;
      const session = await joinSession(net.asPeerNetwork(), lobby, { code: CODE, playerName: name, timeoutMs: 3000, maxInterpolationDelayMs: 500, heartbeatIntervalMs: 1000, peerTimeoutMs: 5000 });
      sessions.set(id, session);
      return session;
    },
    async duplicateLink(id) {
      try {
        const link = await route(id)('host', { kind: 'join', ticket: host.ticket(id) });
        link.sendReliable(MsgType.JOIN, { ticket: host.ticket(id), name: 'Ann' });
        return true;
      } catch {
        return false;
      }
    },
    crash(id) {
      const s = sessions.get(id);
      if (!s) return;
      for (const link of sessionCore(s).links.values()) (link as unknown as { channels: { dispose(): void } }).channels.dispose();
    },
  };
}
