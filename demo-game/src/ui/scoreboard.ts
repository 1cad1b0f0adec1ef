/** The scoreboard: players by score, the host marked with a crown, us marked "(you)". */
import type { State } from 'hostmesh';
import { rankedPlayers } from '../sim/arena.js';
import { h } from './dom.js';

/** Redraws the scoreboard in `root` from the authoritative `state`. */
export function renderScoreboard(root: HTMLElement, state: State, selfId: string, hostId: string): void {
  const rows = rankedPlayers(state).map(([id, p]) => {
    const swatch = h('span', { class: 'swatch' });
    swatch.style.background = `#${p.color.toString(16).padStart(6, '0')}`;
    return h('li', { 'data-testid': 'score-row', 'data-id': id, 'data-score': p.score, class: id === selfId ? 'self' : undefined },
      swatch, h('span', { class: 'name' }, id === hostId ? '♛ ' : '', p.name, id === selfId ? ' (you)' : ''),
      h('span', { class: 'score' }, String(p.score)));
  });
  root.replaceChildren(h('h3', {}, 'Scores'), h('ol', {}, ...rows));
}
