/**
 * In-memory lobby store: the default, zero setup, one process. Records are copied on the way
 * in and out so callers never share mutable state with the store (as with a remote store).
 */
import type { LobbyPage, LobbyRecord, LobbyStore } from './store.js';

/** A LobbyStore in a Map (insertion order is creation order; a sequence number per lobby is its list cursor). */
export class MemoryLobbyStore implements LobbyStore {
  private readonly lobbies = new Map<string, LobbyRecord>();
  private readonly seqs = new Map<string, number>();
  private nextSeq = 1;

  /** Stores a new lobby unless its code is taken. */
  async create(lobby: LobbyRecord): Promise<boolean> {
    if (this.lobbies.has(lobby.code)) return false;
    this.lobbies.set(lobby.code, structuredClone(lobby));
    this.seqs.set(lobby.code, this.nextSeq++);
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

  /** Replaces a lobby only while its host epoch is `epoch` (one process: the check and the write are one step). */
  async replaceIf(lobby: LobbyRecord, epoch: number): Promise<boolean> {
    const known = this.lobbies.get(lobby.code);
    if (known?.hostEpoch !== epoch) return false;
    this.lobbies.set(lobby.code, structuredClone(lobby));
    return true;
  }

  /** Deletes a lobby. */
  async delete(code: string): Promise<boolean> {
    this.seqs.delete(code);
    return this.lobbies.delete(code);
  }

  /** A page of public, open lobbies after `cursor`, oldest first; only the page is copied. */
  async listPublic(cursor: string | undefined, limit: number): Promise<LobbyPage> {
    const after = cursor === undefined ? 0 : Number(cursor);
    const lobbies: LobbyRecord[] = [];
    let last = 0;
    for (const [code, lobby] of this.lobbies) {
      const seq = this.seqs.get(code) ?? 0;
      if (seq <= after || !lobby.public || !lobby.open) continue;
      if (lobbies.length === limit) return { lobbies, next: String(last) };
      lobbies.push(structuredClone(lobby));
      last = seq;
    }
    return { lobbies, next: undefined };
  }

  /** Number of lobbies. */
  async count(): Promise<number> {
    return this.lobbies.size;
  }

  /** Nothing to do: lobbies in one process's memory never outlive it. */
  async refresh(_codes: readonly string[]): Promise<void> {}

  /** Forgets every lobby. */
  async close(): Promise<void> {
    this.lobbies.clear();
    this.seqs.clear();
  }
}

/** A new, empty in-memory store. */
export function createMemoryStore(): LobbyStore {
  return new MemoryLobbyStore();
}
