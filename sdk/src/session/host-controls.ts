/** The host-only controls of a session (on whoever hosts: from the start, or since a migration). */
import type { LobbyInfo, UpdateLobbyRequest } from '../wire/lobby-api.js';

/** Host-only controls added to a hosting session. */
export interface HostControls {
  /** Removes a player: it gets KICKED, the others playerLeave. It may come back through the lobby with a new ticket. */
  kick(id: string, reason?: string): void;
  /** Removes a player (if present) and refuses its id for the rest of the session. */
  ban(id: string, reason?: string): void;
  /** Lifts a ban. */
  unban(id: string): void;
  /** Ids banned in this session, oldest first. */
  banned(): string[];
  /** Updates the lobby on the server: `open: false` turns newcomers away with LOBBY_CLOSED. */
  updateLobby(changes: UpdateLobbyRequest): Promise<LobbyInfo>;
}
