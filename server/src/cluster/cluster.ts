/**
 * What signaling and the lobby rules need from the other nodes of a multi-node deployment.
 * Types only: the Redis implementation is redis-cluster.ts; a single server has no cluster and
 * everything stays in its own memory.
 */
import type { LimiterFactory } from '../limits/limiter.js';

/** Outcome of claiming a peer id for a new signaling socket. */
export type ClaimResult = 'ok' | 'taken' | 'reserved' | 'unavailable';

/** Where a connected peer is. */
export interface PeerLocation {
  /** Id of the node holding its signaling socket. */
  node: string;
  /** SHA-256 (hex) of the token it registered with. */
  tokenHash: string;
}

/** A message another node sent to this one. */
export type BusMessage =
  /** Signaling for local peer `dst`: send `text` to its socket as it is. */
  | { kind: 'signal'; dst: string; text: string }
  /** Lobby `code` was created or restored elsewhere for host `host`, whose socket is here. */
  | { kind: 'hosted'; host: string; code: string };

/** The cluster as signaling and the lobby service see it. */
export interface Cluster {
  /** This node's id. */
  readonly nodeId: string;
  /** Limiters shared by every node. */
  readonly limiters: LimiterFactory;
  /** Claims `id` for a socket presenting `token`: refused when another token holds or reserved it on any node. */
  claim(id: string, token: string): Promise<ClaimResult>;
  /** `id` registered here with `token` (its presence is kept alive from now on). */
  joined(id: string, token: string): void;
  /** `id` left this node: its presence goes and it stays reserved for `token` for `reserveMs` (0: not reserved). */
  left(id: string, token: string, reserveMs: number): void;
  /** Where `id` is connected, if anywhere. */
  locate(id: string): Promise<PeerLocation | undefined>;
  /** Which of `ids` are connected anywhere. */
  online(ids: readonly string[]): Promise<boolean[]>;
  /** Sends signaling `text` from `src` to `dst` on whichever node holds it; resolves false (counted) when it is nowhere. */
  route(dst: string, text: string): Promise<boolean>;
  /** Tells the node holding `host` that it hosts lobby `code`. */
  notifyHosted(host: string, code: string): Promise<void>;
  /** Receives what other nodes send here. */
  onMessage(handler: (message: BusMessage) => void): void;
  /** True when Redis answers. */
  ready(): Promise<boolean>;
  /** Stops heartbeats, removes this node's presence entries (best effort), closes connections. */
  close(): Promise<void>;
}
