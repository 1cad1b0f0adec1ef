/**
 * The menu: your name, "Host game" (lobby name, size, public or private, optional password),
 * "Join game" (a code box that forgives case, spaces and dashes: the SDK normalizes), and the
 * list of public lobbies with a refresh. The last error, if any, is shown on top.
 */
import type { LobbyInfo } from 'hostmesh';
import { field, h } from './dom.js';
import { describeError, type ShownError } from './errors.js';

/** What the player chose in the host form. */
export interface HostChoice { lobbyName: string; maxPlayers: number; isPublic: boolean; password: string | undefined }

/** What the menu asks the app to do. */
export interface MenuHandlers {
  host(choice: HostChoice): void;
  join(code: string): void;
  lobbies(): Promise<LobbyInfo[]>;
  rename(name: string): void;
}

/** The menu's state when shown. */
export interface MenuOptions { playerName: string; error?: ShownError | undefined; code?: string }

/** Controls of a shown menu. */
export interface MenuHandle {
  /** Shows a busy note and disables the buttons (or re-enables them with undefined). */
  busy(note: string | undefined): void;
}

/** An error banner (title and detail). */
export function errorBanner(error: ShownError): HTMLElement {
  return h('div', { id: 'error', class: 'error', 'data-testid': 'error', 'data-code': error.code, role: 'alert' },
    h('strong', {}, error.title), ' ', h('span', {}, error.detail));
}

/** Renders the menu into `root` (replacing its content). */
export function showMenu(root: HTMLElement, handlers: MenuHandlers, options: MenuOptions): MenuHandle {
  const name = h('input', { id: 'player-name', 'data-testid': 'player-name', maxlength: 32, value: options.playerName, autocomplete: 'nickname' });
  const suggest = (player: string) => `${player.trim() || options.playerName}'s arena`;
  const lobbyName = h('input', { id: 'host-name', 'data-testid': 'host-name', maxlength: 40, value: suggest(options.playerName) });
  // The lobby name follows the player's name until the player edits it.
  let suggested = lobbyName.value;
  lobbyName.oninput = () => { suggested = ''; };
  name.oninput = () => {
    handlers.rename(name.value);
    if (lobbyName.value === suggested) lobbyName.value = suggested = suggest(name.value);
  };
  const maxPlayers = h('select', { id: 'host-max' }, ...[2, 3, 4, 6, 8].map((n) => h('option', { value: n, selected: n === 4 }, String(n))));
  const isPublic = h('input', { id: 'host-public', type: 'checkbox', checked: true });
  const password = h('input', { id: 'host-password', type: 'password', placeholder: 'none', autocomplete: 'new-password' });
  const hostBtn = h('button', { id: 'host-btn', 'data-testid': 'host-btn', type: 'submit' }, 'Host game');
  const hostForm = h('form', { class: 'card', id: 'host-form' },
    h('h2', {}, 'Host a game'), field('Lobby name', lobbyName), field('Max players', maxPlayers),
    h('label', { class: 'check' }, isPublic, ' List in public lobbies'), field('Password (optional)', password), hostBtn);
  hostForm.onsubmit = (e) => {
    e.preventDefault();
    handlers.host({
      lobbyName: lobbyName.value.trim() || 'hostmesh arena', maxPlayers: Number(maxPlayers.value) || 4,
      isPublic: isPublic.checked, password: password.value === '' ? undefined : password.value,
    });
  };

  const code = h('input', { id: 'join-code', 'data-testid': 'join-code', placeholder: 'K7M2QXW4', maxlength: 20, autocomplete: 'off', spellcheck: false, value: options.code });
  const joinBtn = h('button', { id: 'join-btn', 'data-testid': 'join-btn', type: 'submit' }, 'Join');
  const joinForm = h('form', { class: 'row' }, code, joinBtn);
  joinForm.onsubmit = (e) => { e.preventDefault(); if (code.value.trim() !== '') handlers.join(code.value); };

  const list = h('ul', { id: 'lobby-list', 'data-testid': 'lobby-list', class: 'lobbies' });
  const refreshBtn = h('button', { id: 'refresh-lobbies', 'data-testid': 'refresh-lobbies', class: 'secondary small', type: 'button' }, '↻ Refresh');
  const refresh = async () => {
    list.replaceChildren(h('li', { class: 'muted' }, 'Loading…'));
    try {
      const lobbies = (await handlers.lobbies()).filter((l) => l.open);
      if (!list.isConnected) return;
      list.replaceChildren(...(lobbies.length === 0 ? [h('li', { class: 'muted' }, 'No public lobbies right now. Host one!')] : lobbies.map((l) => lobbyRow(l, handlers))));
    } catch (err) {
      const shown = describeError(err);
      list.replaceChildren(h('li', { class: 'error', 'data-testid': 'lobby-error' }, h('strong', {}, shown.title), ' ', shown.detail));
    }
  };
  refreshBtn.onclick = () => void refresh();
  const joinCard = h('div', { class: 'card' },
    h('h2', {}, 'Join a game'), field('Join code', joinForm),
    h('div', { class: 'row spread' }, h('h3', {}, 'Public lobbies'), refreshBtn), list);

  const note = h('p', { id: 'busy', class: 'muted', 'data-testid': 'busy' });
  root.replaceChildren(h('div', { class: 'screen menu', id: 'menu', 'data-testid': 'menu' },
    h('header', {}, h('h1', {}, 'hostmesh ', h('span', { class: 'accent' }, 'arena')),
      h('p', { class: 'muted' }, 'Peer-to-peer multiplayer in the browser. Host a lobby, share the code, play.'),
      h('p', { class: 'small' }, h('a', { href: 'tictactoe.html', id: 'ttt-link', 'data-testid': 'ttt-link' }, 'Or play tic-tac-toe: a small turn-based demo, with spectators →'))),
    options.error ? errorBanner(options.error) : null,
    field('Your name', name),
    h('div', { class: 'columns' }, hostForm, joinCard), note));
  void refresh();

  const buttons = [hostBtn, joinBtn, refreshBtn];
  return {
    busy(text) {
      note.textContent = text ?? '';
      for (const b of buttons) b.disabled = text !== undefined;
    },
  };
}

function lobbyRow(l: LobbyInfo, handlers: MenuHandlers): HTMLElement {
  const full = l.players >= l.maxPlayers;
  const join = h('button', { class: 'small', type: 'button', 'data-code': l.code, disabled: full, title: full ? 'This lobby is full' : undefined }, full ? 'Full' : 'Join');
  join.onclick = () => handlers.join(l.code);
  return h('li', { 'data-testid': 'lobby-row', 'data-code': l.code, 'data-full': full },
    h('span', { class: 'lobby-name' }, l.hasPassword ? '🔒 ' : '', l.name),
    h('code', {}, l.code), h('span', { class: 'muted' }, `${l.players}/${l.maxPlayers}`), join);
}
