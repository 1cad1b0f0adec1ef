/**
 * Captures the timers a third-party component schedules, so they can be cleared on close.
 *
 * PeerServer (`peer` 1.0.2) starts two self-rescheduling `setTimeout` loops when it is mounted
 * (message expiry, dead-connection check) and offers no way to stop them: a closed server
 * would keep the process alive forever. `run(fn)` swaps `globalThis.setTimeout` only for the
 * synchronous duration of `fn` and of every callback scheduled under it, so each reschedule is
 * captured too; `close()` clears them all. Captured timers are unref'd: they never hold the
 * process open on their own. No other code is affected (the swap is always undone before
 * returning to the event loop).
 */

type SetTimeoutFn = typeof globalThis.setTimeout;

/** A set of captured timers that can be cleared at once. */
export class TimerScope {
  private readonly timers = new Set<ReturnType<SetTimeoutFn>>();
  private closed = false;

  /** Runs `fn`, capturing every `setTimeout` it (and what those timers run) schedules. */
  run<T>(fn: () => T): T {
    const original = globalThis.setTimeout;
    const patched = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      const timer = original(() => {
        this.timers.delete(timer);
        if (!this.closed) this.run(() => callback(...args));
      }, ms);
      timer.unref();
      this.timers.add(timer);
      return timer;
    };
    globalThis.setTimeout = Object.assign(patched, original) as SetTimeoutFn;
    try {
      return fn();
    } finally {
      globalThis.setTimeout = original;
    }
  }

  /** Number of pending captured timers. */
  get pending(): number {
    return this.timers.size;
  }

  /** Clears every captured timer and stops capturing reschedules. Idempotent. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
