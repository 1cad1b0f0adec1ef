/**
 * The in-game overlay: a top bar (code, role, buttons for invite, network devtools, leave),
 * the scoreboard, and the hostmesh devtools overlay (`hostmesh/devtools`: members, RTT graph,
 * snapshot figures, link conditioner) on the N key or the Network button.
 */
import type { Hostmesh, Session } from 'hostmesh';
import { attachDevtools } from 'hostmesh/devtools';
import { h } from './dom.js';
import { connectionStatus } from './connection-status.js';
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
  const devtools = attachDevtools(session, { conditioner: net.conditioner, hotkey: 'KeyN', position: 'top-left' });
  const board = h('div', { id: 'scoreboard', 'data-testid': 'scoreboard', class: 'panel scoreboard' });
  const status = connectionStatus(session);
  const role = h('span', { 'data-testid': 'role' });
  const invite = button('Invite', 'invite-btn', handlers.invite);
  // The role can change during play (a host migration): the crown and the host's buttons follow.
  const showRole = () => {
    role.className = session.isHost ? 'role host' : 'role';
    role.textContent = session.isHost ? '♛ you are the host' : 'client';
    invite.hidden = !session.isHost;
  };
  showRole();
  const offHost = session.on('hostChange', showRole);
  const bar = h('div', { id: 'topbar', class: 'topbar' },
    h('span', { class: 'brand' }, 'hostmesh ', h('span', { class: 'accent' }, 'arena')),
    h('span', {}, 'code ', h('code', { 'data-testid': 'topbar-code' }, session.code)),
    role,
    status.element,
    h('span', { class: 'grow' }),
    h('span', { class: 'muted small keys' }, 'WASD / arrows / drag to move · Space to tag'),
    invite,
    button('Network (N)', 'hud-btn', () => devtools.toggle()),
    button('Leave', 'leave-btn', handlers.leave));
  const layer = h('div', { class: 'play-layer', 'data-testid': 'play' }, bar, board);
  root.append(layer);

  const draw = () => { if (!session.isClosed) renderScoreboard(board, session.latestState(), session.selfId, session.hostId); };
  draw();
  const timer = setInterval(draw, 200);
  return () => {
    clearInterval(timer);
    status.dispose();
    offHost();
    devtools.detach();
    layer.remove();
  };
}
