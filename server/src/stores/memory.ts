/**
 * In-memory lobby store: the default, zero setup, one process. Records are copied on the way
 * in and out so callers never share mutable state with the store (as with a remote store).
 */
import type { LobbyRecord, LobbyStore } from './store.js';

/** A LobbyStore in a Map. */
export class MemoryLobbyStore implements LobbyStore {
  private readonly lobbies = new Map<string, LobbyRecord>();

  /** Stores a new lobby unless its code is taken. */
  async create(lobby: LobbyRecord): Promise<boolean> {
    if (this.lobbies.has(lobby.code)) return false;
    this.lobbies.set(lobby.code, structuredClone(lobby));
    return true;
  }

  /** The lobby with this code, if any. */
  async get(code: string): Promise<LobbyRecord | undefined> {
    const lobby = this.lobbies.get(code);
    return lobby === undefined ? undefined : structuredClone(lobby);
  }

  /** Replaces an existing lobby. */
  async update(lobby: LobbyRecord): Promise<boolean> {
    if (!this.lobbies.has(lobby.code)) return false;
    this.lobbies.set(lobby.code, structuredClone(lobby));
    return true;
  }

  /** Deletes a lobby. */
  async delete(code: string): Promise<boolean> {
    return this.lobbies.delete(code);
  }

  /** All lobbies, oldest first. */
  async list(): Promise<LobbyRecord[]> {
    return [...this.lobbies.values()].map((lobby) => structuredClone(lobby));
  }

  /** Number of lobbies. */
  async count(): Promise<number> {
    return this.lobbies.size;
  }

  /** Forgets every lobby. */
  async close(): Promise<void> {
    this.lobbies.clear();
  }
}

/** A new, empty in-memory store. */
export function createMemoryStore(): LobbyStore {
  return new MemoryLobbyStore();
}
