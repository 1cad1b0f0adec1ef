/**
 * Tic-tac-toe rules, pure: the whole game is one nested value (a 3x3 board of '', 'X' and 'O',
 * the two players' ids, whose turn it is, the winner and the move list), replicated as one
 * entity through `setState`: the SDK's general (msgpack) path, not the numeric fast path.
 */

/** A cell: empty, X or O. */
export type Mark = '' | 'X' | 'O';

/** The replicated game: entity `game` of the state. */
export interface TicTacToe {
  board: Mark[][];
  /** Player ids: X (the host) and O (the first to join), or null while O is missing. */
  players: [string, string | null];
  /** Id of the player to move. */
  turn: string;
  /** 'X', 'O', 'draw', or null while playing. */
  winner: Mark | 'draw' | null;
  /** Moves so far: who played which cell. */
  moves: { by: string; row: number; col: number }[];
}

/** A new game hosted by `hostId` (X, who moves first). */
export function newGame(hostId: string, opponent: string | null = null): TicTacToe {
  return { board: [['', '', ''], ['', '', ''], ['', '', '']], players: [hostId, opponent], turn: hostId, winner: null, moves: [] };
}

const LINES = [
  [[0, 0], [0, 1], [0, 2]], [[1, 0], [1, 1], [1, 2]], [[2, 0], [2, 1], [2, 2]],
  [[0, 0], [1, 0], [2, 0]], [[0, 1], [1, 1], [2, 1]], [[0, 2], [1, 2], [2, 2]],
  [[0, 0], [1, 1], [2, 2]], [[0, 2], [1, 1], [2, 0]],
] as const;

/** The winner of `board`: 'X', 'O', 'draw' when full, else null. */
export function winnerOf(board: Mark[][]): Mark | 'draw' | null {
  for (const line of LINES) {
    const [a, b, c] = line.map(([r, col]) => board[r]?.[col] ?? '');
    if (a && a === b && b === c) return a;
  }
  return board.every((row) => row.every((m) => m !== '')) ? 'draw' : null;
}

/** The mark of player `id`, if it plays. */
export function markOf(game: TicTacToe, id: string): Mark {
  return game.players[0] === id ? 'X' : game.players[1] === id ? 'O' : '';
}

/** Applies `id`'s move (validated: its turn, an empty cell on the board, no winner yet); true when it was legal. Mutates `game`. */
export function play(game: TicTacToe, id: string, move: unknown): boolean {
  const m = move as { row?: unknown; col?: unknown } | null;
  const row = m?.row, col = m?.col;
  if (game.winner || game.turn !== id || game.players[1] === null) return false;
  if (typeof row !== 'number' || typeof col !== 'number' || !Number.isInteger(row) || !Number.isInteger(col) || row < 0 || row > 2 || col < 0 || col > 2) return false;
  if (game.board[row]![col] !== '') return false;
  const mark = markOf(game, id);
  if (!mark) return false;
  game.board[row]![col] = mark;
  game.moves.push({ by: id, row, col });
  game.winner = winnerOf(game.board);
  game.turn = game.players[mark === 'X' ? 1 : 0] ?? id;
  return true;
}
