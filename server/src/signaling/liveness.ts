/**
 * Is a peer's signaling socket alive? Two signs, both needed: the peer's own code sent a frame
 * lately (PeerJS sends HEARTBEAT every 5 s from the page or process: a frozen tab or a stopped
 * process sends nothing, though a browser's network stack still answers pings for a frozen tab),
 * and the socket answers a WebSocket ping with a pong within a bound (a black-holed network does
 * not: TCP alone would keep it "open" for minutes). A socket that fails either is terminated, so
 * the server treats its peer as gone at once. Used when a member claims a lobby whose host looks
 * present: a host that passes keeps its lobby. Concurrent probes of one id share one ping.
 */
import type { WebSocket } from 'ws';

/** How long a probed socket has to answer, ms. */
export const PROBE_TIMEOUT_MS = 1500;

/** Longest a live peer's code stays quiet on signaling, ms: four PeerJS heartbeats (5 s each; a hidden tab throttled to one timer a second still sends them). */
export const SILENT_MS = 20_000;

/** Signaling sockets by peer id, and pings to them. */
export class Liveness {
  private readonly sockets = new Map<string, WebSocket>();
  private readonly probes = new Map<string, Promise<boolean>>();
  private readonly heardAt = new Map<string, number>();

  constructor(private readonly timeoutMs = PROBE_TIMEOUT_MS, private readonly silentMs = SILENT_MS, private readonly now: () => number = () => performance.now()) {}

  /** `id` registered on `socket`: every frame it sends counts as a sign of life. */
  registered(id: string, socket: WebSocket): void {
    this.sockets.set(id, socket);
    this.heardAt.set(id, this.now());
    socket.on('message', () => { if (this.sockets.get(id) === socket) this.heardAt.set(id, this.now()); });
  }

  /** `id` lost `socket` (a newer socket for the id is kept). */
  unregistered(id: string, socket: WebSocket | undefined): void {
    if (socket === undefined || this.sockets.get(id) === socket) { this.sockets.delete(id); this.heardAt.delete(id); }
  }

  /** Resolves true when `id`'s socket answers a ping in time; false (and the socket terminated) otherwise. */
  probe(id: string): Promise<boolean> {
    const socket = this.sockets.get(id);
    if (!socket || socket.readyState !== socket.OPEN) return Promise.resolve(false);
    if (this.now() - (this.heardAt.get(id) ?? -Infinity) > this.silentMs) {
      socket.terminate(); // its code is frozen or gone, whatever its network stack still answers
      return Promise.resolve(false);
    }
    const running = this.probes.get(id);
    if (running) return running;
    const probe = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        socket.off('pong', onPong);
        socket.terminate();
        resolve(false);
      }, this.timeoutMs);
      const onPong = () => { clearTimeout(timer); resolve(true); };
      socket.once('pong', onPong);
      try { socket.ping(); } catch { clearTimeout(timer); socket.off('pong', onPong); resolve(false); }
    }).finally(() => this.probes.delete(id));
    this.probes.set(id, probe);
    return probe;
  }
}
