/**
 * Every failure a player can meet, as a short title plus the SDK's sentence that says what
 * to do. The SDK's codes are stable, so the titles key on them.
 */
import { HostmeshError, type ErrorCode, type SessionCloseReason } from 'hostmesh';

/** An error as the UI shows it. */
export interface ShownError {
  /** Stable code (an SDK ErrorCode, or UNKNOWN). */
  code: string;
  /** A few words. */
  title: string;
  /** What happened and what to do. */
  detail: string;
}

const titles: Partial<Record<ErrorCode, string>> = {
  LOBBY_NOT_FOUND: 'Unknown code',
  LOBBY_FULL: 'Lobby full',
  LOBBY_CLOSED: 'Lobby closed',
  BAD_PASSWORD: 'Wrong password',
  RATE_LIMITED: 'Too many attempts',
  SERVER_UNREACHABLE: 'Server unreachable',
  SERVER_ERROR: 'Server error',
  PEER_UNREACHABLE: 'Could not reach the other player',
  HOST_UNREACHABLE: 'Could not reach the host',
  HOST_LEFT: 'The host left',
  HOST_GONE: 'The host is gone',
  SEAT_LOST: 'Your seat was given up',
  KICKED: 'Removed by the host',
  PROTOCOL_MISMATCH: 'Version mismatch',
  TIMEOUT: 'Timed out',
  INVALID_ARGUMENT: 'Invalid input',
};

/** The UI form of any thrown value. */
export function describeError(err: unknown): ShownError {
  if (err instanceof HostmeshError) return { code: err.code, title: titles[err.code] ?? 'Something went wrong', detail: err.message };
  return { code: 'UNKNOWN', title: 'Something went wrong', detail: err instanceof Error ? err.message : String(err) };
}

/** What to tell the player when a session closed, or undefined when they left on purpose. */
export function describeClose(reason: SessionCloseReason, err?: HostmeshError): ShownError | undefined {
  if (reason === 'left') return undefined;
  if (err) return describeError(err);
  if (reason === 'host-left') return describeError(new HostmeshError('HOST_LEFT'));
  if (reason === 'disconnected') return describeError(new HostmeshError('SERVER_UNREACHABLE'));
  return { code: 'UNKNOWN', title: 'Session ended', detail: `The session closed (${reason}). Host a new game or join another.` };
}
