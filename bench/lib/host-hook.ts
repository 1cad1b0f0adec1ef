/**
 * Bench-only hook into a hosting session's snapshot tick. The SDK has no public "tick" event,
 * so this wraps the host replication's `sendSnapshots` (an internal method, reached through
 * `sessionCore(session).replication`): `before` runs right before each tick encodes (so the state sent is
 * produced at send time, like the other paths' senders), and the hook times each tick and
 * records when each tick number was sent (for snapshot age on the client, whose `snapshot`
 * event carries the tick). If the SDK renames these internals, this file is the one to fix.
 */
import { sessionCore, type Session } from '../../sdk/src/session/session.js';

interface ReplicationInternals { sendSnapshots(): void; tick: number }

/** What the hook measured. */
export interface HostTickHook {
  /** Ticks sent since the hook was installed. */
  readonly ticks: number;
  /** Wall time of each tick's encode + send (the synchronous part), ms. */
  readonly tickMs: number[];
  /** performance.now() at the start of each tick, by tick number. */
  readonly sentAt: Map<number, number>;
  /** Stops recording tick times (counting goes on). */
  reset(): void;
}

/** Installs the hook on a host session. */
export function hookHostTick(session: Session, before: () => void = () => {}): HostTickHook {
  const r = sessionCore(session).replication as unknown as ReplicationInternals | undefined;
  if (!r || typeof r.sendSnapshots !== 'function') throw new Error('hookHostTick: the session has no host replication (SDK internals changed?)');
  const original = r.sendSnapshots.bind(r);
  const hook = { ticks: 0, tickMs: [] as number[], sentAt: new Map<number, number>(), reset() { hook.tickMs.length = 0; hook.sentAt.clear(); } };
  r.sendSnapshots = () => {
    if (session.isClosed) return;
    before();
    const t0 = performance.now();
    original();
    const t1 = performance.now();
    hook.ticks++;
    hook.tickMs.push(t1 - t0);
    hook.sentAt.set(r.tick, t0);
    if (hook.sentAt.size > 10_000) hook.sentAt.delete(r.tick - 10_000);
  };
  return hook;
}
