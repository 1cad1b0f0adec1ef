/**
 * Side connections: what a session opens next to a member's game link, each on an
 * RTCPeerConnection of its own so that its traffic never queues behind or in front of the game's
 * (FACTS.md: one SCTP association per connection, no message interleaving in Chromium).
 * A bulk channel carries a file transfer; a media call carries one player's voice to another.
 * Offers for both pass the network's side gate (only current members), never the game's.
 */
import type { DataChannelLike } from './channel.js';

/** A `MediaStream` where the DOM types are loaded (browser projects), else `unknown` (a Node project without DOM types still compiles; pass @roamhq/wrtc's MediaStream). */
export type MediaStreamT = typeof globalThis extends { MediaStream: { prototype: infer T } } ? T : unknown;

/** An `RTCPeerConnection` where the DOM types are loaded, else `unknown`. */
export type PeerConnectionT = typeof globalThis extends { RTCPeerConnection: { prototype: infer T } } ? T : unknown;

/** Metadata kind of a bulk (file transfer) data connection's offer. */
export const BULK_OFFER_KIND = 'bulk';

/** One reliable, ordered data channel on a connection of its own, for bulk data. */
export interface BulkChannel {
  /** The remote member's id (authenticated by signaling). */
  readonly remoteId: string;
  /** The channel; binary frames only. */
  readonly channel: DataChannelLike;
  /** Closes the channel and its connection (idempotent). */
  close(): void;
}

/** Events of a media call. */
export interface MediaCallEvents {
  /** The remote side's audio arrived. */
  stream: [stream: MediaStreamT];
  /** The call ended (either side closed it, or its connection failed). */
  close: [];
}

/** Options of placing or answering a media call. */
export interface MediaCallOptions {
  /** Rewrites our SDP before it is applied (Opus parameters). */
  sdpTransform?: (sdp: string) => string;
}

/** One media call: a one-way voice stream from the caller to the callee, on its own connection. */
export interface MediaCall {
  /** The remote member's id. */
  readonly remoteId: string;
  /** What the caller attached to the offer. */
  readonly metadata: unknown;
  /** The call's RTCPeerConnection (for its senders' parameters and stats); undefined once closed. */
  readonly peerConnection: PeerConnectionT | undefined;
  /** Callee: accepts the call, sending nothing back. */
  answer(options?: MediaCallOptions): void;
  /** Subscribes to an event; returns an unsubscribe function. */
  on<K extends keyof MediaCallEvents>(event: K, cb: (...args: MediaCallEvents[K]) => void): () => void;
  /** Ends the call (idempotent). */
  close(): void;
}
