/**
 * Tracks which peer ids are connected to signaling (with the token each registered with, the
 * proof a lobby's creator must show to name that id as host) and fires `onGone(id)` when a watched id
 * (a lobby host) has stayed disconnected for `graceMs`. A reconnect within the grace period
 * cancels it, so a host's network blip does not kill its lobby.
 */

/** Connected-peer tracking with a grace timer per disconnected host. */
export class HostWatch {
  private readonly connected = new Map<string, string>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private closed = false;

  /** `isWatched(id)` tells whether `id` hosts anything; `onGone(id)` runs after the grace. */
  constructor(
    private readonly graceMs: number,
    private readonly isWatched: (id: string) => boolean,
    private readonly onGone: (id: string) => void,
  ) {}

  /** True when `id` has an open signaling connection. */
  isConnected(id: string): boolean {
    return this.connected.has(id);
  }

  /** The token `id` is connected with, or undefined when it is not connected. */
  tokenOf(id: string): string | undefined {
    return this.connected.get(id);
  }

  /** Signaling says `id` connected (or reconnected) with `token`. */
  peerConnected(id: string, token: string): void {
    this.connected.set(id, token);
    this.cancel(id);
  }

  /** Signaling says `id` disconnected. */
  peerDisconnected(id: string): void {
    this.connected.delete(id);
    this.watch(id);
  }

  /** Starts the grace timer for `id` if it is a watched id and not connected. */
  watch(id: string): void {
    if (this.closed || this.connected.has(id) || this.timers.has(id) || !this.isWatched(id)) return;
    const timer = setTimeout(() => {
      this.timers.delete(id);
      if (!this.connected.has(id)) this.onGone(id);
    }, this.graceMs);
    timer.unref();
    this.timers.set(id, timer);
  }

  /** Number of running grace timers. */
  get pending(): number {
    return this.timers.size;
  }

  /** Clears every timer. Idempotent. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private cancel(id: string): void {
    const timer = this.timers.get(id);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(id);
  }
}
