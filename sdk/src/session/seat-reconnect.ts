/**
 * A member getting back into its seat after its link to the host dropped without a goodbye
 * (the host holds the seat for its grace period). The member fires `reconnecting`, then dials the
 * host again, as often as it takes within the grace, with the offer `{ kind: 'rejoin', seat }`
 * and, once linked, REJOIN `{ seat }`; the host answers WELCOME with a fresh token. The grace is
 * counted from the last frame the host sent us, so a member frozen past it (a laptop lid, a
 * SIGSTOP) gives up at once with SEAT_LOST instead of knocking for another grace period.
 * Dialling waits while signaling is down (it is needed to open a link).
 */
import { HostmeshError } from '../core/errors.js';
import type { Link } from '../link/link.js';
import { MsgType } from '../wire/protocol.js';
import type { SessionCore } from './session-core.js';
import { readWelcome, type Welcome } from './welcome.js';

/** What a reconnect needs to know. */
export interface SeatReconnect {
  /** Our seat token. */
  seat: string;
  /** How long the host holds our seat, ms. */
  graceMs: number;
  /** When the host was last heard from, on performance.now's clock, ms. */
  since: number;
  /** Time allowed per attempt, ms. */
  timeoutMs: number;
  /** True once trying is pointless: we follow a new host, or took over. Default: never. */
  cancelled?: () => boolean;
  /** Signaling says the host's id is gone; true when a migration takes it from here (else the session closes with HOST_LEFT). */
  hostUnavailable?: () => boolean;
}

/** First and longest wait between attempts, ms. */
const RETRY_MS = { first: 100, most: 2000 } as const;

/** Gets back into our seat; resolves with the new host link and WELCOME, or undefined once the session closed (with SEAT_LOST when the grace ran out). */
export async function reconnectSeat(session: SessionCore, r: SeatReconnect): Promise<{ link: Link; welcome: Welcome } | undefined> {
  session.events.emit('reconnecting');
  const deadline = r.since + r.graceMs;
  const lost = (why: string) => session.close('host-left', new HostmeshError('SEAT_LOST', why));
  let wait: number = RETRY_MS.first;
  const cancelled = r.cancelled ?? (() => false);
  while (!session.isClosed && !cancelled()) {
    const left = deadline - performance.now();
    if (left <= 0) {
      lost(`We were away from the host for longer than it holds a seat (${r.graceMs} ms). Join again with the lobby code as a new player.`);
      return undefined;
    }
    if (session.net.signalingState === 'open') {
      let link: Link | undefined;
      try {
        // Never knock past the grace: a host that dropped our seat does not answer the offer.
        link = await session.net.connect(session.hostId, { kind: 'rejoin', seat: r.seat }, Math.max(1, Math.min(r.timeoutMs, left)));
        const welcome = await readWelcome(link, Math.min(r.timeoutMs, left), () => link!.sendReliable(MsgType.REJOIN, { seat: r.seat }));
        if (session.isClosed || cancelled()) { link.close('local'); return undefined; }
        return { link, welcome };
      } catch (err) {
        if (cancelled()) return undefined;
        if (err instanceof HostmeshError && err.code === 'NOT_ADMITTED') {
          lost(`The host did not take us back into our seat: ${err.message}`);
          return undefined;
        }
        // Signaling is up and says the host's id is not connected (it kept our offer for seconds,
        // then gave up): the host is gone, not just our link to it.
        if ((err as { cause?: { type?: unknown } }).cause?.type === 'peer-unavailable' && session.net.signalingState === 'open') {
          if (r.hostUnavailable?.()) return undefined;
          session.close('host-left', new HostmeshError('HOST_LEFT', 'The host is gone (it left the signaling server and stopped answering). Host a new game or join another.'));
          return undefined;
        }
        // The host is not reachable yet (its side may not have noticed the drop, or the network
        // is still down): try again.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(wait, Math.max(0, deadline - performance.now()))));
    wait = Math.min(RETRY_MS.most, wait * 2);
  }
  return undefined;
}
