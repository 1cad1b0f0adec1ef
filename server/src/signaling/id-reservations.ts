/**
 * Reserves a freed peer id for the token that last held it.
 *
 * `peer` frees an id the instant its socket closes; another client could claim it 300 ms
 * later and receive offers meant for the original (FACTS.md). While reserved, only a client
 * presenting the same token (the PeerJS client reuses its token when it reconnects) may take
 * the id. Entries share one lifetime, so insertion order is expiry order and pruning pops
 * from the front; `maxEntries` bounds memory.
 */

/** Freed ids and the tokens they are reserved for, with an injected clock. */
export class IdReservations {
  private readonly entries = new Map<string, { token: string; untilMs: number }>();

  constructor(
    private readonly reserveMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 100_000,
  ) {}

  /** Reserves `id` for `token` from now on. */
  reserve(id: string, token: string): void {
    if (this.reserveMs <= 0) return;
    this.prune();
    this.entries.delete(id);
    this.entries.set(id, { token, untilMs: this.now() + this.reserveMs });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }

  /** Drops the reservation of `id` (its owner is back). */
  release(id: string): void {
    this.entries.delete(id);
  }

  /** True when `id` is reserved for a token other than `token`. */
  isReservedForOther(id: string, token: string): boolean {
    const entry = this.entries.get(id);
    return entry !== undefined && entry.untilMs > this.now() && entry.token !== token;
  }

  /** Number of live reservations. */
  get size(): number {
    this.prune();
    return this.entries.size;
  }

  private prune(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) {
      if (entry.untilMs > now) break;
      this.entries.delete(id);
    }
  }
}
