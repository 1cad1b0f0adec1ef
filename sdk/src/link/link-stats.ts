/**
 * Per-link measurements from the heartbeat: round-trip time (smoothed), jitter (RFC 3550
 * style: mean deviation of successive RTT samples), loss (share of recent pings never
 * answered), throughput, drops. Pure: every method takes the time as an argument.
 */

/** What a link measured about its remote peer. */
export interface LinkStats {
  /** Smoothed round-trip time, ms (NaN before the first pong). */
  rttMs: number;
  /** Latest round-trip sample, ms. */
  lastRttMs: number;
  /** RTT variation, ms. */
  jitterMs: number;
  /** Share of recent heartbeat pings that were lost, 0..1. */
  loss: number;
  /** Bytes received per second over the last measurement window. */
  bytesInPerSec: number;
  /** Bytes sent per second over the last measurement window. */
  bytesOutPerSec: number;
  /** Total bytes received. */
  bytesIn: number;
  /** Total bytes sent. */
  bytesOut: number;
  /** Unreliable messages dropped on send (congestion or link not ready). */
  drops: number;
  /** Malformed frames received and dropped. */
  decodeErrors: number;
  /** Frames received over this link's inbound rate budget and dropped. */
  rateLimited: number;
  /** Times the link stalled (silent past the timeout) and tried to come back in place. */
  stalls: number;
  /** Stalls the link came back from on the same connection (no new link). */
  recoveries: number;
  /** ICE restart attempts on this link's connection. */
  iceRestarts: number;
  /** Times ICE was connected again after restart attempts (the restart, not the old path, brought it back). */
  iceRestored: number;
}

const PING_WINDOW = 32;

/** Accumulates heartbeat and traffic figures for one link. */
export class LinkMeter {
  bytesIn = 0;
  bytesOut = 0;
  drops = 0;
  decodeErrors = 0;
  rateLimited = 0;
  stalls = 0;
  recoveries = 0;
  iceRestarts = 0;
  iceRestored = 0;
  private rtt = Number.NaN;
  private lastRtt = Number.NaN;
  private jitter = 0;
  private readonly pings: { seq: number; sentMs: number; answered: boolean }[] = [];
  private rateAtMs = 0;
  private rateIn = 0;
  private rateOut = 0;
  private lastIn = 0;
  private lastOut = 0;

  /** Records a ping sent now. */
  pingSent(seq: number, nowMs: number): void {
    this.pings.push({ seq, sentMs: nowMs, answered: false });
    if (this.pings.length > PING_WINDOW) this.pings.shift();
  }

  /** Records the pong for `seq`; returns the RTT sample, or undefined for unknown/duplicate pongs. */
  pongReceived(seq: number, nowMs: number): number | undefined {
    const ping = this.pings.find((p) => p.seq === seq);
    if (!ping || ping.answered) return undefined;
    ping.answered = true;
    const sample = nowMs - ping.sentMs;
    if (Number.isNaN(this.rtt)) this.rtt = sample;
    else {
      this.jitter += (Math.abs(sample - this.lastRtt) - this.jitter) / 16;
      this.rtt += (sample - this.rtt) / 8;
    }
    this.lastRtt = sample;
    return sample;
  }

  /** Refreshes the byte rates; call about once per heartbeat. */
  tick(nowMs: number): void {
    const dt = (nowMs - this.rateAtMs) / 1000;
    if (this.rateAtMs > 0 && dt > 0) {
      this.rateIn = (this.bytesIn - this.lastIn) / dt;
      this.rateOut = (this.bytesOut - this.lastOut) / dt;
    }
    this.rateAtMs = nowMs;
    this.lastIn = this.bytesIn;
    this.lastOut = this.bytesOut;
  }

  /** A snapshot of the figures; pings younger than `graceMs` are not yet counted as lost. */
  snapshot(nowMs: number, graceMs: number): LinkStats {
    const settled = this.pings.filter((p) => nowMs - p.sentMs >= graceMs);
    const lost = settled.filter((p) => !p.answered).length;
    return {
      rttMs: this.rtt,
      lastRttMs: this.lastRtt,
      jitterMs: this.jitter,
      loss: settled.length === 0 ? 0 : lost / settled.length,
      bytesInPerSec: this.rateIn,
      bytesOutPerSec: this.rateOut,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      drops: this.drops,
      decodeErrors: this.decodeErrors,
      rateLimited: this.rateLimited,
      stalls: this.stalls,
      recoveries: this.recoveries,
      iceRestarts: this.iceRestarts,
      iceRestored: this.iceRestored,
    };
  }
}
