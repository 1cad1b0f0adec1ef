/**
 * Snapshot interpolation: shows remote entities a little in the past, between two snapshots.
 *
 * Snapshots are kept by host time. `sample(now)` renders at `now − delay`: between the two
 * snapshots around that instant, floats blend linearly, angles along the shortest arc,
 * quaternion groups by normalized lerp; ints, bools, strings and fields outside the schema keep
 * the older snapshot's value until the newer one is reached, and an entity appears or vanishes
 * when its snapshot is reached. Past the newest snapshot it extrapolates for at most
 * `maxExtrapolationMs`, then holds. The delay adapts: target = p95 of recent transit times
 * (arrival − host send time, i.e. latency + jitter) + `intervals` snapshot intervals (Valve's
 * 100 ms at 20 Hz is 2 intervals); the delay moves toward it at a bounded rate (faster up than
 * down), so the render clock never jumps or runs backwards.
 * Read more: Valve, "Source Multiplayer Networking" (cl_interp); Gaffer on Games, "Snapshot Interpolation".
 */
import { HostmeshError } from '../core/errors.js';
import { compileSchema, defaultSchema, SlotKind, type CompiledSchema, type Entity, type Schema, type Slot, type State } from '../snapshot/schema.js';

/** Options of `Interpolator`. */
export interface InterpolatorOptions {
  /** Field kinds (must match the snapshot schema). Default: `defaultSchema`. */
  schema?: Schema;
  /** Snapshot interval, ms; when omitted it is measured from the snapshots. Default: measured (50 until known). */
  snapshotIntervalMs?: number;
  /** Snapshot intervals of delay on top of transit time, to ride over a lost snapshot. Default: 2. */
  intervals?: number;
  /** Smallest delay, ms. Default: 0. */
  minDelayMs?: number;
  /** Largest delay, ms. Default: 1000. */
  maxDelayMs?: number;
  /** Longest extrapolation past the newest snapshot, ms. Default: one snapshot interval, at most 100. */
  maxExtrapolationMs?: number;
  /** Transit samples kept for the jitter estimate. Default: 64. */
  transitWindow?: number;
  /** Snapshots kept. Default: 64. */
  bufferSize?: number;
}

const defaults = { intervals: 2, minDelayMs: 0, maxDelayMs: 1000, transitWindow: 64, bufferSize: 64, initialIntervalMs: 50 } as const;
/** Fraction of elapsed time by which the delay may grow / shrink (render clock at 0.8x .. 1.05x speed). */
const RATE_UP = 0.2, RATE_DOWN = 0.05;
const TWO_PI = 2 * Math.PI;

interface Snap { tick: number; t: number; state: State }

function wrapAngle(a: number): number {
  return a - TWO_PI * Math.floor((a + Math.PI) / TWO_PI);
}

/** Client-side snapshot buffer and interpolator. */
export class Interpolator {
  private readonly schema: CompiledSchema;
  private readonly kinds = new Map<string, number>();
  private readonly quats: Slot[];
  private readonly snaps: Snap[] = [];
  private readonly transits: number[] = [];
  private readonly opts: Required<Omit<InterpolatorOptions, 'schema' | 'snapshotIntervalMs' | 'maxExtrapolationMs'>>;
  private readonly fixedIntervalMs: number | undefined;
  private readonly fixedExtrapolationMs: number | undefined;
  private measuredIntervalMs: number | undefined;
  private delay: number | undefined;
  private lastSampleMs: number | undefined;
  private renderMs: number | undefined;

  /** True when the last `sample()` blended two snapshots around its render time (not held before the first, nor extrapolated past the newest). */
  get interpolating(): boolean {
    return this.blended;
  }

  private blended = false;

  /** Host time the last `sample()` rendered (its `now` minus the delay), or undefined before the first. */
  get renderTimeMs(): number | undefined {
    return this.renderMs;
  }

  /** `from` blended toward `to` by `alpha` in [0, 1], as `sample()` blends two snapshots (for rewinding the host's history). */
  blendBetween(from: State, to: State, alpha: number): State {
    return this.blend(from, to, Math.min(1, Math.max(0, alpha)));
  }

  constructor(options: InterpolatorOptions = {}) {
    this.schema = compileSchema(options.schema ?? defaultSchema);
    for (const slot of this.schema.slots) for (const f of slot.fields) this.kinds.set(f, slot.kind);
    this.quats = this.schema.slots.filter((s) => s.kind === SlotKind.QUAT);
    this.opts = {
      intervals: options.intervals ?? defaults.intervals,
      minDelayMs: options.minDelayMs ?? defaults.minDelayMs,
      maxDelayMs: options.maxDelayMs ?? defaults.maxDelayMs,
      transitWindow: options.transitWindow ?? defaults.transitWindow,
      bufferSize: options.bufferSize ?? defaults.bufferSize,
    };
    this.fixedIntervalMs = options.snapshotIntervalMs;
    this.fixedExtrapolationMs = options.maxExtrapolationMs;
    for (const [k, v] of Object.entries({ ...this.opts, snapshotIntervalMs: options.snapshotIntervalMs ?? 1, maxExtrapolationMs: options.maxExtrapolationMs ?? 0 }))
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new HostmeshError('INVALID_ARGUMENT', `Interpolator option ${k} must be a finite number ≥ 0.`);
  }

  /** Snapshot interval in use, ms (given, else measured). */
  get intervalMs(): number {
    return this.fixedIntervalMs ?? this.measuredIntervalMs ?? defaults.initialIntervalMs;
  }

  /** Transit spread (p95 − min of recent arrival − send times), ms. */
  get jitterMs(): number {
    if (this.transits.length === 0) return 0;
    const sorted = [...this.transits].sort((a, b) => a - b);
    return (sorted[Math.floor(0.95 * (sorted.length - 1))] as number) - (sorted[0] as number);
  }

  /** The delay the interpolator is moving toward, ms. */
  get targetDelayMs(): number {
    if (this.transits.length === 0) return this.opts.intervals * this.intervalMs;
    const sorted = [...this.transits].sort((a, b) => a - b);
    const p95 = sorted[Math.floor(0.95 * (sorted.length - 1))] as number;
    return Math.min(this.opts.maxDelayMs, Math.max(this.opts.minDelayMs, p95 + this.opts.intervals * this.intervalMs));
  }

  /** Current render delay behind host time, ms. */
  get delayMs(): number {
    return this.delay ?? this.targetDelayMs;
  }

  /** Adds the snapshot of `tick`, produced at host time `hostTimeMs` and received at host time `receivedHostMs`. */
  push(tick: number, hostTimeMs: number, state: State, receivedHostMs: number): void {
    if (!Number.isFinite(hostTimeMs) || !Number.isFinite(receivedHostMs)) throw new HostmeshError('INVALID_ARGUMENT', 'push(): times must be finite numbers of milliseconds.');
    const snaps = this.snaps;
    let i = snaps.length;
    while (i > 0 && (snaps[i - 1] as Snap).tick > tick) i--;
    if (i > 0 && (snaps[i - 1] as Snap).tick === tick) return;
    snaps.splice(i, 0, { tick, t: hostTimeMs, state });
    if (i === snaps.length - 1 && i > 0) {
      const prev = snaps[i - 1] as Snap;
      const gap = hostTimeMs - prev.t;
      if (gap > 0) this.measuredIntervalMs = this.measuredIntervalMs === undefined ? gap : this.measuredIntervalMs + (gap - this.measuredIntervalMs) * 0.1;
    }
    while (snaps.length > this.opts.bufferSize) snaps.shift();
    this.transits.push(receivedHostMs - hostTimeMs);
    if (this.transits.length > this.opts.transitWindow) this.transits.shift();
    this.delay ??= this.targetDelayMs;
  }

  /** The interpolated state for host time `nowHostMs`, or undefined before the first snapshot. */
  sample(nowHostMs: number): State | undefined {
    const snaps = this.snaps;
    if (snaps.length === 0) return undefined;
    const target = this.targetDelayMs;
    let delay = this.delay ?? target;
    if (this.lastSampleMs !== undefined) {
      const dt = Math.max(0, nowHostMs - this.lastSampleMs);
      delay = target > delay ? Math.min(target, delay + dt * RATE_UP) : Math.max(target, delay - dt * RATE_DOWN);
    }
    this.delay = delay;
    this.lastSampleMs = nowHostMs;
    const t = nowHostMs - delay;
    this.renderMs = t;
    this.blended = false;
    let a = -1;
    while (a + 1 < snaps.length && (snaps[a + 1] as Snap).t <= t) a++;
    if (a > 1) snaps.splice(0, a - 1); // keep one snapshot before the render time for extrapolation
    a = Math.min(a, 1);
    if (a < 0) return (snaps[0] as Snap).state;
    const A = snaps[a] as Snap;
    const B = snaps[a + 1];
    if (B) { this.blended = true; return this.blend(A.state, B.state, (t - A.t) / (B.t - A.t)); }
    const P = snaps[a - 1];
    if (!P || A.t <= P.t) return A.state;
    const maxExtra = this.fixedExtrapolationMs ?? Math.min(this.intervalMs, 100);
    const ahead = Math.min(t - A.t, maxExtra);
    if (ahead <= 0) return A.state;
    return this.blend(P.state, A.state, 1 + ahead / (A.t - P.t), A.state);
  }

  /** Blends `from` toward `to` by `alpha` (> 1 extrapolates); discrete values and entity sets come from `base`. */
  private blend(from: State, to: State, alpha: number, base: State = from): State {
    if (alpha <= 0) return from;
    const out: State = {};
    for (const id in base) {
      const e = base[id] as Entity;
      const ea = from[id], eb = to[id];
      out[id] = ea && eb && ea !== eb ? this.blendEntity(ea, eb, alpha, e) : e;
    }
    return out;
  }

  private blendEntity(a: Entity, b: Entity, alpha: number, base: Entity): Entity {
    const out: Entity = {};
    for (const f in base) {
      const va = a[f], vb = b[f], kind = this.kinds.get(f);
      if (typeof va === 'number' && typeof vb === 'number' && va !== vb) {
        if (kind === SlotKind.FLOAT) { out[f] = va + (vb - va) * alpha; continue; }
        if (kind === SlotKind.ANGLE) { out[f] = wrapAngle(va + wrapAngle(vb - va) * alpha); continue; }
      }
      out[f] = base[f] as Entity[string];
    }
    for (const slot of this.quats) {
      const [fx, fy, fz, fw] = slot.fields as [string, string, string, string];
      const ax = a[fx], ay = a[fy], az = a[fz], aw = a[fw], bx = b[fx], by = b[fy], bz = b[fz], bw = b[fw];
      if (typeof ax !== 'number' || typeof ay !== 'number' || typeof az !== 'number' || typeof aw !== 'number') continue;
      if (typeof bx !== 'number' || typeof by !== 'number' || typeof bz !== 'number' || typeof bw !== 'number') continue;
      if (!(fx in base)) continue;
      const s = ax * bx + ay * by + az * bz + aw * bw < 0 ? -1 : 1; // shortest way round
      const x = ax + (s * bx - ax) * alpha, y = ay + (s * by - ay) * alpha, z = az + (s * bz - az) * alpha, w = aw + (s * bw - aw) * alpha;
      const len = Math.sqrt(x * x + y * y + z * z + w * w) || 1;
      out[fx] = x / len; out[fy] = y / len; out[fz] = z / len; out[fw] = w / len;
    }
    return out;
  }
}
