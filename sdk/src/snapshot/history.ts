/**
 * Snapshot history and per-client acks.
 *
 * `SnapshotHistory` keeps the last N snapshots by tick (insertion order = tick order), so the
 * host can delta against whatever tick a client acknowledged and a client can keep the
 * baselines the host may still reference. `AckTracker` holds one client's newest
 * acknowledged tick, ignoring acks that are stale (reordered), from the future or not
 * integers, so the host only asks `encoder.encodeFor(tracker.ackedTick)`.
 * Read more: Quake 3 networking model (Fabien Sanglard, "Quake 3 Source Code Review: Network").
 */

/** A bounded map from tick to value that forgets the oldest ticks first (a ring of the last `capacity` ticks). */
export class SnapshotHistory<T> {
  private readonly ticks: number[];
  private readonly values: (T | undefined)[];
  private count = 0;
  private newest = -1;

  /** Keeps at most `capacity` ticks. */
  constructor(readonly capacity: number) {
    this.ticks = new Array<number>(capacity).fill(-1);
    this.values = new Array<T | undefined>(capacity).fill(undefined);
  }

  /** Stores `value` at `tick`; ticks must increase (an older or equal tick is ignored and returns false). */
  set(tick: number, value: T): boolean {
    if (tick <= this.newest) return false;
    // Slots cycle in arrival order: the slot written `capacity` sets ago holds the oldest tick.
    const at = this.count % this.capacity;
    this.ticks[at] = tick;
    this.values[at] = value;
    this.count++;
    this.newest = tick;
    return true;
  }

  /** The value stored at `tick`, if still kept. */
  get(tick: number): T | undefined {
    if (tick > this.newest || tick < 0) return undefined;
    const n = Math.min(this.count, this.capacity);
    // Newest first: callers mostly ask for recent ticks.
    for (let k = 1; k <= n; k++) {
      const at = (this.count - k) % this.capacity;
      const t = this.ticks[at] as number;
      if (t === tick) return this.values[at];
      if (t < tick) return undefined;
    }
    return undefined;
  }

  /** Newest stored tick, or undefined when empty. */
  get newestTick(): number | undefined {
    return this.count > 0 ? this.newest : undefined;
  }

  /** Number of ticks kept. */
  get size(): number {
    return Math.min(this.count, this.capacity);
  }

  /** Forgets everything. */
  clear(): void {
    this.ticks.fill(-1);
    this.values.fill(undefined);
    this.count = 0;
    this.newest = -1;
  }
}

/** One client's newest acknowledged snapshot tick. */
export class AckTracker {
  /** Newest acknowledged tick, or undefined before the first valid ack. */
  ackedTick: number | undefined = undefined;

  /** Records an ack; accepted only if it is an integer tick newer than the current ack and ≤ `newestSentTick`. */
  ack(tick: unknown, newestSentTick: number): boolean {
    if (typeof tick !== 'number' || !Number.isSafeInteger(tick) || tick < 0 || tick > newestSentTick) return false;
    if (this.ackedTick !== undefined && tick <= this.ackedTick) return false;
    this.ackedTick = tick;
    return true;
  }

  /** Forgets the ack (e.g. after the client rejoined): the next snapshot is full. */
  reset(): void {
    this.ackedTick = undefined;
  }
}
