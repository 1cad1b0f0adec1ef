/** Test helpers: wait for events and conditions with a timeout, never a bare sleep. */

/** Resolves with the listener arguments of the next `event`, or rejects after `timeoutMs`. */
export function nextEvent<A extends unknown[]>(
  on: (cb: (...args: A) => void) => () => void, timeoutMs = 10_000, label = 'event',
): Promise<A> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`timed out after ${timeoutMs} ms waiting for ${label}`)); }, timeoutMs);
    const off = on((...args) => { clearTimeout(timer); off(); resolve(args); });
  });
}

/** Re-checks `predicate` on every macrotask turn until true; rejects after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs = 10_000, label = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
