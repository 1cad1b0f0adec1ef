/**
 * A status line for faults: "Reconnecting to the host…" while our link to it is being restored,
 * "Reconnecting to the server…" during a signaling outage (play goes on), "<name> lost the
 * connection…" while a player's seat is held, and "<name> is the host now" after a migration.
 */
import type { Session } from 'hostmesh';
import { h } from './dom.js';

/** How long a passing notice ("is back", "is the host now") stays, ms. */
const NOTICE_MS = 4000;

/** A status element for `session` and a function that stops updating it. */
export function connectionStatus(session: Session): { element: HTMLElement; dispose(): void } {
  const element = h('span', { id: 'connection-status', 'data-testid': 'connection-status', class: 'status muted small' });
  let hostLink = '';
  let server = '';
  const away = new Map<string, string>();
  let notice = '';
  let noticeTimer: ReturnType<typeof setTimeout> | undefined;
  const render = () => {
    const lines = [hostLink, server, ...[...away.values()].map((n) => `${n} lost the connection…`), notice].filter((l) => l !== '');
    element.textContent = lines.join(' · ');
    element.dataset.state = hostLink ? 'reconnecting' : server ? 'signaling' : away.size > 0 ? 'away' : notice ? 'notice' : 'ok';
  };
  const tell = (text: string) => {
    notice = text;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => { notice = ''; render(); }, NOTICE_MS);
    render();
  };
  const offs = [
    session.on('reconnecting', () => { hostLink = 'Reconnecting to the host…'; render(); }),
    session.on('reconnected', () => { hostLink = ''; tell('Back in the game'); }),
    session.on('signalingChange', (state) => { server = state === 'reconnecting' ? 'Reconnecting to the server…' : ''; render(); }),
    session.on('playerDisconnect', (p) => { away.set(p.id, p.name); render(); }),
    session.on('playerReconnect', (p) => { away.delete(p.id); tell(`${p.name} is back`); }),
    session.on('playerLeave', (p) => { away.delete(p.id); render(); }),
    session.on('hostChange', (id) => {
      hostLink = '';
      tell(id === session.selfId ? 'The host left: you are the host now' : `${session.players.get(id)?.name ?? 'Another player'} is the host now`);
    }),
  ];
  render();
  return { element, dispose() { clearTimeout(noticeTimer); for (const off of offs) off(); } };
}
