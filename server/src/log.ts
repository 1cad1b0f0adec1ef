/**
 * The server's one logger, off by default (tests stay quiet). `log: true` (or a level name)
 * writes structured JSON lines to stderr through pino, one object per event with `level`,
 * `time`, `msg` and the process's `node` id; a function receives each message as a plain line
 * (levels `warn` and `error` prefixed), for tests and embedding.
 */
import { pino } from 'pino';

/** Log levels, least to most severe. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Writes one log message; `log(line)` is `log.info(line)`. */
export interface Logger {
  (line: string): void;
  debug(line: string): void;
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
}

/** How the caller asked for logging: off, on (JSON to stderr, from level `info` or the one named), or its own sink. */
export type LogOption = boolean | LogLevel | ((line: string) => void);

const levels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** True when `value` names a log level. */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (levels as readonly string[]).includes(value);
}

function fromSink(sink: (level: LogLevel, line: string) => void): Logger {
  const logger = ((line: string) => sink('info', line)) as Logger;
  for (const level of levels) logger[level] = (line: string) => sink(level, line);
  return logger;
}

/** A Logger for the `log` option; `fields` go into every JSON line (e.g. `{ node }`). */
export function createLogger(option: LogOption, fields: Record<string, string> = {}): Logger {
  if (typeof option === 'function') return fromSink((level, line) => option(level === 'warn' || level === 'error' ? `${level}: ${line}` : line));
  if (option === false) return fromSink(() => {});
  const json = pino({ level: option === true ? 'info' : option, base: { pid: process.pid, ...fields } }, pino.destination({ fd: 2, sync: true }));
  return fromSink((level, line) => json[level](line));
}
