/**
 * Link conditioner: added latency, jitter and loss, for development and tests.
 *
 * `schedule(reliable, deliver)` decides when (or whether) a message arrives. Unreliable
 * messages are dropped with probability lossPct/100 and otherwise delayed by latency ± jitter
 * (uniform), so they may arrive out of order, as on a real unordered channel. Reliable
 * messages are never dropped and arrive in order: each is due no earlier than the one before
 * it, and a firing timer delivers every queued reliable message up to its own, in order.
 * With zero latency and jitter a message is delivered synchronously. Time, randomness and
 * timers are injected, so tests run it on a fake clock; settings may change at any time.
 * Read more: Gaffer on Games, "Reliable Ordered Messages"; Linux netem(8).
 */
import { HostmeshError } from '../core/errors.js';

/** Conditions applied to a link. */
export interface ConditionerSettings {
  /** Added one-way delay, ms. */
  latencyMs: number;
  /** Uniform random variation of the delay, ± ms. */
  jitterMs: number;
  /** Share of unreliable messages dropped, percent (0..100). */
  lossPct: number;
}

/** The timer functions the conditioner uses. */
export interface ConditionerTimers {
  setTimeout(cb: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options of `LinkConditioner`. */
export interface LinkConditionerOptions {
  /** Initial settings. Default: all zero (no effect). */
  settings?: Partial<ConditionerSettings>;
  /** Clock, ms. Default: performance.now. */
  now?: () => number;
  /** Uniform random numbers in [0, 1). Default: Math.random. */
  random?: () => number;
  /** Timers. Default: globalThis.setTimeout / clearTimeout. */
  timers?: ConditionerTimers;
}

interface Queued { at: number; deliver: () => void; handle: unknown }

/** Schedules message delivery under configurable latency, jitter and loss. */
export class LinkConditioner {
  private current: ConditionerSettings = { latencyMs: 0, jitterMs: 0, lossPct: 0 };
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly timers: ConditionerTimers;
  private readonly reliable: Queued[] = [];
  private readonly unreliable = new Set<Queued>();
  private lastReliableAt = -Infinity;
  /** Counters: unreliable messages dropped, messages delivered. */
  readonly stats = { dropped: 0, delivered: 0 };

  constructor(options: LinkConditionerOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    this.random = options.random ?? Math.random;
    this.timers = options.timers ?? {
      setTimeout: (cb, ms) => globalThis.setTimeout(cb, ms),
      clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>),
    };
    if (options.settings) this.set(options.settings);
  }

  /** Current settings. */
  get settings(): Readonly<ConditionerSettings> {
    return this.current;
  }

  /** Messages scheduled but not yet delivered. */
  get pending(): number {
    return this.reliable.length + this.unreliable.size;
  }

  /** Changes some settings; applies to messages scheduled from now on. */
  set(settings: Partial<ConditionerSettings>): void {
    const next = { ...this.current, ...settings };
    for (const [k, v] of Object.entries(next))
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (k === 'lossPct' && v > 100))
        throw new HostmeshError('INVALID_ARGUMENT', `Conditioner ${k} must be a finite number ≥ 0${k === 'lossPct' ? ' and ≤ 100' : ''}.`);
    this.current = next;
  }

  /** Schedules `deliver`: maybe dropped (unreliable only), maybe delayed, reliable ones in order. */
  schedule(reliable: boolean, deliver: () => void): void {
    const { latencyMs, jitterMs, lossPct } = this.current;
    if (!reliable && lossPct > 0 && this.random() * 100 < lossPct) { this.stats.dropped++; return; }
    const delay = Math.max(0, latencyMs + (jitterMs > 0 ? (this.random() * 2 - 1) * jitterMs : 0));
    const now = this.now();
    if (!reliable) {
      if (delay === 0) return this.fire(deliver);
      const q: Queued = { at: now + delay, deliver, handle: undefined };
      q.handle = this.timers.setTimeout(() => { this.unreliable.delete(q); this.fire(deliver); }, delay);
      this.unreliable.add(q);
      return;
    }
    const at = Math.max(now + delay, this.lastReliableAt);
    this.lastReliableAt = at;
    if (at <= now && this.reliable.length === 0) return this.fire(deliver);
    const q: Queued = { at, deliver, handle: undefined };
    q.handle = this.timers.setTimeout(() => this.flushReliable(q), Math.max(0, at - now));
    this.reliable.push(q);
  }

  /** Cancels every pending delivery. */
  close(): void {
    for (const q of [...this.reliable, ...this.unreliable]) this.timers.clearTimeout(q.handle);
    this.reliable.length = 0;
    this.unreliable.clear();
  }

  private flushReliable(upTo: Queued): void {
    const i = this.reliable.indexOf(upTo);
    if (i < 0) return; // already delivered by an earlier timer
    for (const q of this.reliable.splice(0, i + 1)) {
      if (q !== upTo) this.timers.clearTimeout(q.handle);
      this.fire(q.deliver);
    }
  }

  private fire(deliver: () => void): void {
    this.stats.delivered++;
    deliver();
  }
}
