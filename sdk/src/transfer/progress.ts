/** Transfer progress and its rate, measured over the last couple of seconds. */

/** Where a transfer stands, as reported in `progress` events. */
export interface TransferProgress {
  /** Bytes sent (sender: acknowledged by the receiver) or received and verified. */
  bytes: number;
  /** The file's size in bytes. */
  total: number;
  /** Recent rate, bytes per second (over about the last 2 s). */
  rateBytesPerSec: number;
}

const WINDOW_MS = 2000;

/** Tracks bytes over time and turns them into `TransferProgress`. */
export class ProgressMeter {
  private readonly samples: { t: number; bytes: number }[] = [];

  constructor(private readonly total: number, private readonly now: () => number = () => performance.now()) {}

  /** Records that `bytes` are done by now; returns the progress. */
  update(bytes: number): TransferProgress {
    const t = this.now();
    this.samples.push({ t, bytes });
    while (this.samples.length > 2 && this.samples[0]!.t < t - WINDOW_MS) this.samples.shift();
    const first = this.samples[0]!;
    const dt = (t - first.t) / 1000;
    return { bytes, total: this.total, rateBytesPerSec: dt > 0 ? Math.round((bytes - first.bytes) / dt) : 0 };
  }
}
