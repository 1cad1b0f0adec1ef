/**
 * The server's one logger: a function of a line, off by default. `log: true` prints to stderr
 * with a `[hostmesh]` prefix; a function receives each line as is.
 */

/** Writes one log line. */
export type Logger = (line: string) => void;

/** How the caller asked for logging: off, on (stderr), or its own sink. */
export type LogOption = boolean | ((line: string) => void);

/** A Logger for the `log` option. */
export function createLogger(option: LogOption): Logger {
  if (typeof option === 'function') return option;
  if (option) return (line) => process.stderr.write(`[hostmesh] ${line}\n`);
  return () => {};
}
