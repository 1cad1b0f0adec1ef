/**
 * Host clock estimation from ping samples, NTP-style.
 *
 * Each sample is (local send time, host time when the host answered, local receive time).
 * Assuming the host answered halfway through the round trip, offset = host − (send + recv)/2,
 * wrong by half the path asymmetry; samples with a small round trip bound that error best, so
 * the estimate is the offset of the lowest-RTT sample among the last `windowSize` (a min-RTT
 * filter, as in NTP's clock filter and Cristian's algorithm). The reported clock never jumps:
 * after the first sample the offset slews toward each new estimate at most `maxSlewRate` ms per
 * ms of local time (so host time keeps moving forward), unless the error exceeds `stepThresholdMs`.
 * Read more: RFC 5905 (NTPv4) section 10, "Clock Filter Algorithm"; Cristian (1989).
 */
import { HostmeshError } from '../core/errors.js';

/** Options of `ClockSync`. */
export interface ClockSyncOptions {
  /** Samples considered by the min-RTT filter. Default: 16. */
  windowSize?: number;
  /** Fastest correction, ms of offset per ms of local time. Default: 0.05. */
  maxSlewRate?: number;
  /** Errors larger than this are corrected at once, ms. Default: 1000. */
  stepThresholdMs?: number;
}

const defaults = { windowSize: 16, maxSlewRate: 0.05, stepThresholdMs: 1000 } as const;

interface Sample { offset: number; rtt: number }

/** Estimates host time from local time. */
export class ClockSync {
  private readonly samples: Sample[] = [];
  private readonly opts: Required<ClockSyncOptions>;
  private anchorLocal = 0;
  private anchorOffset: number | undefined;
  private target = 0;

  constructor(options: ClockSyncOptions = {}) {
    this.opts = { ...defaults, ...options };
    const { windowSize, maxSlewRate, stepThresholdMs } = this.opts;
    if (!Number.isInteger(windowSize) || windowSize < 1) throw new HostmeshError('INVALID_ARGUMENT', 'ClockSync windowSize must be a positive integer.');
    if (!(maxSlewRate > 0 && maxSlewRate < 1)) throw new HostmeshError('INVALID_ARGUMENT', 'ClockSync maxSlewRate must be between 0 and 1 (exclusive).');
    if (!(stepThresholdMs >= 0)) throw new HostmeshError('INVALID_ARGUMENT', 'ClockSync stepThresholdMs must be ≥ 0.');
  }

  /** True once a sample has been accepted. */
  get synced(): boolean {
    return this.anchorOffset !== undefined;
  }

  /** Best current estimate of host − local, ms (what the clock slews toward), or undefined. */
  get offsetMs(): number | undefined {
    return this.anchorOffset === undefined ? undefined : this.target;
  }

  /** Smallest round trip in the window, ms, or undefined. */
  get rttMs(): number | undefined {
    return this.samples.length === 0 ? undefined : Math.min(...this.samples.map((s) => s.rtt));
  }

  /** Adds a ping sample; returns false (and ignores it) when it is inconsistent. */
  addSample(sendLocalMs: number, hostMs: number, recvLocalMs: number): boolean {
    if (![sendLocalMs, hostMs, recvLocalMs].every(Number.isFinite) || recvLocalMs < sendLocalMs) return false;
    const current = this.anchorOffset === undefined ? undefined : this.offsetAt(recvLocalMs);
    this.samples.push({ offset: hostMs - (sendLocalMs + recvLocalMs) / 2, rtt: recvLocalMs - sendLocalMs });
    if (this.samples.length > this.opts.windowSize) this.samples.shift();
    let best = this.samples[0] as Sample;
    for (const s of this.samples) if (s.rtt < best.rtt) best = s;
    this.target = best.offset;
    this.anchorLocal = recvLocalMs;
    this.anchorOffset = current === undefined || Math.abs(this.target - current) > this.opts.stepThresholdMs ? this.target : current;
    return true;
  }

  /** Host time now, for local time `localNowMs` (local time itself before the first sample). */
  hostNow(localNowMs: number): number {
    return localNowMs + (this.anchorOffset === undefined ? 0 : this.offsetAt(localNowMs));
  }

  private offsetAt(localMs: number): number {
    const from = this.anchorOffset as number;
    const room = Math.max(0, localMs - this.anchorLocal) * this.opts.maxSlewRate;
    return from + Math.max(-room, Math.min(room, this.target - from));
  }
}
