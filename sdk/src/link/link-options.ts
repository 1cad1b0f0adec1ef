/**
 * What a link is told and what it tells: its options with their defaults, the scheduler a link
 * conditioner plugs in as, close reasons, and the events a link fires.
 */
import type { HostmeshError } from '../core/errors.js';
import { budgetDefaults, type LinkBudgets } from './rate-budget.js';

/** Why a link closed. */
export type LinkCloseReason = 'local' | 'remote' | 'timeout' | 'protocol' | 'channel-closed' | 'error';

/** Delays or drops outgoing sends (the link conditioner implements it). */
export interface SendScheduler {
  /** Runs `deliver` now, later, or (unreliable only) never. */
  schedule(reliable: boolean, deliver: () => void): void;
}

/** Link tuning. */
export interface LinkOptions {
  /** Interval between heartbeat pings, ms. Default: 1000. */
  heartbeatIntervalMs: number;
  /** Silence after which the remote is declared gone, ms. Default: 5000. */
  timeoutMs: number;
  /** How long a stalled link (silent past `timeoutMs`) may try to come back in place (ICE restart) before it closes with 'timeout', ms; 0 closes at the timeout. Only links with a recovery (PeerNetwork) stall. Default: 15000. */
  iceRestartTimeoutMs: number;
  /** Time allowed for the HELLO handshake, ms. Default: 10000. */
  handshakeTimeoutMs: number;
  /** Unreliable sends are dropped while bufferedAmount is above this, bytes. Default: 16384. */
  unreliableHighWaterBytes: number;
  /** Reliable sends queue in memory while bufferedAmount is above this, bytes. Default: 1048576. */
  reliableHighWaterBytes: number;
  /** Inbound rate budgets; `null` accepts any rate. Default: `budgetDefaults`. */
  budgets: LinkBudgets | null;
  /** Optional conditioner for added latency, jitter and loss. Default: none. */
  conditioner?: SendScheduler | undefined;
  /** Clock in ms. Default: performance.now. */
  now: () => number;
}

/** Default link options. */
export const linkDefaults = {
  heartbeatIntervalMs: 1000,
  timeoutMs: 5000,
  iceRestartTimeoutMs: 15_000,
  handshakeTimeoutMs: 10_000,
  unreliableHighWaterBytes: 16 * 1024,
  reliableHighWaterBytes: 1024 * 1024,
  budgets: budgetDefaults,
} as const;

/** Events of a link. */
export interface LinkEvents {
  /** The handshake completed; both channels are usable. */
  ready: [];
  /** An application-level frame arrived (HELLO/PING/PONG/BYE are handled inside). */
  message: [type: number, body: unknown, reliable: boolean];
  /** A pong arrived: local send time, remote's clock at reply, local receive time (clock sync). */
  pong: [sentMs: number, remoteMs: number, receivedMs: number];
  /** The remote has been silent past the timeout and the connection is being brought back in place (ICE restart); the link stays open until `resumed` or, after `iceRestartTimeoutMs`, `close('timeout')`. */
  stalled: [];
  /** A stalled link heard the remote again: same link, same connection. */
  resumed: [];
  /** A malformed frame was dropped; the link stays up. */
  decodeError: [error: HostmeshError];
  /** The remote peer has been over its inbound rate budget for the grace period (fired once). */
  flood: [];
  /** The link closed, exactly once. */
  close: [reason: LinkCloseReason, error?: HostmeshError];
}
