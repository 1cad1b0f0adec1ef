/**
 * Summary statistics for latency samples: nearest-rank percentiles (p50, p99, p99.9), mean,
 * min and max, rounded to microseconds. Nearest rank means every figure is a real sample.
 */

/** A latency summary, milliseconds. */
export interface Summary {
  /** Samples summarized. */
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile `p` (0..100) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

/** Rounds to 3 decimals (µs when the unit is ms). */
export function round3(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 1000) / 1000 : x;
}

/** Summarizes `samples` (any order); every field is null-safe NaN when there are none. */
export function summarize(samples: readonly number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  const mean = s.length ? s.reduce((a, b) => a + b, 0) / s.length : NaN;
  return {
    n: s.length,
    min: round3(s[0] ?? NaN),
    p50: round3(percentile(s, 50)),
    p90: round3(percentile(s, 90)),
    p99: round3(percentile(s, 99)),
    p999: round3(percentile(s, 99.9)),
    max: round3(s[s.length - 1] ?? NaN),
    mean: round3(mean),
  };
}

/** Median of `xs` (NaN when empty). */
export function median(xs: readonly number[]): number {
  return percentile([...xs].sort((a, b) => a - b), 50);
}

/** `a / b` rounded to 2 decimals, or null when either is missing or b is 0. */
export function ratio(a: number | undefined, b: number | undefined): number | null {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return Math.round((a / b) * 100) / 100;
}
