/**
 * Is a peer's signaling socket alive? A WebSocket ping it must answer with a pong (browsers and
 * `ws` answer by themselves) within a bound. A socket that does not answer (its process frozen,
 * its network black-holed: TCP alone would keep it "open" for minutes) is terminated, so the
 * server treats its peer as gone at once. Used when a member claims a lobby whose host looks
 * present: a host that answers keeps its lobby. Concurrent probes of one id share one ping.
 */
import type { WebSocket } from 'ws';

/** How long a probed socket has to answer, ms. */
export const PROBE_TIMEOUT_MS = 1500;

/** Signaling sockets by peer id, and pings to them. */
export class Liveness {
  private readonly sockets = new Map<string, WebSocket>();
  private readonly probes = new Map<string, Promise<boolean>>();

  constructor(private readonly timeoutMs = PROBE_TIMEOUT_MS) {}

  /** `id` registered on `socket`. */
  registered(id: string, socket: WebSocket): void {
    this.sockets.set(id, socket);
  }

  /** `id` lost `socket` (a newer socket for the id is kept). */
  unregistered(id: string, socket: WebSocket | undefined): void {
    if (socket === undefined || this.sockets.get(id) === socket) this.sockets.delete(id);
  }

  /** Resolves true when `id`'s socket answers a ping in time; false (and the socket terminated) otherwise. */
  probe(id: string): Promise<boolean> {
    const socket = this.sockets.get(id);
    if (!socket || socket.readyState !== socket.OPEN) return Promise.resolve(false);
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
