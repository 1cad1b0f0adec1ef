/**
 * The PeerJS adapter: signaling through our PeerServer, one PeerJS DataConnection (reliable,
 * ordered, `serialization: 'raw'`) per remote peer, plus the negotiated unreliable channel on
 * the same RTCPeerConnection (FACTS.md: PeerJS's `reliable: false` is still reliable).
 * PeerJS is always given our host, path, key, token and ICE servers, so it never reaches
 * third-party infrastructure. PeerJS errors are mapped to HostmeshErrors in errors.ts.
 */
import type { DataConnection, Peer as PeerType } from 'peerjs';
import type { LinkChannels } from './channel.js';
import { Emitter } from './emitter.js';
import { HostmeshError, fromPeerError } from './errors.js';
import { Link, type LinkOptions } from './link.js';
import type { ClientConfig } from './lobby-api.js';
import { UNRELIABLE_CHANNEL_ID, UNRELIABLE_CHANNEL_LABEL } from './protocol.js';

/** Events of a peer network. */
export interface PeerNetworkEvents {
  /** A remote peer connected to us and its link is ready; `metadata` is what it sent. */
  link: [link: Link, metadata: unknown];
  /** Signaling was lost for good (links already open keep working). */
  disconnected: [error: HostmeshError];
}

/** Options for opening a peer network. */
export interface PeerNetworkOptions {
  /** Time allowed to reach signaling and, per connect, the remote peer, ms. */
  connectTimeoutMs: number;
  /** Options for every link. */
  link: Partial<LinkOptions>;
  /** ICE candidate policy: 'relay' uses TURN only. */
  iceTransportPolicy: 'all' | 'relay';
}

/** Our endpoint on the signaling server, making and accepting links. */
export class PeerNetwork extends Emitter<PeerNetworkEvents> {
  private destroyed = false;

  private constructor(private readonly peer: PeerType, private readonly opts: PeerNetworkOptions, /** Our signaling token: proves our id to the lobby API. */ readonly token: string) {
    super();
    peer.on('connection', (conn) => this.accept(conn));
    peer.on('disconnected', () => {
      if (this.destroyed) return;
      // Signaling dropped: try once to get the same id back (links stay up meanwhile).
      try { peer.reconnect(); } catch { /* destroyed */ }
    });
    peer.on('error', (err) => {
      if (!this.destroyed && (err.type === 'network' || err.type === 'server-error' || err.type === 'socket-error' || err.type === 'socket-closed')) {
        this.emit('disconnected', fromPeerError(err));
      }
    });
  }

  /** Connects to the server's PeerServer and resolves with our id assigned. */
  static async open(serverUrl: string, config: ClientConfig, opts: PeerNetworkOptions): Promise<PeerNetwork> {
    const mod = (await import('peerjs')) as unknown as { Peer?: typeof PeerType; default?: { Peer: typeof PeerType } };
    const PeerCtor = mod.Peer ?? mod.default?.Peer;
    if (!PeerCtor) throw new HostmeshError('SERVER_UNREACHABLE', 'PeerJS failed to load. Reinstall dependencies.');
    const url = new URL(serverUrl);
    const secure = url.protocol === 'https:';
    const token = randomToken();
    const peer = new PeerCtor({
      host: url.hostname,
      port: Number(url.port) || (secure ? 443 : 80),
      path: config.peerPath,
      key: config.peerKey,
      secure,
      token,
      debug: 0,
      config: { iceServers: config.iceServers, iceTransportPolicy: opts.iceTransportPolicy },
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new HostmeshError('SERVER_UNREACHABLE', `The signaling server at ${serverUrl} did not answer in ${opts.connectTimeoutMs} ms. Check that it is running.`)), opts.connectTimeoutMs);
      const fail = (err: HostmeshError) => { clearTimeout(timer); peer.destroy(); reject(err); };
      peer.once('open', () => { clearTimeout(timer); resolve(); });
      peer.once('error', (err) => fail(fromPeerError(err)));
    });
    return new PeerNetwork(peer, opts, token);
  }

  /** Our signaling id (the player id). */
  get id(): string {
    return this.peer.id;
  }

  /** Opens a link to `remoteId`, sending `metadata` with the offer; resolves when it is ready. */
  connect(remoteId: string, metadata: unknown): Promise<Link> {
    if (this.destroyed) return Promise.reject(new HostmeshError('SESSION_CLOSED'));
    const conn = this.peer.connect(remoteId, { reliable: true, serialization: 'raw', metadata });
    const early = collectEarly(conn);
    return new Promise<Link>((resolve, reject) => {
      const timer = setTimeout(() => fail(new HostmeshError('PEER_UNREACHABLE', `No connection to player ${remoteId} within ${this.opts.connectTimeoutMs} ms. A TURN server may be needed between these networks.`)), this.opts.connectTimeoutMs);
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
        const link = this.wrap(conn, early());
        link.whenReady().then(() => resolve(link), reject);
      });
    });
  }

  /** Leaves signaling and closes every connection. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.clear();
    this.peer.destroy();
  }

  private accept(conn: DataConnection): void {
    if (conn.serialization !== 'raw') {
      conn.close();
      return;
    }
    const timer = setTimeout(() => conn.close(), this.opts.connectTimeoutMs);
    const early = collectEarly(conn);
    conn.once('open', () => {
      clearTimeout(timer);
      const link = this.wrap(conn, early());
      link.whenReady().then(() => this.emit('link', link, conn.metadata), () => { /* closed during handshake */ });
    });
  }

  private wrap(conn: DataConnection, early: unknown[]): Link {
    const unreliable = conn.peerConnection.createDataChannel(UNRELIABLE_CHANNEL_LABEL, {
      negotiated: true, id: UNRELIABLE_CHANNEL_ID, ordered: false, maxRetransmits: 0,
    });
    const channels: LinkChannels = {
      reliable: conn.dataChannel as unknown as LinkChannels['reliable'],
      unreliable: unreliable as unknown as LinkChannels['unreliable'],
      early,
      dispose: () => {
        try { unreliable.close(); } catch { /* gone */ }
        conn.close();
      },
    };
    const link = new Link(conn.peer, channels, this.opts.link);
    conn.once('close', () => link.close('channel-closed'));
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

function randomToken(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
