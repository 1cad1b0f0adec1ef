/**
 * The narrow view of a session that the replication drivers get: who we are, who is in the
 * session and over which links, the internal frame stream, the public events they fire, and a
 * cleanup hook. The session core implements it; replication never sees the session classes.
 */
import type { Emitter } from '../core/emitter.js';
import type { HostmeshError } from '../core/errors.js';
import type { Link } from '../link/link.js';
import type { PlayerInfo } from './players.js';
import type { RoleCleanup, SessionEvents, SessionInternalEvents } from './session-events.js';

/** What a replication driver may see and do of its session. */
export interface ReplicationContext {
  /** Our player id. */
  readonly selfId: string;
  /** The host's player id. */
  readonly hostId: string;
  /** True after the session closed. */
  readonly isClosed: boolean;
  /** Admitted members, us included. */
  readonly roster: ReadonlyMap<string, PlayerInfo>;
  /** Admitted spectators (receive snapshots, send no inputs; never in `roster`). */
  readonly spectators: ReadonlyMap<string, PlayerInfo>;
  /** Direct links by remote id. */
  readonly links: ReadonlyMap<string, Link>;
  /** Frames from admitted members, and link losses. */
  readonly internal: Pick<Emitter<SessionInternalEvents>, 'on'>;
  /** The public events (replication fires `tick` and `snapshot`). */
  readonly events: Pick<Emitter<SessionEvents>, 'emit'>;
  /** Reports a failure that does not end the session as an `error` event. */
  reportError(error: HostmeshError): void;
  /** Registers a cleanup run once on close. */
  addCleanup(cleanup: RoleCleanup): void;
}
