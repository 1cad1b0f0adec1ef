/**
 * The PeerJS side of side connections (side-connections.ts): a bulk channel is a second
 * PeerJS DataConnection (`serialization: 'raw'`, its own RTCPeerConnection) whose offer says
 * `{ kind: 'bulk' }`; a media call is a PeerJS MediaConnection. PeerNetwork routes their
 * offers through its side gate and hands them over here.
 */
import type { DataConnection, MediaConnection, Peer as PeerType } from 'peerjs';
import type { DataChannelLike } from './channel.js';
import { Emitter } from '../core/emitter.js';
import { HostmeshError, fromPeerError } from '../core/errors.js';
import { BULK_OFFER_KIND, type BulkChannel, type MediaCall, type MediaCallEvents, type MediaCallOptions, type MediaStreamT, type PeerConnectionT } from './side-connections.js';

/**
 * Closes a PeerJS connection for good. PeerJS nulls the connection's `provider` on close, but an
 * `addIceCandidate` it started just before can still reject afterwards and then calls
 * `provider.emitError`, an unhandled rejection (in Node, the end of the process): a member
 * replacing or flooding calls could set that off. A stub provider takes those late errors.
 */
export function closeConnection(conn: DataConnection | MediaConnection): void {
  try { conn.close(); } catch { /* already gone */ }
  const c = conn as unknown as { provider: unknown };
  if (c.provider === null || c.provider === undefined) c.provider = { emitError: () => {}, _removeConnection: () => {}, _getMessages: () => [] };
}

/** True when an offer's metadata asks for a bulk channel. */
export function isBulkOffer(metadata: unknown): boolean {
  return typeof metadata === 'object' && metadata !== null && (metadata as { kind?: unknown }).kind === BULK_OFFER_KIND;
}

/** Wraps an open PeerJS DataConnection as a bulk channel. */
export function bulkChannel(conn: DataConnection): BulkChannel {
  const channel = conn.dataChannel as unknown as DataChannelLike;
  channel.binaryType = 'arraybuffer';
  let closed = false;
  return {
    remoteId: conn.peer,
    channel,
    // Never from inside a WebRTC callback (node-webrtc has crashed natively there): see peer-network.ts.
    close: () => { if (!closed) { closed = true; setTimeout(() => closeConnection(conn), 0); } },
  };
}

/** Opens a bulk channel to `remoteId`: resolves once its data channel is open. */
export function openBulk(peer: PeerType, remoteId: string, timeoutMs: number): Promise<BulkChannel> {
  const conn = peer.connect(remoteId, { reliable: true, serialization: 'raw', metadata: { kind: BULK_OFFER_KIND } });
  return new Promise<BulkChannel>((resolve, reject) => {
    const timer = setTimeout(() => fail(new HostmeshError('PEER_UNREACHABLE', `No file connection to player ${remoteId} within ${timeoutMs} ms.`)), timeoutMs);
    const onPeerError = (err: { type: string; message: string }) => {
      if (err.type === 'peer-unavailable' && err.message.includes(remoteId)) fail(fromPeerError(err));
    };
    const onError = (err: unknown) => fail(fromPeerError(err));
    const onClose = () => fail(new HostmeshError('PEER_UNREACHABLE', `Player ${remoteId} closed the file connection before it opened.`));
    const done = () => { clearTimeout(timer); peer.off('error', onPeerError); conn.off('error', onError); conn.off('close', onClose); };
    const fail = (err: HostmeshError) => { done(); closeConnection(conn); reject(err); };
    peer.on('error', onPeerError);
    conn.once('error', onError);
    conn.once('close', onClose);
    conn.once('open', () => { done(); resolve(bulkChannel(conn)); });
  });
}

/** A PeerJS MediaConnection as a MediaCall. */
export class PeerMediaCall extends Emitter<MediaCallEvents> implements MediaCall {
  private closed = false;

  constructor(private readonly conn: MediaConnection) {
    super();
    conn.on('stream', (stream) => { if (!this.closed) this.emit('stream', stream); });
    conn.on('close', () => this.close());
    conn.on('error', () => this.close());
    this.watch();
  }

  /** PeerJS misses a remote that closed or vanished: watch the connection itself (once it exists). */
  private watch(): void {
    const pc = this.conn.peerConnection as RTCPeerConnection | undefined;
    pc?.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'failed' || pc.connectionState === 'closed') setTimeout(() => this.close(), 0);
    });
  }

  /** The remote member's id. */
  get remoteId(): string {
    return this.conn.peer;
  }

  /** What the caller attached to the offer. */
  get metadata(): unknown {
    return this.conn.metadata;
  }

  /** The call's RTCPeerConnection; undefined once closed. */
  get peerConnection(): PeerConnectionT | undefined {
    return this.closed ? undefined : (this.conn.peerConnection as RTCPeerConnection | undefined);
  }

  /** Callee: accepts the call, sending nothing back. */
  answer(options: MediaCallOptions = {}): void {
    if (this.closed) return;
    this.conn.answer(undefined, options.sdpTransform ? { sdpTransform: options.sdpTransform } : {});
    this.watch();
  }

  /** Ends the call (idempotent); `close` fires once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const conn = this.conn;
    // An unanswered call has no RTCPeerConnection: close it now, so PeerJS forgets it before any
    // late candidate for it arrives (it would throw inside PeerJS). An answered one is closed
    // outside the current WebRTC callback (node-webrtc has crashed closing inside one).
    const close = () => closeConnection(conn);
    if (conn.peerConnection) setTimeout(close, 0); else close();
    this.emit('close');
    this.clear();
  }
}

/** Places a media call to `remoteId` with `stream`. */
export function placeCall(peer: PeerType, remoteId: string, stream: MediaStreamT, metadata: unknown, options: MediaCallOptions): MediaCall {
  const conn = peer.call(remoteId, stream, { metadata, ...(options.sdpTransform ? { sdpTransform: options.sdpTransform } : {}) });
  if (!conn) throw new HostmeshError('SERVER_UNREACHABLE', `No call to player ${remoteId} can be placed while signaling is down. Try again in a moment.`);
  return new PeerMediaCall(conn);
}
