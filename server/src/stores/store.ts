/**
 * The lobby store interface. Async throughout so that a shared store (Redis) fits behind it
 * and several server processes can serve the same lobbies.
 */
import type { LobbyMeta } from '../../../sdk/src/wire/lobby-api.js';

/** A lobby as the server keeps it, secrets included. */
export interface LobbyRecord {
  /** Join code, canonical form (see join-code.ts). */
  code: string;
  name: string;
  maxPlayers: number;
  public: boolean;
  open: boolean;
  /** As last reported by the host; 1 at creation. */
  players: number;
  /** Spectator capacity (absent in records stored before spectators: 16). */
  maxSpectators?: number;
  /** Spectators as last reported by the host (absent: 0). */
  spectators?: number;
  meta: LobbyMeta;
  /** `scrypt$salt$hash` (see password.ts), or null when the lobby has no password. */
  passwordHash: string | null;
  /** Signaling id of the host. */
  hostPeerId: string;
  /** Authorises host updates and signs join tickets. */
  hostSecret: string;
  /** Bumped by one on each host change (migration); claims name the epoch they succeed. */
  hostEpoch: number;
  /** Lets the session's members claim the lobby once its host is gone (`<nonce>.<mac>`, bound to the code). */
  claimSecret: string;
  /** The host left on purpose and handed the lobby to its members: a claim need not wait for its socket to close. */
  released: boolean;
  createdAtMs: number;
}

/** A page of lobbies and the opaque cursor of the next one. */
export interface LobbyPage {
  lobbies: LobbyRecord[];
  next: string | undefined;
}

/** Where lobbies live. Implementations copy records in and out (no shared mutable state). */
export interface LobbyStore {
  /** Stores a new lobby; false (and nothing stored) when its code is already in use. */
  create(lobby: LobbyRecord): Promise<boolean>;
  /** The lobby with this canonical code, if any. */
  get(code: string): Promise<LobbyRecord | undefined>;
  /** Replaces an existing lobby; false when it no longer exists. */
  update(lobby: LobbyRecord): Promise<boolean>;
  /** Replaces an existing lobby only while its stored `hostEpoch` is `epoch` (compare-and-swap); false otherwise. */
  replaceIf(lobby: LobbyRecord, epoch: number): Promise<boolean>;
  /** Deletes a lobby; false when it did not exist. */
  delete(code: string): Promise<boolean>;
  /**
   * One page of public, open lobbies, oldest first: at most `limit` created after the one
   * `cursor` points at (undefined: from the start). `next` is the cursor of the following
   * page, undefined on the last. Implementations must not copy every lobby per call.
   */
  listPublic(cursor: string | undefined, limit: number): Promise<LobbyPage>;
  /** Number of lobbies. */
  count(): Promise<number>;
  /**
   * Extends the lifetime of these lobbies: their host is still connected to this node. A store
   * whose lobbies expire (Redis: a dead node's lobbies go after a TTL) needs it; others ignore it.
   */
  refresh(codes: readonly string[]): Promise<void>;
  /** Releases connections and timers. */
  close(): Promise<void>;
}
