/**
 * What a session needs from the network under it: our id, outgoing links to other members,
 * incoming links, and the state of signaling. PeerNetwork (PeerJS + WebRTC) is the real one;
 * MemoryNetwork (hostmesh/testing) runs sessions in one process without WebRTC or a server.
 */
import type { HostmeshError } from '../core/errors.js';
import type { Link } from './link.js';
import type { BulkChannel, MediaCall, MediaCallOptions, MediaStreamT } from './side-connections.js';

/** Events of a network. */
export interface NetworkEvents {
  /** A remote peer connected to us and its link is ready; `metadata` is what it sent. */
  link: [link: Link, metadata: unknown];
  /** Signaling was lost for good (links already open keep working). */
  disconnected: [error: HostmeshError];
  /** Signaling changed state (a drop, a reconnect, given up); links are not affected. */
  signaling: [state: SignalingState];
  /** A member opened a bulk channel (file transfer) to us; it passed the side gate. */
  bulk: [bulk: BulkChannel];
  /** A member called us (voice); it passed the side gate. Answer or close it. */
  call: [call: MediaCall];
}

/** Where signaling stands: 'open'; 'reconnecting' after a drop (links keep working); 'lost' for good; 'closed' after destroy. */
export type SignalingState = 'open' | 'reconnecting' | 'lost' | 'closed';

/** Decides whether an incoming offer from `remoteId` (with its `metadata`) is worth answering. */
export type OfferGate = (remoteId: string, metadata: unknown) => boolean;

/** Signaling figures of a network. */
export interface SignalingStats {
  /** Relayed signaling messages dropped: malformed, for no known connection, or over the pending cap. */
  signalsDropped: number;
  /** Offers the session's gate refused. */
  offersRefused: number;
  /** Reconnect attempts to signaling after drops. */
  reconnectAttempts: number;
}

/** Our endpoint: makes and accepts links to other members. */
export interface Network {
  /** Our id (the player id). */
  readonly id: string;
  /** Where signaling stands. */
  readonly signalingState: SignalingState;
  /** Signaling figures. */
  readonly signaling: SignalingStats;
  /** The secret our signaling id was registered with: proves the id is ours to the lobby API. */
  readonly token: string;
  /** Subscribes to an event; returns an unsubscribe function. */
  on<K extends keyof NetworkEvents>(event: K, cb: (...args: NetworkEvents[K]) => void): () => void;
  /** Opens a link to `remoteId`, sending `metadata` with the offer; resolves when it is ready, rejects after `timeoutMs` (default: the connect timeout). */
  connect(remoteId: string, metadata: unknown, timeoutMs?: number): Promise<Link>;
  /** Sets the session's offer gate: offers it refuses get no answer and no link. Until set, every offer is refused. */
  setOfferGate(gate: OfferGate): void;
  /** Sets the gate for side connections (bulk channels and media calls): offers it refuses get no answer. Until set, every one is refused. */
  setSideGate(gate: OfferGate): void;
  /** Opens a bulk channel to `remoteId` on a connection of its own; resolves when it is open, rejects after `timeoutMs`. */
  openBulk(remoteId: string, timeoutMs?: number): Promise<BulkChannel>;
  /** Calls `remoteId` with our audio `stream` on a connection of its own; throws MEDIA_UNSUPPORTED where the network carries no media. */
  call(remoteId: string, stream: MediaStreamT, metadata: unknown, options?: MediaCallOptions): MediaCall;
  /** Leaves signaling and closes every link. */
  destroy(): void;
}
