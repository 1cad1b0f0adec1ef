/**
 * Caps on what `peer` queues for ids that are not connected.
 *
 * `peer` 1.0.2 keeps every OFFER/ANSWER/CANDIDATE addressed to an unknown id in a queue, with
 * no size cap, until that id connects or the queue is pruned (`expire_timeout` after it was made,
 * checked every `cleanup_out_msgs`): 114 MB became 1.1 GB under a flood. We cannot reach that
 * queue, so we account for it from outside, conservatively: a message to a not-connected id
 * counts for `holdMs` (at least peer's worst-case queue lifetime) after the last message to
 * that id, or until the id connects and receives it. A frame that would go over the global
 * byte cap, or the per-id message or byte cap, is dropped before `peer` sees it.
 */

/** Limits on undelivered signaling. */
export interface UndeliveredLimits {
  /** All queued messages together, bytes. */
  maxBytes: number;
  /** Queued for one id, bytes. */
  maxBytesPerId: number;
  /** Queued for one id, messages. */
  maxMessagesPerId: number;
  /** How long a queued message is counted, ms (>= peer's expire_timeout + cleanup_out_msgs). */
  holdMs: number;
}

interface Entry {
  bytes: number;
  count: number;
  lastMs: number;
}

/** Accounting of messages queued for ids that are not connected. */
export class UndeliveredLedger {
  private readonly perId = new Map<string, Entry>();
  private total = 0;

  constructor(private readonly limits: UndeliveredLimits, private readonly now: () => number = Date.now) {}

  /** Counts a `bytes`-long message to not-connected `id`; false when it must be dropped instead. */
  admit(id: string, bytes: number): boolean {
    const now = this.now();
    this.prune(now);
    const entry = this.perId.get(id) ?? { bytes: 0, count: 0, lastMs: now };
    if (this.total + bytes > this.limits.maxBytes || entry.bytes + bytes > this.limits.maxBytesPerId || entry.count + 1 > this.limits.maxMessagesPerId) {
      return false;
    }
    entry.bytes += bytes;
    entry.count++;
    entry.lastMs = now;
    this.total += bytes;
    // Re-insert so that the map stays in order of last use (pruning pops from the front).
    this.perId.delete(id);
    this.perId.set(id, entry);
    return true;
  }

  /** `id` connected: `peer` handed over and cleared its queue. */
  delivered(id: string): void {
    const entry = this.perId.get(id);
    if (entry === undefined) return;
    this.total -= entry.bytes;
    this.perId.delete(id);
  }

  /** Bytes counted as queued now. */
  get bytes(): number {
    this.prune(this.now());
    return this.total;
  }

  private prune(now: number): void {
    for (const [id, entry] of this.perId) {
      if (now - entry.lastMs < this.limits.holdMs) break;
      this.total -= entry.bytes;
      this.perId.delete(id);
    }
  }
}
