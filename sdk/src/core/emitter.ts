/** A tiny typed event emitter: `on` returns an unsubscribe function (nanoevents-style). */
export type Listener<A extends unknown[]> = (...args: A) => void;

type AnyListener = (...args: unknown[]) => void;

/** Typed emitter; a throwing listener is reported (to `onListenerError`, else the console), never breaks the emitter or other listeners. */
export class Emitter<E extends { [K in keyof E]: unknown[] }> {
  private readonly listeners = new Map<keyof E, Set<AnyListener>>();

  /** `onListenerError` hears what a listener threw (and must not throw itself). */
  constructor(private readonly onListenerError?: (event: keyof E, err: unknown) => void) {}

  /** Subscribes `cb` to `event`; returns a function that unsubscribes it. */
  on<K extends keyof E>(event: K, cb: Listener<E[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const entry = cb as unknown as AnyListener;
    set.add(entry);
    return () => void set.delete(entry);
  }

  /** Calls every listener of `event` with `args`. */
  emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const cb of [...set]) {
      try {
        cb(...args);
      } catch (err) {
        if (this.onListenerError) this.onListenerError(event, err);
        else console.error(`[hostmesh] a '${String(event)}' listener threw:`, err);
      }
    }
  }

  /** Number of listeners of `event`. */
  count(event: keyof E): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  /** Removes every listener. */
  clear(): void {
    this.listeners.clear();
  }
}
