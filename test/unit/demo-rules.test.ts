import { describe, expect, it } from 'vitest';
import type { State } from '../../sdk/src/index.js';
import { HostGame } from '../../demo-game/src/sim/host-game.js';
import { inSight, sightOf, SIGHT_RADIUS } from '../../demo-game/src/sim/sight.js';
import { TAG_RADIUS, tagTarget } from '../../demo-game/src/sim/tag.js';
import { newGame, play, winnerOf } from '../../demo-game/src/tictactoe/rules.js';
import type { PlayerEntity } from '../../demo-game/src/sim/arena.js';

const player = (x: number, y: number, score = 0): PlayerEntity => ({ kind: 'player', x, y, angle: 0, score, name: 'p', color: 0 });

describe('arena: fog of war (interest) and tag (lag compensation)', () => {
  it('pickups are seen within the sight radius only; avatars always; a viewer without an avatar sees all', () => {
    const state: State = { me: player(100, 100), near: { kind: 'pickup', x: 100 + SIGHT_RADIUS - 1, y: 100, value: 1 }, far: { kind: 'pickup', x: 100 + SIGHT_RADIUS + 1, y: 100, value: 1 }, other: player(900, 500) };
    expect(Object.keys(sightOf(state, 'me')).sort()).toEqual(['me', 'near', 'other']);
    expect(inSight(state, 'spectator', state.far!)).toBe(true);
  });

  it('a tag is judged against the rewound world: it hits who the tagger saw in reach, not who is there now', () => {
    const seen: State = { t: player(0, 0), v: player(TAG_RADIUS - 5, 0) };
    const now: State = { t: player(0, 0), v: player(TAG_RADIUS + 100, 0) };
    expect(tagTarget(seen, 't', player(0, 0))).toBe('v');
    expect(tagTarget(now, 't', player(0, 0))).toBeUndefined();
    const game = new HostGame();
    game.addPlayer('t', 'T', 1);
    game.addPlayer('v', 'V', 2);
    game.start(true);
    const t = game.state.t as PlayerEntity;
    const rewound: State = { ...game.state, v: { ...(game.state.v as PlayerEntity), x: t.x + 10, y: t.y, score: 3 } };
    (game.state.v as PlayerEntity).score = 3;
    expect(game.tag('t', rewound, 1000)).toBe(true);
    expect([(game.state.t as PlayerEntity).score, (game.state.v as PlayerEntity).score]).toEqual([1, 2]);
    expect(game.tag('t', rewound, 1500)).toBe(false); // cooldown
    expect(game.tag('t', rewound, 2100)).toBe(true);
    expect(game.tag('t', undefined, 5000)).toBe(false);
  });
});

describe('tic-tac-toe rules', () => {
  it('wins, draws, and refuses illegal moves (wrong turn, taken cell, off the board, malformed, after the end)', () => {
    const g = newGame('x', 'o');
    expect(play(g, 'o', { row: 0, col: 0 })).toBe(false); // X moves first
    expect(play(g, 'x', { row: 0, col: 0 })).toBe(true);
    expect(play(g, 'o', { row: 0, col: 0 })).toBe(false); // taken
    expect(play(g, 'o', { row: 3, col: 0 })).toBe(false);
    expect(play(g, 'o', { row: '1', col: 0 })).toBe(false);
    expect(play(g, 'o', null)).toBe(false);
    expect(play(g, 'spectator', { row: 1, col: 1 })).toBe(false);
    for (const [who, row, col] of [['o', 1, 0], ['x', 0, 1], ['o', 1, 1], ['x', 0, 2]] as const) expect(play(g, who, { row, col })).toBe(true);
    expect(g.winner).toBe('X');
    expect(play(g, 'o', { row: 2, col: 2 })).toBe(false);
    expect(winnerOf([['X', 'O', 'X'], ['X', 'O', 'O'], ['O', 'X', 'X']])).toBe('draw');
    expect(play(newGame('x'), 'x', { row: 0, col: 0 })).toBe(false); // no opponent yet
  });
});
