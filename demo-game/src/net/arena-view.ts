/**
 * What the arena scene needs from a session, and nothing more: the world to draw now (the
 * host's own state; on a client the interpolated view with our avatar predicted) and a way
 * to move. Movement is sampled into fixed 1/60 s inputs, so host and prediction agree.
 */
import type { Session, State } from 'hostmesh';
import { INPUT_STEP_MS, phaseOf } from '../sim/arena.js';
import { applyInput, type MoveInput } from '../sim/movement.js';
import { sightOf } from '../sim/sight.js';

/** The scene's window on a session. */
export interface ArenaView {
  /** Our player id. */
  readonly selfId: string;
  /** The host's player id. */
  readonly hostId: string;
  /** The world to draw now. */
  state(): State;
  /** Feeds the current movement direction for the last `deltaMs` of frame time. */
  move(direction: MoveInput, deltaMs: number): void;
  /** Tags whoever is within reach (judged by the host against what we see now). */
  tag(): void;
}

/** Idle inputs still sent after movement stops, so redundancy delivers the last real ones. */
const IDLE_TAIL = 8;

/** An ArenaView over `session`; enables prediction on clients (`predict: false` when it is already on, after a host change). */
export function arenaView(session: Session, predict = true): ArenaView {
  if (!session.isHost && predict) session.setPrediction({ applyInput });
  let carryMs = 0;
  let idle = IDLE_TAIL;
  return {
    selfId: session.selfId,
    hostId: session.hostId,
    // The host holds every pickup; it draws only those in its own sight, as clients are sent.
    state: () => (session.isHost ? sightOf(session.getState(), session.selfId) : session.getState()),
    tag() {
      if (!session.isClosed && phaseOf(session.latestState()) === 'play') session.sendInput({ x: 0, y: 0, tag: true });
    },
    move(direction, deltaMs) {
      if (session.isClosed || phaseOf(session.latestState()) !== 'play') { carryMs = 0; return; }
      carryMs = Math.min(carryMs + deltaMs, 250); // after a stall, catch up at most 1/4 s
      while (carryMs >= INPUT_STEP_MS) {
        carryMs -= INPUT_STEP_MS;
        const still = direction.x === 0 && direction.y === 0;
        idle = still ? idle + 1 : 0;
        if (idle <= IDLE_TAIL) session.sendInput({ x: direction.x, y: direction.y });
      }
    },
  };
}

