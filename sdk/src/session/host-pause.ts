/**
 * A host page going to the background. Browsers throttle a hidden tab and may freeze it
 * altogether (Page Lifecycle `freeze`, `resume`): a frozen host sends nothing, not even
 * heartbeats. Before that happens the host tells every member, reliably, that it is paused
 * (`HOST_PAUSE { p: 'hidden' | 'frozen' }`) and, on `visibilitychange` visible or `resume`, that
 * it is back (`{ p: false }`). Members get `hostPaused(reason)` / `hostResumed` and
 * `session.hostPaused`, so a game can show "host is in the background" instead of a frozen world.
 * The announcement changes no timing: members still time a silent host out after the peer timeout
 * (a paused host is still a silent host; host migration relies on that).
 */
import { MsgType } from '../wire/protocol.js';
import type { SessionCore } from './session-core.js';

import type { HostPauseReason } from './session-events.js';

export type { HostPauseReason } from './session-events.js';

/** The slice of `document` the host watches (Page Lifecycle and Page Visibility). */
export interface PageLifecycle {
  /** True while the page is hidden. */
  readonly hidden: boolean;
  /** Standard EventTarget registration. */
  addEventListener(type: 'visibilitychange' | 'freeze' | 'resume', cb: () => void): void;
  /** Standard EventTarget removal. */
  removeEventListener(type: 'visibilitychange' | 'freeze' | 'resume', cb: () => void): void;
}

/** Host: announces pauses of its page to every member; returns a function that stops watching. */
export function announceHostPauses(session: SessionCore, page: PageLifecycle): () => void {
  let announced: HostPauseReason | false = false;
  const announce = (p: HostPauseReason | false) => {
    if (p === announced || session.isClosed) return;
    announced = p;
    for (const link of session.links.values()) {
      try { link.sendReliable(MsgType.HOST_PAUSE, { p }); } catch { /* a closing link: it hears nothing more anyway */ }
    }
  };
  const onVisibility = () => announce(page.hidden ? 'hidden' : false);
  // `freeze` handlers must be quick: the frame goes into the data channel's queue synchronously.
  const onFreeze = () => announce('frozen');
  const onResume = () => announce(page.hidden ? 'hidden' : false);
  page.addEventListener('visibilitychange', onVisibility);
  page.addEventListener('freeze', onFreeze);
  page.addEventListener('resume', onResume);
  // A member admitted while the host is in the background hears it at once.
  const offJoin = session.events.on('playerJoin', (player) => {
    if (announced) session.links.get(player.id)?.sendReliable(MsgType.HOST_PAUSE, { p: announced });
  });
  return () => {
    offJoin();
    page.removeEventListener('visibilitychange', onVisibility);
    page.removeEventListener('freeze', onFreeze);
    page.removeEventListener('resume', onResume);
  };
}

/** Member: what a HOST_PAUSE body says, or undefined when it is malformed (dropped). */
export function readHostPause(body: unknown): HostPauseReason | false | undefined {
  const p = (body as { p?: unknown } | null)?.p;
  return p === 'hidden' || p === 'frozen' || p === false ? p : undefined;
}
