/** RTT samples per peer over a sliding window: what the devtools graph draws. */

/** One sample. */
export interface RttSample {
  /** When it was taken, ms (the caller's clock). */
  atMs: number;
  /** Smoothed round-trip time, ms. */
  rttMs: number;
}

/** Keeps each peer's samples of the last `windowMs`. */
export class RttHistory {
  private readonly series = new Map<string, RttSample[]>();

  constructor(readonly windowMs = 60_000) {}

  /** Records `rttMs` for `peerId` at `atMs` (NaN, before the first pong, is skipped). */
  add(peerId: string, atMs: number, rttMs: number): void {
    if (!Number.isFinite(rttMs)) return;
    let list = this.series.get(peerId);
    if (!list) this.series.set(peerId, (list = []));
    list.push({ atMs, rttMs });
  }

  /** Drops samples older than the window, and peers not in `live`. */
  prune(nowMs: number, live: ReadonlySet<string>): void {
    for (const [id, list] of this.series) {
      if (!live.has(id)) { this.series.delete(id); continue; }
      const first = list.findIndex((s) => nowMs - s.atMs <= this.windowMs);
      if (first !== 0) list.splice(0, first === -1 ? list.length : first);
    }
  }

  /** Samples of `peerId`, oldest first. */
  samples(peerId: string): readonly RttSample[] {
    return this.series.get(peerId) ?? [];
  }

  /** Peer ids with samples. */
  peers(): string[] {
    return [...this.series.keys()];
  }

  /** Largest RTT in the window, ms (0 when empty). */
  max(): number {
    let max = 0;
    for (const list of this.series.values()) for (const s of list) max = Math.max(max, s.rttMs);
    return max;
  }
}
