/**
 * Lag compensation: the host's authoritative state at an earlier host time, as a client showed
 * it. Clients render `interpolationDelay` behind the host clock they estimate, blending the two
 * snapshots around that instant; each input carries that render time (on the host clock). The
 * host keeps the send time of every committed tick, finds the two ticks around the time asked
 * for and blends them the same way (same schema, same interpolator), so a hit test runs against
 * what the shooter saw, within one quantization step. Times older than `maxRewindMs` are clamped.
 * Read more: Valve, "Lag Compensation" (Source Multiplayer Networking); Bernier 2001.
 */
import { Interpolator } from '../netcode/interpolation.js';
import { dequantizeState } from '../snapshot/dequantize.js';
import type { QState } from '../snapshot/qstate.js';
import { compileSchema, type Schema, type State } from '../snapshot/schema.js';

/** Host side: tick send times and the rewind query over the encoder's history. */
export class RewindHistory {
  private readonly ticks: number[] = [];
  private readonly times: number[] = [];
  private readonly blender: Interpolator;
  private readonly schema;

  constructor(schema: Schema | undefined, private readonly maxRewindMs: number, private readonly capacity: number, private readonly stateOf: (tick: number) => QState | undefined) {
    this.schema = compileSchema(schema);
    this.blender = new Interpolator(schema ? { schema } : {});
  }

  /** Records that `tick` was sent at host time `hostTimeMs`. */
  record(tick: number, hostTimeMs: number): void {
    this.ticks.push(tick);
    this.times.push(hostTimeMs);
    if (this.ticks.length > this.capacity) { this.ticks.shift(); this.times.shift(); }
  }

  /** The state at host time `t` (clamped to the last `maxRewindMs` before `nowMs`), blended between the two ticks around it; undefined before the first tick. */
  at(t: number, nowMs: number): State | undefined {
    const n = this.ticks.length;
    if (n === 0) return undefined;
    const when = Math.min(nowMs, Math.max(nowMs - this.maxRewindMs, Number.isFinite(t) ? t : nowMs));
    let a = n - 1;
    while (a > 0 && (this.times[a] as number) > when) a--;
    const A = this.view(a);
    if (!A) return undefined;
    const tA = this.times[a] as number;
    if (a === n - 1 || when <= tA) return A;
    const B = this.view(a + 1);
    if (!B) return A;
    return this.blender.blendBetween(A, B, (when - tA) / ((this.times[a + 1] as number) - tA));
  }

  private view(i: number): State | undefined {
    const q = this.stateOf(this.ticks[i] as number);
    return q && dequantizeState(this.schema, q);
  }
}
