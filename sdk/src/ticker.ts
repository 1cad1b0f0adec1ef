/**
 * A repeating timer for the host's snapshot tick. In browsers it runs in a Worker, because a
 * hidden tab throttles main-thread timers to about 1 Hz (FACTS.md) while worker timers keep
 * their rate; elsewhere (Node, or where workers are blocked) it is a plain setInterval.
 */

/** Something that can be stopped. */
export interface Ticker {
  /** Stops the timer for good. */
  stop(): void;
}

const WORKER_SOURCE = 'let t;onmessage=(e)=>{clearInterval(t);if(e.data>0)t=setInterval(()=>postMessage(0),e.data)}';

/** Calls `tick` every `intervalMs` until stopped. */
export function startTicker(intervalMs: number, tick: () => void): Ticker {
  const worker = tryWorker();
  if (worker) {
    worker.onmessage = () => tick();
    worker.postMessage(intervalMs);
    return { stop: () => { worker.postMessage(0); worker.terminate(); } };
  }
  const handle = setInterval(tick, intervalMs);
  return { stop: () => clearInterval(handle) };
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
