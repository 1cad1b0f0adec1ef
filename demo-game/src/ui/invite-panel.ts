/**
 * The lobby / invite panel: the join code in big monospace, a copy-invite-link button, a QR
 * code of the link, the players as they arrive, and for the host "Start" with the late-join
 * choice. Clients see the same panel, waiting for the host.
 */
import type { Session } from 'hostmesh';
import { toCanvas } from 'qrcode';
import { h } from './dom.js';

/** What the panel asks the app to do. */
export interface InviteHandlers {
  /** Host only, before the start: start with the late-join choice. */
  start?: (lateJoin: boolean) => void;
  /** Leave the session. */
  leave(): void;
  /** During play: close the panel. */
  close?: () => void;
  /** Host during play: whether newcomers may join now, and how to change it (reopens a closed lobby). */
  lateJoin?: { allowed: boolean; set(allowed: boolean): Promise<void> };
}

/** The shareable link that joins lobby `code` from this page's origin. */
export function inviteLink(code: string): string {
  return `${location.origin}/?join=${encodeURIComponent(code)}`;
}

/** Renders the panel for `session` into `root`; returns a function that removes it. */
export function showInvite(root: HTMLElement, session: Session, handlers: InviteHandlers): () => void {
  const link = inviteLink(session.code);
  const linkBox = h('input', { id: 'invite-link', 'data-testid': 'invite-link', readonly: true, value: link });
  const copyBtn = h('button', { id: 'copy-link', 'data-testid': 'copy-link', type: 'button' }, 'Copy invite link');
  copyBtn.onclick = async () => {
    copyBtn.textContent = (await copyText(link, linkBox)) ? 'Copied ✓' : 'Select and copy the link';
    setTimeout(() => { copyBtn.textContent = 'Copy invite link'; }, 1600);
  };
  const qr = h('canvas', { id: 'qr', 'data-testid': 'qr', width: 168, height: 168 });
  toCanvas(qr, link, { width: 168, margin: 1, color: { dark: '#0b1020', light: '#ffffff' } }).catch(() => qr.remove());

  const players = h('ul', { id: 'player-list', 'data-testid': 'player-list', class: 'players' });
  const renderPlayers = () => {
    const sorted = [...session.players.values()].sort((a, b) => a.seat - b.seat);
    players.replaceChildren(...sorted.map((p) => h('li', { 'data-testid': 'player', 'data-id': p.id },
      p.isHost ? h('span', { class: 'crown', title: 'host' }, '♛') : null, p.name,
      p.id === session.selfId ? h('span', { class: 'muted' }, ' (you)') : null)));
    count.textContent = `Players (${sorted.length})`;
  };
  const count = h('h3', { id: 'player-count' });

  const actions = h('div', { class: 'row' });
  if (handlers.start) {
    const late = h('input', { id: 'late-join', 'data-testid': 'late-join', type: 'checkbox', checked: true });
    const startBtn = h('button', { id: 'start-btn', 'data-testid': 'start-btn', type: 'button' }, 'Start game');
    const start = handlers.start;
    startBtn.onclick = () => start(late.checked);
    actions.append(h('label', { class: 'check' }, late, ' Allow late joins'), startBtn);
  } else if (!handlers.close) {
    actions.append(h('p', { class: 'muted', 'data-testid': 'waiting' }, 'Waiting for the host to start…'));
  }
  if (handlers.lateJoin) {
    const { set } = handlers.lateJoin;
    const open = h('input', { id: 'reopen', 'data-testid': 'reopen', type: 'checkbox', checked: handlers.lateJoin.allowed });
    const note = h('span', { class: 'muted small', 'data-testid': 'reopen-note' });
    open.onchange = () => {
      open.disabled = true;
      set(open.checked).then(() => { note.textContent = open.checked ? 'Open: new players can join.' : 'Closed to new players.'; },
        () => { note.textContent = 'Could not reach the server; try again.'; open.checked = !open.checked; })
        .finally(() => { open.disabled = false; });
    };
    actions.append(h('label', { class: 'check' }, open, ' Let new players join'), note);
  }
  if (handlers.close) {
    const closeBtn = h('button', { class: 'secondary', type: 'button' }, 'Back to game');
    closeBtn.onclick = handlers.close;
    actions.append(closeBtn);
  }
  const leaveBtn = h('button', { id: 'leave-lobby', class: 'secondary', type: 'button' }, 'Leave');
  leaveBtn.onclick = () => handlers.leave();
  actions.append(leaveBtn);

  const panel = h('div', { class: 'backdrop' }, h('div', { class: 'card invite', id: 'invite', 'data-testid': 'invite' },
    h('p', { class: 'muted' }, session.isHost ? 'Share this code with your friends' : 'Lobby code'),
    h('div', { id: 'lobby-code', 'data-testid': 'lobby-code', class: 'code' }, session.code),
    h('div', { class: 'invite-grid' },
      h('div', {}, h('div', { class: 'row' }, linkBox, copyBtn), count, players),
      h('div', { class: 'qr-box' }, qr, h('span', { class: 'muted small' }, 'Scan to join'))),
    actions));
  renderPlayers();
  const offs = [session.on('playerJoin', renderPlayers), session.on('playerLeave', renderPlayers)];
  root.append(panel);
  return () => { for (const off of offs) off(); panel.remove(); };
}

/** Copies `text` with the Clipboard API, or by selecting `box` where that API is missing (plain http). */
async function copyText(text: string, box: HTMLInputElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    box.select();
    try { return document.execCommand('copy'); } catch { return false; }
  }
}
