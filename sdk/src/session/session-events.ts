/**
 * The events of a session: the public ones a game subscribes to (`session.on`) and the internal
 * ones the roles and replication drivers exchange through the session core.
 */
import type { HostmeshError } from '../core/errors.js';
import type { LinkCloseReason } from '../link/link.js';
import type { SignalingState } from '../link/network.js';
import type { State } from '../snapshot/schema.js';
import type { PlayerInfo } from './players.js';

/** Why a session closed. */
export type SessionCloseReason = 'left' | 'host-left' | 'kicked' | 'disconnected' | 'error';

/** Events of a session. */
export interface SessionEvents {
  /** A player joined (not fired for players already present when we joined). */
  playerJoin: [player: PlayerInfo];
  /** A player left: reason 'left' (goodbye), 'timeout' (its held seat's grace ran out), 'kicked', or what the host gave. */
  playerLeave: [player: PlayerInfo, reason: string];
  /** A spectator joined (spectators are not players: they are in `session.spectators`). */
  spectatorJoin: [spectator: PlayerInfo];
  /** A spectator left: 'left', 'kicked' or what the host gave. */
  spectatorLeave: [spectator: PlayerInfo, reason: string];
  /** A player's link dropped without a goodbye; its seat (id, name, entities) is held for the host's reconnectGraceMs. */
  playerDisconnect: [player: PlayerInfo];
  /** A dropped player is back in its held seat. */
  playerReconnect: [player: PlayerInfo];
  /** Client: our link to the host dropped; we are trying to get back into our seat. */
  reconnecting: [];
  /** Client: we are back in our seat (same id, name, seat); a full snapshot follows. */
  reconnected: [];
  /** The host changed (host migration): `hostId` hosts from now on (`isHost` is true on it); resume from `latestState()` and `checkpoint`. */
  hostChange: [hostId: string];
  /** Member: the host's newest checkpoint arrived (what a successor resumes from, with `latestState()`). */
  checkpoint: [data: unknown];
  /** Host: a snapshot tick is about to be sent (timer keeps its rate in hidden tabs); simulate and setState() here. */
  tick: [tick: number, intervalMs: number];
  /** Client: a complete authoritative snapshot arrived (raw, not interpolated). */
  snapshot: [state: State, tick: number];
  /** Our connection to the signaling server changed state ('reconnecting' during an outage, 'open' when back); play goes on either way, only newcomers wait. */
  signalingChange: [state: SignalingState];
  /** Host: the lobby could not be restored on the server after signaling came back (the code is lost; players already in keep playing). */
  lobbyLost: [error: HostmeshError];
  /** Something went wrong that does not end the session: a game handler threw (HANDLER_FAILED; the tick timer and the session go on), or the host's state could not be sent this tick (INVALID_ARGUMENT, e.g. changed in place into something setState() would refuse). */
  error: [error: HostmeshError];
  /** The session closed, exactly once. */
  close: [reason: SessionCloseReason, error?: HostmeshError];
}

/** Internal events for the replication layer and roles. */
export interface SessionInternalEvents {
  /** A non-session frame from an admitted member. */
  frame: [type: number, body: unknown, fromId: string, reliable: boolean];
  /** A member's link is gone, and why. */
  linkClosed: [id: string, reason: LinkCloseReason];
  /** A member came back on a new link (replication starts it over with a full snapshot). */
  relinked: [id: string];
  /** Host: the game set a new checkpoint. */
  checkpoint: [];
}

/** Called by close(); roles release their own resources here. */
export type RoleCleanup = (reason: SessionCloseReason) => Promise<void> | void;
