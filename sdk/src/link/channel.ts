/**
 * The slice of RTCDataChannel a link uses. A real RTCDataChannel satisfies it; so can an
 * in-memory pair for unit tests and benchmarks.
 */

/** A message event carrying binary data. */
export interface ChannelMessageEvent {
  /** ArrayBuffer (binaryType 'arraybuffer') or a typed array. */
  readonly data: unknown;
}

/** A data channel as a link sees it. */
export interface DataChannelLike {
  /** 'connecting' | 'open' | 'closing' | 'closed'. */
  readonly readyState: string;
  /** Bytes queued and not yet sent. */
  readonly bufferedAmount: number;
  /** `bufferedamountlow` fires when bufferedAmount falls to this. */
  bufferedAmountLowThreshold: number;
  /** Must be set to 'arraybuffer'. */
  binaryType: string;
  /** Queues one message. */
  send(data: Uint8Array): void;
  /** Closes the channel. */
  close(): void;
  /** Standard EventTarget registration. */
  addEventListener(type: 'message', cb: (ev: ChannelMessageEvent) => void): void;
  addEventListener(type: 'open' | 'close' | 'bufferedamountlow' | 'error', cb: () => void): void;
  /** Standard EventTarget removal. */
  removeEventListener(type: string, cb: (ev: never) => void): void;
}

/** Both channels of one link: reliable-ordered and unreliable-unordered. */
export interface LinkChannels {
  /** Reliable, ordered channel (PeerJS DataConnection's channel). */
  reliable: DataChannelLike;
  /** Unreliable, unordered channel (negotiated, maxRetransmits 0). */
  unreliable: DataChannelLike;
  /** Reliable-channel frames received before the link was created; the link replays them. */
  early?: unknown[];
  /** Releases the underlying connection (RTCPeerConnection); called once by the link. */
  dispose(): void;
  /** How the connection is brought back without a new one when the link stalls (ICE restart); absent: a stalled link closes. */
  recovery?: LinkRecovery;
}

/** Brings a stalled connection back in place (PeerNetwork: an ICE restart on the same RTCPeerConnection). */
export interface LinkRecovery {
  /** Starts trying (idempotent while it tries). */
  start(): void;
  /** The remote was heard again: stop trying. */
  stop(): void;
  /** Restart attempts made so far. */
  readonly attempts: number;
  /** Times ICE was connected again after restart attempts. */
  readonly restored: number;
}
