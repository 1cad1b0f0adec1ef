/**
 * The public session types carry the public API only. The `@ts-expect-error` lines are checked
 * by `npm test`'s type check (tsc fails when such a line compiles); the runtime checks below hold
 * the class itself to the same, since a game can also reach in without types.
 */
import { describe, expect, it } from 'vitest';
import { Session, type HostSession } from '../../sdk/src/index.js';
import * as publicApi from '../../sdk/src/index.js';

/** Never called: it only has to type-check (or fail to, on the marked lines). */
function plumbingIsUnreachable(s: Session, h: HostSession): void {
  // @ts-expect-error links are internal
  void s.links;
  // @ts-expect-error the roster is internal (players is the read-only view)
  void s.roster;
  // @ts-expect-error internal events are internal
  void s.internal;
  // @ts-expect-error the event emitter is internal (on() subscribes)
  void s.events;
  // @ts-expect-error the replication driver is internal
  void s.replication;
  // @ts-expect-error the signaling network is internal
  void s.net;
  // @ts-expect-error attaching links is internal
  s.attach;
  // @ts-expect-error close(reason) is internal (leave() is public)
  s.close('left');
  // @ts-expect-error role cleanups are internal
  s.addCleanup(() => {});
  // @ts-expect-error a host session is a session too: no plumbing either
  void h.links;
  // The public API is there:
  void [s.code, s.selfId, s.isHost, s.hostId, s.players, s.isClosed, s.on, s.onMessage, s.send, s.leave, h.kick, h.updateLobby];
}

describe('public session types', () => {
  it('the Session prototype has only public members', () => {
    void plumbingIsUnreachable;
    const members = Object.getOwnPropertyNames(Session.prototype).sort();
    expect(members).toEqual([
      'ban', 'banned', 'checkpoint', 'code', 'constructor', 'getState', 'hostEpoch', 'hostId', 'isClosed', 'isHost', 'isSpectator', 'kick', 'latestState', 'leave', 'on', 'onInput',
      'onMessage', 'players', 'resumeToken', 'selfId', 'send', 'sendInput', 'setCheckpoint', 'setInterest', 'setPrediction', 'setState', 'signalingState',
      'spectators', 'stateAt', 'stats', 'tickRateHz', 'unban', 'updateLobby',
    ]);
  });

  it('the package entry does not export the internal handle', () => {
    expect(Object.keys(publicApi)).not.toContain('sessionCore');
    expect(Object.keys(publicApi)).not.toContain('SessionCore');
  });
});
