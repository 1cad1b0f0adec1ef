/**
 * Reserves a freed peer id for the token that last held it.
 *
 * `peer` frees an id the instant its socket closes; another client could claim it 300 ms
 * later and receive offers meant for the original (FACTS.md). While reserved, only a client
 * presenting the same token (the PeerJS client reuses its token when it reconnects) may take
 * the id. Memory is bounded (`maxEntries`) without letting churn evict a victim: each address
 * holds at most `maxPerAddress` reservations (past it, its own oldest goes), and a full table
 * makes room by dropping the oldest reservation of the address holding the most (fair-share.ts).
 * Pushing out one address's single reservation thus takes `maxEntries` other addresses at
 * once, where plain first-in-first-out took 100,050 connect/disconnect cycles from one address.
 */
import { FairShare } from '../limits/fair-share.js';

/** Limits of the reservation table. */
export interface ReservationLimits {
  /** Reservations in all. Default: 100000. */
  maxEntries: number;
  /** Reservations one address may hold. Default: 64. */
  maxPerAddress: number;
}

const defaults: ReservationLimits = { maxEntries: 100_000, maxPerAddress: 64 };

interface Entry {
  token: string;
  address: string;
  untilMs: number;
}

/** Freed ids and the tokens they are reserved for, with an injected clock. */
export class IdReservations {
  private readonly entries = new Map<string, Entry>();
  private readonly byAddress = new FairShare<string, string>();
  private readonly limits: ReservationLimits;

  constructor(
    private readonly reserveMs: number,
    private readonly now: () => number = Date.now,
    limits: Partial<ReservationLimits> = {},
  ) {
    this.limits = { ...defaults, ...limits };
  }

  /** Reserves `id` for `token` (held from `address`) for `ms` (default: the table's lifetime). */
  reserve(id: string, token: string, address = 'unknown', ms = this.reserveMs): void {
    if (ms <= 0) return;
    this.prune();
    this.release(id);
    if (this.byAddress.count(address) >= this.limits.maxPerAddress) {
      this.release(this.byAddress.oldest(address));
    } else if (this.entries.size >= this.limits.maxEntries) {
      const victim = this.byAddress.victimFor(address) ?? { item: this.byAddress.oldest(address) };
      this.release(victim.item);
    }
    if (this.entries.size >= this.limits.maxEntries) return;
    this.entries.set(id, { token, address, untilMs: this.now() + ms });
    this.byAddress.add(address, id);
  }

  /** Drops the reservation of `id` (its owner is back). */
  release(id: string | undefined): void {
    if (id === undefined) return;
    const entry = this.entries.get(id);
    if (entry === undefined) return;
    this.entries.delete(id);
    this.byAddress.remove(entry.address, id);
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

  /** Reservations held from `address`. */
  heldFrom(address: string): number {
    return this.byAddress.count(address);
  }

  private prune(): void {
    // Insertion order is expiry order for one lifetime; a longer one (a lobby host) only delays
    // the pruning of later entries, which stay bounded by the caps.
    const now = this.now();
    for (const [id, entry] of this.entries) {
      if (entry.untilMs > now) break;
      this.release(id);
    }
  }
}
