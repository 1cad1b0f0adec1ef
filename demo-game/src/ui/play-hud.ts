/**
 * The in-game overlay: a top bar (code, role, buttons for invite, network HUD, dev panel,
 * leave), the scoreboard, and the keyboard shortcuts N (network HUD) and B (dev panel).
 */
import type { Hostmesh, Session } from 'hostmesh';
import { DevPanel } from './dev-panel.js';
import { h } from './dom.js';
import { NetHud } from './net-hud.js';
import { renderScoreboard } from './scoreboard.js';

/** What the overlay asks the app to do. */
export interface PlayHudHandlers { invite(): void; leave(): void }

/** Renders the in-game overlay into `root`; returns a function that removes it. */
export function showPlayHud(root: HTMLElement, session: Session, net: Hostmesh, handlers: PlayHudHandlers): () => void {
  const button = (label: string, id: string, onclick: () => void) => {
    const b = h('button', { id, 'data-testid': id, class: 'small secondary', type: 'button' }, label);
    b.onclick = onclick;
    return b;
  };
  const hudBox = h('div', { id: 'net-hud', 'data-testid': 'net-hud', class: 'panel hud', hidden: true });
  const devBox = h('div', { id: 'dev-panel', 'data-testid': 'dev-panel', class: 'panel dev' });
  const hud = new NetHud(hudBox, session);
  const dev = new DevPanel(devBox, net.conditioner);
  const board = h('div', { id: 'scoreboard', 'data-testid': 'scoreboard', class: 'panel scoreboard' });
  const bar = h('div', { id: 'topbar', class: 'topbar' },
    h('span', { class: 'brand' }, 'hostmesh ', h('span', { class: 'accent' }, 'arena')),
    h('span', {}, 'code ', h('code', { 'data-testid': 'topbar-code' }, session.code)),
    h('span', { class: session.isHost ? 'role host' : 'role' }, session.isHost ? '♛ you are the host' : 'client'),
    h('span', { class: 'grow' }),
    h('span', { class: 'muted small keys' }, 'WASD / arrows / drag to move'),
    session.isHost ? button('Invite', 'invite-btn', handlers.invite) : null,
    button('Network (N)', 'hud-btn', () => hud.toggle()),
    button('Dev (B)', 'dev-btn', () => dev.toggle()),
    button('Leave', 'leave-btn', handlers.leave));
  const layer = h('div', { class: 'play-layer', 'data-testid': 'play' }, bar, board, hudBox, devBox);
  root.append(layer);

  const onKey = (e: KeyboardEvent) => {
    if (e.target instanceof HTMLInputElement || e.repeat) return;
    if (e.code === 'KeyN') hud.toggle();
    if (e.code === 'KeyB') dev.toggle();
  };
  window.addEventListener('keydown', onKey);
  const draw = () => { if (!session.isClosed) renderScoreboard(board, session.latestState(), session.selfId, session.hostId); };
  draw();
  const timer = setInterval(draw, 200);
  return () => {
    clearInterval(timer);
    window.removeEventListener('keydown', onKey);
    hud.dispose();
    layer.remove();
  };
}
