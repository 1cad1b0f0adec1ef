/**
 * A repeating timer for the host's snapshot tick. In browsers it runs in a Worker, because a
 * hidden tab throttles main-thread timers to about 1 Hz (FACTS.md) while worker timers keep
 * their rate; elsewhere (Node, or where workers are blocked) it is a setTimeout loop aimed at
 * fixed deadlines, because Node's setInterval re-arms after each callback and so drifts by the
 * callback's own duration (a 5 ms tick at 30 Hz would give about 26 ticks/s). A late tick is not
 * made up with a burst: the next deadline moves to now.
 */

/** Something that can be stopped. */
export interface Ticker {
  /** Stops the timer for good. */
  stop(): void;
}

const WORKER_SOURCE = 'let t;onmessage=(e)=>{clearInterval(t);if(e.data>0)t=setInterval(()=>postMessage(0),e.data)}';

/** The clock and timers the Node loop uses (injected by tests). */
export interface TickerClock {
  now(): number;
  setTimeout(cb: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: TickerClock = {
  now: () => performance.now(),
  setTimeout: (cb, ms) => setTimeout(cb, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Calls `tick` every `intervalMs` until stopped. */
export function startTicker(intervalMs: number, tick: () => void, clock?: TickerClock): Ticker {
  const worker = clock ? undefined : tryWorker();
  if (worker) {
    worker.onmessage = () => tick();
    worker.postMessage(intervalMs);
    return { stop: () => { worker.postMessage(0); worker.terminate(); } };
  }
  const c = clock ?? realClock;
  let next = c.now() + intervalMs;
  let stopped = false;
  let handle: unknown;
  const loop = () => {
    tick();
    if (stopped) return;
    const now = c.now();
    next = Math.max(next + intervalMs, now);
    handle = c.setTimeout(loop, next - now);
  };
  handle = c.setTimeout(loop, intervalMs);
  return { stop: () => { stopped = true; c.clearTimeout(handle); } };
}

function tryWorker(): Worker | undefined {
  if (typeof Worker === 'undefined' || typeof Blob === 'undefined' || typeof URL.createObjectURL !== 'function') return undefined;
  try {
    const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
    const worker = new Worker(url);
    URL.revokeObjectURL(url);
    return worker;
  } catch {
    return undefined; // e.g. a Content-Security-Policy without blob: workers
  }
}
