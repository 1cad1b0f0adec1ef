/**
 * The tic-tac-toe page: a second, small demo on the same SDK. The host is X, the first player
 * to join is O, anyone else can watch as a spectator. The whole game is one nested entity set
 * with `setState` after each legal move (the host checks moves: clients only send inputs), so it
 * shows the general replication path end to end: nested arrays and objects, per-field deltas,
 * spectators. `window.__tictactoe` exposes the state to tests.
 */
import { connect, type Entity, type HostSession, type Session } from 'hostmesh';
import { byId, h } from '../ui/dom.js';
import { newGame, play, markOf, type TicTacToe } from './rules.js';

const net = connect(location.origin);
const root = byId('ttt');
let session: Session | undefined;
let role: 'X' | 'O' | 'spectator' | undefined;

/** What tests read. */
const hook = { code: () => session?.code, role: () => role, game: () => gameOf(session), error: '' };
(window as unknown as { __tictactoe: typeof hook }).__tictactoe = hook;

function gameOf(s: Session | undefined): TicTacToe | undefined {
  return s?.latestState().game as unknown as TicTacToe | undefined;
}

function showError(err: unknown): void {
  hook.error = (err as { code?: string }).code ?? 'ERROR';
  menu((err as Error).message);
}

function menu(error?: string): void {
  const code = h('input', { id: 'ttt-code', placeholder: 'join code', maxlength: 20, value: new URLSearchParams(location.search).get('join') ?? '' });
  const hostBtn = h('button', { id: 'ttt-host' }, 'Host a game');
  const joinBtn = h('button', { id: 'ttt-join' }, 'Join');
  const watchBtn = h('button', { id: 'ttt-watch', class: 'secondary' }, 'Watch');
  hostBtn.onclick = () => void host();
  joinBtn.onclick = () => void join(code.value, false);
  watchBtn.onclick = () => void join(code.value, true);
  root.replaceChildren(h('div', { class: 'card ttt-card' },
    h('h1', {}, 'tic-tac-toe ', h('span', { class: 'accent' }, 'on hostmesh')),
    h('p', { class: 'muted' }, 'Host, share the code, and play X against O; anyone else with the code can watch.'),
    error ? h('p', { class: 'error', id: 'ttt-error' }, error) : null,
    h('div', { class: 'row' }, hostBtn), h('div', { class: 'row' }, code, joinBtn, watchBtn),
    h('p', {}, h('a', { href: './' }, '← back to the arena'))));
}

async function host(): Promise<void> {
  try {
    const s: HostSession = await net.host({ name: 'tic-tac-toe', maxPlayers: 2, maxSpectators: 8, playerName: 'X', tickRateHz: 20 });
    session = s;
    role = 'X';
    const game = newGame(s.selfId);
    const publish = () => s.setState({ game: game as unknown as Entity });
    s.on('playerJoin', (p) => { if (game.players[1] === null) { game.players[1] = p.id; publish(); } });
    s.on('playerLeave', (p) => { if (game.players[1] === p.id) { Object.assign(game, newGame(s.selfId)); publish(); } });
    s.onInput((input, from) => {
      if ((input as { again?: unknown }).again === true && game.winner) Object.assign(game, newGame(s.selfId, game.players[1]));
      else if (!play(game, from, input)) return; // not a legal move: nothing changes
      publish();
    });
    publish();
    board(s);
  } catch (err) { showError(err); }
}

async function join(code: string, spectator: boolean): Promise<void> {
  try {
    const s = await net.join(code, { playerName: spectator ? 'Watcher' : 'O', spectator });
    session = s;
    role = spectator ? 'spectator' : 'O';
    board(s);
  } catch (err) { showError(err); }
}

function board(s: Session): void {
  const cells = [0, 1, 2].map((row) => [0, 1, 2].map((col) => {
    const b = h('button', { class: 'ttt-cell', 'data-row': row, 'data-col': col });
    b.onclick = () => { if (s.isHost) s.sendInput({ row, col }); else if (!s.isSpectator) s.sendInput({ row, col }); };
    return b;
  }));
  const status = h('p', { id: 'ttt-status' });
  const again = h('button', { id: 'ttt-again', class: 'secondary' }, 'Play again');
  again.onclick = () => s.sendInput({ again: true });
  const leave = h('button', { id: 'ttt-leave', class: 'secondary' }, 'Leave');
  leave.onclick = () => void s.leave();
  root.replaceChildren(h('div', { class: 'card ttt-card' },
    h('h2', {}, 'Code ', h('code', { id: 'ttt-code-shown' }, s.code), ` · you are ${role === 'spectator' ? 'watching' : role}`),
    h('div', { class: 'ttt-board' }, ...cells.flat()), status, h('div', { class: 'row' }, again, leave)));
  const draw = () => {
    const game = gameOf(s);
    if (!game) { status.textContent = 'Waiting for the host…'; return; }
    game.board.forEach((row, r) => row.forEach((m, c) => { const cell = cells[r]![c]!; cell.textContent = m; cell.disabled = m !== '' || game.winner !== null || game.turn !== s.selfId; }));
    const mine = markOf(game, s.selfId);
    status.textContent = game.players[1] === null ? 'Waiting for O to join…'
      : game.winner === 'draw' ? 'A draw.'
      : game.winner ? `${game.winner} wins${mine === game.winner ? ' — that is you!' : '.'}`
      : game.turn === s.selfId ? 'Your move.' : `${markOf(game, game.turn)} to move.`;
    again.hidden = !game.winner || role === 'spectator';
  };
  const timer = setInterval(draw, 50);
  draw();
  s.on('close', () => { clearInterval(timer); session = undefined; role = undefined; menu(); });
}

menu();
