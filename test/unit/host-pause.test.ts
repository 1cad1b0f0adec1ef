/**
 * The host's pause announcements (session/host-pause.ts) against a fake page and recording links:
 * hidden, frozen, resumed, each said once and in order, to every member; a member admitted while
 * paused hears it; the watcher detaches. And what a member accepts: exactly 'hidden', 'frozen' or
 * false, anything else (as sent by a hostile host) is dropped.
 */
import { describe, expect, it } from 'vitest';
import { announceHostPauses, readHostPause, type PageLifecycle } from '../../sdk/src/session/host-pause.js';
import { Emitter } from '../../sdk/src/core/emitter.js';
import { MsgType } from '../../sdk/src/wire/protocol.js';
import type { SessionCore } from '../../sdk/src/session/session-core.js';
import type { SessionEvents } from '../../sdk/src/session/session-events.js';

class FakePage implements PageLifecycle {
  hidden = false;
  readonly listeners = new Map<string, Set<() => void>>();
  addEventListener(type: string, cb: () => void): void { (this.listeners.get(type) ?? this.listeners.set(type, new Set()).get(type)!).add(cb); }
  removeEventListener(type: string, cb: () => void): void { this.listeners.get(type)?.delete(cb); }
  fire(type: string): void { for (const cb of this.listeners.get(type) ?? []) cb(); }
}

function fakeSession() {
  const sent: string[] = [];
  const link = (id: string) => ({ remoteId: id, sendReliable: (type: number, body: { p: unknown }) => { if (type === MsgType.HOST_PAUSE) sent.push(`${id} ${String(body.p)}`); } });
  const links = new Map([['a', link('a')], ['b', link('b')]]);
  const events = new Emitter<SessionEvents>();
  const session = { links, events, isClosed: false } as unknown as SessionCore;
  return { session, sent, links, link, events };
}

describe('host pause announcements', () => {
  it('says hidden, frozen and back once each, to every member, and to a newcomer while paused', () => {
    const page = new FakePage();
    const { session, sent, links, link, events } = fakeSession();
    const stop = announceHostPauses(session, page);
    page.hidden = true;
    page.fire('visibilitychange');
    page.fire('visibilitychange'); // no change: nothing sent
    page.fire('freeze');
    links.set('c', link('c'));
    events.emit('playerJoin', { id: 'c', name: 'C', isHost: false, seat: 3 });
    page.fire('resume'); // still hidden
    page.hidden = false;
    page.fire('visibilitychange');
    expect(sent).toEqual(['a hidden', 'b hidden', 'a frozen', 'b frozen', 'c frozen', 'a hidden', 'b hidden', 'c hidden', 'a false', 'b false', 'c false']);
    stop();
    expect([...page.listeners.values()].every((set) => set.size === 0)).toBe(true);
    page.fire('freeze');
    expect(sent).toHaveLength(11);
  });

  it('members accept only the three announcements', () => {
    expect([readHostPause({ p: 'hidden' }), readHostPause({ p: 'frozen' }), readHostPause({ p: false })]).toEqual(['hidden', 'frozen', false]);
    for (const bad of [null, undefined, 5, 'hidden', {}, { p: true }, { p: 'HIDDEN' }, { p: ['frozen'] }, { p: 0 }]) expect(readHostPause(bad)).toBeUndefined();
  });
});
