/**
 * Items grouped by key (a client address), with the heaviest key at hand in O(1).
 *
 * Caps that protect a shared table (sockets, TCP connections, id reservations) use it to stay
 * fair: when the table is full, the newcomer takes the place of the oldest item of the key
 * holding the most, as long as that key holds more than the newcomer's own. An attacker then
 * keeps a newcomer out only by holding no more than one item per address across as many
 * addresses as the table has room (max-min fairness). Keys are bucketed by count so that the
 * heaviest key is found without a scan; items keep their insertion order within a key.
 */

/** Items per key, in insertion order, with the heaviest key tracked. */
export class FairShare<K, T> {
  private readonly byKey = new Map<K, Set<T>>();
  private readonly byCount = new Map<number, Set<K>>();
  private maxCount = 0;
  private total = 0;

  /** Items held in all. */
  get size(): number {
    return this.total;
  }

  /** Items held by `key`. */
  count(key: K): number {
    return this.byKey.get(key)?.size ?? 0;
  }

  /** Number of keys holding at least one item. */
  get keys(): number {
    return this.byKey.size;
  }

  /** Adds `item` under `key` (no-op when already there). */
  add(key: K, item: T): void {
    let items = this.byKey.get(key);
    if (items === undefined) {
      items = new Set();
      this.byKey.set(key, items);
    }
    if (items.has(item)) return;
    this.move(key, items.size, items.size + 1);
    items.add(item);
    this.total++;
  }

  /** Removes `item` from `key`; false when it was not there. */
  remove(key: K, item: T): boolean {
    const items = this.byKey.get(key);
    if (items === undefined || !items.delete(item)) return false;
    this.total--;
    this.move(key, items.size + 1, items.size);
    if (items.size === 0) this.byKey.delete(key);
    return true;
  }

  /** The oldest item of `key`. */
  oldest(key: K): T | undefined {
    const first = this.byKey.get(key)?.values().next();
    return first === undefined || first.done === true ? undefined : first.value;
  }

  /** A key holding the most items, with its count; undefined when empty. */
  heaviest(): { key: K; count: number } | undefined {
    const keys = this.byCount.get(this.maxCount);
    const first = keys?.values().next();
    return first === undefined || first.done === true ? undefined : { key: first.value, count: this.maxCount };
  }

  /** The item to evict so that a newcomer under `key` gets a place: the heaviest key's oldest, if that key holds more than `key`. */
  victimFor(key: K): { key: K; item: T } | undefined {
    const top = this.heaviest();
    if (top === undefined || top.count <= this.count(key)) return undefined;
    const item = this.oldest(top.key);
    return item === undefined ? undefined : { key: top.key, item };
  }

  private move(key: K, from: number, to: number): void {
    if (from > 0) {
      const set = this.byCount.get(from);
      set?.delete(key);
      if (set?.size === 0) this.byCount.delete(from);
    }
    if (to > 0) {
      let set = this.byCount.get(to);
      if (set === undefined) {
        set = new Set();
        this.byCount.set(to, set);
      }
      set.add(key);
    }
    if (to > this.maxCount) this.maxCount = to;
    while (this.maxCount > 0 && !this.byCount.has(this.maxCount)) this.maxCount--;
  }
}
