/**
 * The PeerJS adapter: signaling through our PeerServer, one PeerJS DataConnection (reliable,
 * ordered, `serialization: 'raw'`) per remote peer, plus the negotiated unreliable channel on
 * the same RTCPeerConnection (FACTS.md: PeerJS's `reliable: false` is still reliable).
 * PeerJS is always given our host, path, key, token and ICE servers, so it never reaches
 * third-party infrastructure. PeerJS errors are mapped to HostmeshErrors in errors.ts.
 * Every signaling message from another peer passes `checkSignal` (signal-guard.ts) and, for an
 * OFFER, the session's offer gate and a cap on pending handshakes before PeerJS sees it: a
 * refused offer costs no RTCPeerConnection and sends nothing back over signaling.
 * Signaling outages never touch links: the SignalingKeeper reconnects with back-off (same id
 * and token) and reports each state change as a `signaling` event.
 * Once a link is open, its RTCPeerConnection's ICE belongs to an IceRestarter (ice-restart.ts):
 * a stalled link restarts ICE in place through hostmesh's own envelope (`ICE_SIGNAL_TYPE`,
 * wire/ice-signal.ts), which is handled here and never reaches PeerJS; an envelope reaches only
 * the restarter of the connection it names, on the link to the peer that sent it.
 */
import type { DataConnection, Peer as PeerType } from 'peerjs';
import type { LinkChannels } from './channel.js';
import { Emitter } from '../core/emitter.js';
import { HostmeshError, fromPeerError } from '../core/errors.js';
import { Link, type LinkOptions } from './link.js';
import type { Network, NetworkEvents, OfferGate, SignalingState, SignalingStats } from './network.js';
import type { ClientConfig } from '../wire/lobby-api.js';
import { UNRELIABLE_CHANNEL_ID, UNRELIABLE_CHANNEL_LABEL } from '../wire/protocol.js';
import { checkSignal } from './signal-guard.js';
import { IceRestarter, type RestartablePeerConnection } from './ice-restart.js';
import { checkIceSignal, type IceSignal } from '../wire/ice-signal.js';
import { ICE_GONE_TYPE, ICE_SIGNAL_TYPE } from '../wire/protocol.js';
import { SignalingKeeper, signalingRetryDefaults } from './signaling-keeper.js';
import { PeerMediaCall, bulkChannel, isBulkOffer, openBulk, placeCall } from './peer-side.js';
import type { BulkChannel, MediaCall, MediaCallOptions, MediaStreamT } from './side-connections.js';

/** Events of a peer network. */
export type PeerNetworkEvents = NetworkEvents;

/** Options for opening a peer network. */
export interface PeerNetworkOptions {
  /** Time allowed to reach signaling and, per connect, the remote peer, ms. */
  connectTimeoutMs: number;
  /** Options for every link. */
  link: Partial<LinkOptions>;
  /** ICE candidate policy: 'relay' uses TURN only. */
  iceTransportPolicy: 'all' | 'relay';
  /** Incoming connections still in their handshake at once; more offers are dropped. Default: 16. */
  maxPendingLinks?: number;
  /** First delay before reconnecting to signaling after a drop, ms (doubles per failure). Default: 500. */
  signalingRetryMinMs?: number;
  /** Longest delay between signaling reconnect attempts, ms. Default: 10000. */
  signalingRetryMaxMs?: number;
}

export type { OfferGate } from './network.js';

export type { SignalingStats } from './network.js';

/** A signaling id and the token it was registered with, to take the same id again (a seat resumed after a reload). */
export interface PeerIdentity {
  /** The peer id. */
  id: string;
  /** The token it was registered with. */
  token: string;
}

type PeerInternals = { _handleMessage(msg: unknown): void };

/** Our endpoint on the signaling server, making and accepting links. */
export class PeerNetwork extends Emitter<PeerNetworkEvents> implements Network {
  /** Signaling figures. */
  readonly signaling: SignalingStats = { signalsDropped: 0, offersRefused: 0, reconnectAttempts: 0 };
  private destroyed = false;
  private readonly keeper: SignalingKeeper;
  private gate: OfferGate = () => false;
  private sideGate: OfferGate = () => false;
  private pendingAccepts = 0;
  /** ICE restarters of open links, by `${remoteId} ${connectionId}`. */
  private readonly restarters = new Map<string, IceRestarter>();
  /** What to do when the server says a link's remote left signaling, by the same key. */
  private readonly gone = new Map<string, () => void>();

  private constructor(private readonly peer: PeerType, private readonly opts: PeerNetworkOptions, /** Our signaling token: proves our id to the lobby API. */ readonly token: string) {
    super();
    guardSignaling(peer, (msg) => this.admitSignal(msg), () => this.signaling.signalsDropped++);
    peer.on('connection', (conn) => this.accept(conn));
    peer.on('call', (conn) => { if (this.destroyed) conn.close(); else this.emit('call', new PeerMediaCall(conn)); });
    this.keeper = new SignalingKeeper(peer, {
      signalingRetryMinMs: opts.signalingRetryMinMs ?? signalingRetryDefaults.signalingRetryMinMs,
      signalingRetryMaxMs: opts.signalingRetryMaxMs ?? signalingRetryDefaults.signalingRetryMaxMs,
      openTimeoutMs: opts.connectTimeoutMs,
    }, this.signaling, (state) => {
      this.emit('signaling', state);
      if (state === 'lost') this.emit('disconnected', new HostmeshError('SERVER_UNREACHABLE', 'The signaling server gave our player id to someone else or refused our key: nobody new can connect to us. Players already linked keep playing.'));
    });
    // PeerJS emits 'error' for many things (a departed player's "peer unavailable", a signaling
    // drop); none of them may end the session, so one listener is always there to take them.
    peer.on('error', () => { /* the keeper and connect() read the ones they need */ });
  }

  /** Connects to the server's PeerServer and resolves with our id assigned. */
  static async open(serverUrl: string, config: ClientConfig, opts: PeerNetworkOptions, identity?: PeerIdentity): Promise<PeerNetwork> {
    const mod = (await import('peerjs')) as unknown as { Peer?: typeof PeerType; default?: { Peer: typeof PeerType } };
    const PeerCtor = mod.Peer ?? mod.default?.Peer;
    if (!PeerCtor) throw new HostmeshError('SERVER_UNREACHABLE', 'PeerJS failed to load. Reinstall dependencies.');
    const url = new URL(serverUrl);
    const secure = url.protocol === 'https:';
    const token = identity?.token ?? randomToken();
    const peerOptions = {
      host: url.hostname,
      port: Number(url.port) || (secure ? 443 : 80),
      path: config.peerPath,
      key: config.peerKey,
      secure,
      token,
      debug: 0,
      config: { iceServers: config.iceServers, iceTransportPolicy: opts.iceTransportPolicy },
    };
    // With an identity we ask for our old id back (the server holds a freed id for its token).
    const peer = identity ? new PeerCtor(identity.id, peerOptions) : new PeerCtor(peerOptions);
    // Until the network exists, nothing from other peers is let through (no offer is expected yet).
    guardSignaling(peer, (msg) => checkSignal(msg) === 'server', () => {});
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new HostmeshError('SERVER_UNREACHABLE', `The signaling server at ${serverUrl} did not answer in ${opts.connectTimeoutMs} ms. Check that it is running.`)), opts.connectTimeoutMs);
      // Only for the opening: left in place, a later PeerJS error (say "peer unavailable" for a
      // departed member) would destroy the peer and every connection with it.
      const onError = (err: { type: string; message: string }) => fail(fromPeerError(err));
      const fail = (err: HostmeshError) => { clearTimeout(timer); peer.off('error', onError); peer.destroy(); reject(err); };
      peer.once('open', () => { clearTimeout(timer); peer.off('error', onError); resolve(); });
      peer.on('error', onError);
    });
    return new PeerNetwork(peer, opts, token);
  }

  /** Our signaling id (the player id). */
  get id(): string {
    return this.peer.id;
  }

  /** Sets the session's offer gate; until then every offer is refused. */
  setOfferGate(gate: OfferGate): void {
    this.gate = gate;
  }

  /** Sets the gate for side connections (bulk channels, media calls); until then every one is refused. */
  setSideGate(gate: OfferGate): void {
    this.sideGate = gate;
  }

  /** Opens a bulk channel to `remoteId` on a connection of its own. */
  openBulk(remoteId: string, timeoutMs = this.opts.connectTimeoutMs): Promise<BulkChannel> {
    const refused = this.unusable(remoteId);
    return refused ? Promise.reject(refused) : openBulk(this.peer, remoteId, timeoutMs);
  }

  /** Calls `remoteId` with our audio `stream` on a connection of its own. */
  call(remoteId: string, stream: MediaStreamT, metadata: unknown, options: MediaCallOptions = {}): MediaCall {
    const refused = this.unusable(remoteId);
    if (refused) throw refused;
    return placeCall(this.peer, remoteId, stream, metadata, options);
  }

  /** Why no new connection to `remoteId` can be made now, if so. */
  private unusable(remoteId: string): HostmeshError | undefined {
    if (this.destroyed) return new HostmeshError('SESSION_CLOSED');
    if (!this.peer.open || this.peer.disconnected) {
      return new HostmeshError('SERVER_UNREACHABLE', `Signaling is ${this.keeper.state}: no new connection to player ${remoteId} can be made until it is back. Try again in a moment.`);
    }
    return undefined;
  }

  /** Where signaling stands. */
  get signalingState(): SignalingState {
    return this.destroyed ? 'closed' : this.keeper.state;
  }

  /** Opens a link to `remoteId`, sending `metadata` with the offer; resolves when it is ready, rejects after `timeoutMs` (default: the connect timeout). */
  connect(remoteId: string, metadata: unknown, timeoutMs = this.opts.connectTimeoutMs): Promise<Link> {
    if (this.destroyed) return Promise.reject(new HostmeshError('SESSION_CLOSED'));
    if (!this.peer.open || this.peer.disconnected) {
      return Promise.reject(new HostmeshError('SERVER_UNREACHABLE', `Signaling is ${this.keeper.state}: no new connection to player ${remoteId} can be made until it is back. Try again in a moment.`));
    }
    const conn = this.peer.connect(remoteId, { reliable: true, serialization: 'raw', metadata });
    const early = collectEarly(conn);
    return new Promise<Link>((resolve, reject) => {
      const timer = setTimeout(() => fail(new HostmeshError('PEER_UNREACHABLE', `No connection to player ${remoteId} within ${timeoutMs} ms. A TURN server may be needed between these networks.`)), timeoutMs);
      const onPeerError = (err: { type: string; message: string }) => {
        if (err.type === 'peer-unavailable' && err.message.includes(remoteId)) fail(fromPeerError(err));
      };
      const fail = (err: HostmeshError) => {
        clearTimeout(timer);
        this.peer.off('error', onPeerError);
        conn.close();
        reject(err);
      };
      this.peer.on('error', onPeerError);
      conn.once('error', (err) => fail(fromPeerError(err)));
      conn.once('open', () => {
        clearTimeout(timer);
        this.peer.off('error', onPeerError);
        const link = this.wrap(conn, early(), true);
        link.whenReady().then(() => resolve(link), reject);
      });
    });
  }

  /** Leaves signaling and closes every connection. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.keeper.stop();
    this.clear();
    this.peer.destroy();
  }

  /** The guard's verdict on one relayed signaling message: true lets PeerJS handle it. */
  private admitSignal(msg: unknown): boolean {
    const type = (msg as { type?: unknown } | null)?.type;
    if (type === ICE_SIGNAL_TYPE || type === ICE_GONE_TYPE) { this.iceSignal(msg as { type: string; src?: unknown; payload?: unknown }); return false; }
    const signal = checkSignal(msg);
    if (signal === 'server') return true;
    if (!signal || this.destroyed) return false;
    const conn = this.peer.getConnection(signal.src, signal.connectionId);
    const known = conn !== null;
    // PeerJS would store it forever otherwise; and a candidate for a call we have not answered
    // (so no RTCPeerConnection) would throw inside PeerJS.
    if (signal.type !== 'OFFER') return known && (!signal.media || Boolean((conn as { peerConnection?: unknown }).peerConnection));
    // A second offer for a live connection would make PeerJS close it; a flood of offers would
    // make us answer each over signaling: both are refused before PeerJS sees them.
    if (known || this.pendingAccepts >= (this.opts.maxPendingLinks ?? 16)) return false;
    // Bulk channels and media calls are side connections: only the side gate decides on them.
    const gate = signal.media || isBulkOffer(signal.metadata) ? this.sideGate : this.gate;
    let admitted = false;
    try { admitted = gate(signal.src, signal.metadata); } catch { admitted = false; }
    if (!admitted) this.signaling.offersRefused++;
    return admitted;
  }

  /** An ICE-restart envelope: only for the restarter of the named connection, on the link to its sender. */
  private iceSignal(msg: { type: string; src?: unknown; payload?: unknown }): void {
    if (msg.type === ICE_GONE_TYPE) {
      // The server (only it sends this type) says the peer is not on signaling: a stalled link to it gives up now.
      const id = (msg.payload as { connectionId?: unknown } | null)?.connectionId;
      const gone = typeof msg.src === 'string' && typeof id === 'string' ? this.gone.get(`${msg.src} ${id}`) : undefined;
      if (gone) gone(); else this.signaling.signalsDropped++;
      return;
    }
    const signal = checkIceSignal(msg.payload);
    const restarter = signal && typeof msg.src === 'string' ? this.restarters.get(`${msg.src} ${signal.connectionId}`) : undefined;
    if (!signal || !restarter || this.destroyed) { this.signaling.signalsDropped++; return; }
    restarter.receive(signal);
  }

  private sendIce(remoteId: string, signal: IceSignal): boolean {
    if (this.destroyed || !this.peer.open || this.peer.disconnected) return false;
    try {
      this.peer.socket.send({ type: ICE_SIGNAL_TYPE, dst: remoteId, payload: signal });
      return true;
    } catch {
      return false;
    }
  }

  private accept(conn: DataConnection): void {
    if (conn.serialization !== 'raw') {
      conn.close();
      return;
    }
    this.pendingAccepts++;
    let settled = false;
    const settle = () => { if (!settled) { settled = true; this.pendingAccepts--; } };
    const timer = setTimeout(() => { settle(); conn.close(); }, this.opts.connectTimeoutMs);
    conn.once('close', () => { clearTimeout(timer); settle(); });
    if (isBulkOffer(conn.metadata)) {
      // node-webrtc may hold a fresh channel's events until JS calls into it (see transfer/bulk-wire.ts).
      const poke = setInterval(() => { void conn.dataChannel?.readyState; }, 250);
      conn.once('close', () => clearInterval(poke));
      conn.once('open', () => { clearTimeout(timer); clearInterval(poke); settle(); this.emit('bulk', bulkChannel(conn)); });
      setTimeout(() => clearInterval(poke), this.opts.connectTimeoutMs);
      return;
    }
    const early = collectEarly(conn);
    conn.once('open', () => {
      clearTimeout(timer);
      const link = this.wrap(conn, early(), false);
      link.whenReady().then(() => { settle(); this.emit('link', link, conn.metadata); }, settle);
    });
  }

  private wrap(conn: DataConnection, early: unknown[], dialled: boolean): Link {
    const key = `${conn.peer} ${conn.connectionId}`;
    // From here on ICE is ours: PeerJS would close the connection on 'failed' and cannot restart it.
    const restarter = new IceRestarter(conn.peerConnection as unknown as RestartablePeerConnection, conn.connectionId, dialled,
      (signal) => this.sendIce(conn.peer, signal), () => { setTimeout(() => conn.close(), 0); });
    this.restarters.set(key, restarter);
    const unreliable = conn.peerConnection.createDataChannel(UNRELIABLE_CHANNEL_LABEL, {
      negotiated: true, id: UNRELIABLE_CHANNEL_ID, ordered: false, maxRetransmits: 0,
    });
    const channels: LinkChannels = {
      reliable: conn.dataChannel as unknown as LinkChannels['reliable'],
      unreliable: unreliable as unknown as LinkChannels['unreliable'],
      early,
      // Teardown closes the RTCPeerConnection only (its channels close with it) and never from
      // inside a WebRTC callback: closing a data channel and then its connection, or a connection
      // from its own channel's event, is where node-webrtc (@roamhq/wrtc) has crashed natively.
      dispose: () => { forget(); setTimeout(() => conn.close(), 0); },
      recovery: { start: () => restarter.start(), stop: () => restarter.stop(), get attempts() { return restarter.stats.attempts; }, get restored() { return restarter.stats.restored; } },
    };
    const link = new Link(conn.peer, channels, this.opts.link);
    const forget = () => { restarter.dispose(); if (this.restarters.get(key) === restarter) { this.restarters.delete(key); this.gone.delete(key); } };
    this.gone.set(key, () => {
      if (link.stalled) link.close('timeout', new HostmeshError('TIMEOUT', `Player ${conn.peer} left the signaling server while our link to it was down: it is gone.`));
    });
    conn.once('close', () => { forget(); link.close('channel-closed'); });
    return link;
  }
}

/** Buffers frames PeerJS delivers before 'open'; the returned function stops buffering and hands them over. */
function collectEarly(conn: DataConnection): () => unknown[] {
  const frames: unknown[] = [];
  const onData = (data: unknown) => { frames.push(data); };
  conn.on('data', onData);
  return () => {
    conn.off('data', onData);
    return frames;
  };
}

/** Routes every message from the signaling socket through `admit` before PeerJS handles it; PeerJS's own throws are contained. */
function guardSignaling(peer: PeerType, admit: (msg: unknown) => boolean, dropped: () => void): void {
  // PeerJS's socket listener calls `this._handleMessage(data)`, so wrapping the method reaches
  // every message (a PeerJS upgrade that renames it makes test/integration/hostile-peers fail).
  const internals = peer as unknown as PeerInternals & { __hostmeshHandle?: (msg: unknown) => void };
  const original = internals.__hostmeshHandle ?? internals._handleMessage.bind(peer);
  internals.__hostmeshHandle = original;
  internals._handleMessage = (msg: unknown) => {
    if (!admit(msg)) { dropped(); return; }
    try { original(msg); } catch { dropped(); }
  };
}

function randomToken(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
