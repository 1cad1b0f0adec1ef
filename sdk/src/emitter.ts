/** A tiny typed event emitter: `on` returns an unsubscribe function (nanoevents-style). */
export type Listener<A extends unknown[]> = (...args: A) => void;

/** Event map: event name to the listener's argument tuple. */
export type EventMap = Record<string, unknown[]>;

/** Typed emitter; a throwing listener is reported, never breaks the emitter or other listeners. */
export class Emitter<E extends EventMap> {
  private readonly listeners = new Map<keyof E, Set<Listener<never[]>>>();

  /** Subscribes `cb` to `event`; returns a function that unsubscribes it. */
  on<K extends keyof E>(event: K, cb: Listener<E[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(cb as Listener<never[]>);
    return () => void set.delete(cb as Listener<never[]>);
  }

  /** Calls every listener of `event` with `args`. */
  emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const cb of [...set]) {
      try {
        (cb as Listener<E[K]>)(...args);
      } catch (err) {
        console.error(`[hostmesh] a '${String(event)}' listener threw:`, err);
      }
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.listeners.clear();
  }
}
