/**
 * Runs the authoritative HostGame on a hosting session: players' inputs (the host's own
 * included, through sendInput) go into the simulation, joins and leaves add and remove
 * avatars, the session's tick drives pickup spawns, and every change is published with
 * setState. Inputs arrive as network events and the tick runs on the SDK's worker timer, so the
 * host keeps simulating even in a background tab. After each change it also sets the session's
 * checkpoint (where the pickup RNG stands), so that when this host leaves or crashes, the player
 * who takes over (`hostChange`) carries the game on from the newest state: same scores, same
 * pickups, the same RNG.
 */
import type { HostSession, State } from 'hostmesh';
import { HostGame } from '../sim/host-game.js';
import { inSight } from '../sim/sight.js';

/** Host-side controls of a running game. */
export interface HostLoop {
  /** The authoritative game. */
  readonly game: HostGame;
  /** Starts play; `lateJoin` false turns away players who join afterwards. */
  start(lateJoin: boolean): void;
  /** During play: reopens the lobby to newcomers (`true`) or closes it again. */
  setLateJoin(lateJoin: boolean): Promise<void>;
  /** Stops the timer and every subscription. */
  stop(): void;
}

/** Message shown to a player turned away because the game already started. */
export const LATE_JOIN_REFUSED = 'the game has already started and the host does not allow late joins';

/** Starts the host's game loop on `session`; `resume`: carry on from the state and checkpoint of a host that is gone. */
export function startHostLoop(session: HostSession, resume?: { state: State; checkpoint: unknown }): HostLoop {
  const game = new HostGame({ seed: (Date.now() % 100_000) + 1, ...(resume ? { resume } : {}) });
  for (const p of session.players.values()) if (!game.hasPlayer(p.id)) game.addPlayer(p.id, p.name, p.seat);
  const publish = () => {
    if (session.isClosed) return;
    session.setState(game.state);
    session.setCheckpoint(game.checkpoint);
  };
  publish();
  // Fog of war: each client is sent only the pickups near its avatar (sight.ts).
  session.setInterest((clientId, _id, e) => inSight(game.state, clientId, e));
  const offs = [
    // Publish on every input, changed or not: setState is what acknowledges clients' inputs.
    session.onInput((input, fromId) => {
      // A tag is judged against what the tagger saw (lag compensation), not the present.
      if ((input as { tag?: unknown } | null)?.tag === true) game.tag(fromId, session.stateAt(fromId), performance.now());
      game.input(fromId, input);
      publish();
    }),
    session.on('playerJoin', (p) => {
      if (game.phase === 'play' && !game.lateJoin) { session.kick(p.id, LATE_JOIN_REFUSED); return; }
      game.addPlayer(p.id, p.name, p.seat);
      publish();
    }),
    session.on('playerLeave', (p) => { game.removePlayer(p.id); publish(); }),
    session.on('tick', () => { if (game.step(performance.now())) publish(); }),
  ];
  return {
    game,
    start(lateJoin) {
      game.start(lateJoin);
      publish();
      // Closed lobbies turn newcomers away at the server (LOBBY_CLOSED) and leave the public list;
      // the kick above stays as the backstop for a join already admitted.
      if (!lateJoin) session.updateLobby({ open: false }).catch(() => { /* the kick still applies */ });
    },
    async setLateJoin(lateJoin) {
      game.setLateJoin(lateJoin);
      publish();
      await session.updateLobby({ open: lateJoin });
    },
    stop() { for (const off of offs) off(); },
  };
}
