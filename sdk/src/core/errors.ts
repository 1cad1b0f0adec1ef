/**
 * Typed errors. Every failure a user can meet carries a stable `code` and a sentence that says
 * what to do. Foreign errors (PeerJS, DOMException, fetch) are mapped here and nowhere else.
 */

/** Stable error codes and the default advice for each. */
export const ErrorAdvice = {
  LOBBY_NOT_FOUND: 'No lobby has this code. Check the code for typos, or ask the host for a new one.',
  LOBBY_FULL: 'This lobby is full. Try again when a player leaves, or join another lobby.',
  LOBBY_CLOSED: 'The host has closed this lobby to new players. Ask the host to reopen it.',
  BAD_PASSWORD: 'The password is wrong. Ask the host for the lobby password and try again.',
  RATE_LIMITED: 'Too many attempts from this address. Wait a minute and try again.',
  BAD_REQUEST: 'The request was not valid. Check the values passed to the call.',
  UNAUTHORIZED: 'Only the host of this lobby may do that.',
  PAYLOAD_TOO_LARGE: 'The request body is too large. Send less data.',
  SERVER_UNREACHABLE: 'The hostmesh server cannot be reached. Check the server URL and that the server is running.',
  SERVER_ERROR: 'The hostmesh server failed to answer properly. Try again; if it persists, check the server logs.',
  SERVICE_UNAVAILABLE: 'The hostmesh server cannot reach its shared store for a moment. Running games carry on; try again in a few seconds.',
  PEER_UNREACHABLE: 'Could not connect to the other player. Check both networks; a TURN server may be needed.',
  HOST_UNREACHABLE: 'Could not connect to the host. The host may have left; try joining again.',
  PROTOCOL_MISMATCH: 'The other player runs a different hostmesh protocol version. Update both to the same version.',
  NOT_ADMITTED: 'The host did not admit this connection. Join through the lobby code.',
  MESSAGE_TOO_LARGE: 'The message is larger than the channel allows. Send less data, or split it.',
  DECODE_FAILED: 'A malformed message was received and dropped. The session continues.',
  TIMEOUT: 'The other side stopped answering in time. Check the network and try again.',
  SESSION_CLOSED: 'This session is closed. Host or join a new one.',
  KICKED: 'The host removed you from the session.',
  HOST_LEFT: 'The host left the session. Host a new game or join another.',
  HOST_GONE: 'The host of this lobby is gone: its connection to the server closed. Ask for a new code, or try again in a moment in case it is only reconnecting.',
  HOST_CHANGED: 'Another member took over as host of this lobby first. Follow the new host (sessions do this by themselves).',
  HOST_PRESENT: 'The host of this lobby is still connected. A member can take over only once the host is gone.',
  SEAT_LOST: 'You were away longer than the host holds a seat, or the seat token was refused. Join again with the lobby code as a new player.',
  INVALID_ARGUMENT: 'An argument is not valid. Check the documentation of the call.',
  NOT_HOST: 'Only the host can do that.',
  HANDLER_FAILED: "One of the game's handlers (an event, message or input listener) threw; the session goes on. Fix the handler: the error's cause has the stack.",
  MEDIA_UNSUPPORTED: 'This network carries no audio (the in-memory test network, or a runtime without WebRTC media). Use the PeerJS network in a browser, or @roamhq/wrtc in Node.',
  MIC_DENIED: 'The microphone could not be opened: permission was denied or no device is there. Allow the microphone in the browser and call voice.start() again; the game goes on without voice.',
  TRANSFER_REFUSED: 'The receiver refused the file, or did not answer in time. Ask the other player to accept it.',
  TRANSFER_TOO_LARGE: 'The file is larger than the receiver accepts. Send a smaller file, or ask the receiver to raise maxFileBytes.',
  TRANSFER_CORRUPT: 'A file chunk failed its integrity check and the transfer was stopped. Send the file again.',
  TRANSFER_CANCELLED: 'The file transfer was cancelled by one side. Send it again if it is still wanted.',
  TRANSFER_FAILED: 'The file transfer could not finish: the connection kept dropping or the other player left. Send it again.',
} as const;

/** A stable error code. */
export type ErrorCode = keyof typeof ErrorAdvice;

/** An error with a stable `code` and a message that says what to do. */
export class HostmeshError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;

  /** An error with `code`; `message` defaults to the code's advice. */
  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? ErrorAdvice[code], options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HostmeshError';
    this.code = code;
  }
}

/** HANDLER_FAILED for what a game's handler (`what`, e.g. "The game's 'tick' handler") threw. */
export function handlerFailed(what: string, err: unknown): HostmeshError {
  return new HostmeshError('HANDLER_FAILED', `${what} threw: ${err instanceof Error ? err.message : String(err)}. The session goes on; fix the handler (the error's cause has the stack).`, { cause: err });
}

/** True when `value` is a known error code. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ErrorAdvice, value);
}

/** Maps a PeerJS `PeerError.type` (or any foreign error) to a HostmeshError. */
export function fromPeerError(err: unknown): HostmeshError {
  if (err instanceof HostmeshError) return err;
  const type = (err as { type?: unknown } | null)?.type;
  const detail = err instanceof Error ? err.message : String(err);
  switch (type) {
    case 'network':
    case 'server-error':
    case 'socket-error':
    case 'socket-closed':
    case 'unavailable-id':
      return new HostmeshError('SERVER_UNREACHABLE', `${ErrorAdvice.SERVER_UNREACHABLE} (signaling: ${detail})`, { cause: err });
    case 'peer-unavailable':
      return new HostmeshError('PEER_UNREACHABLE', `${ErrorAdvice.PEER_UNREACHABLE} (${detail})`, { cause: err });
    case 'webrtc':
    case 'negotiation-failed':
    case 'connection-closed':
      return new HostmeshError('PEER_UNREACHABLE', `${ErrorAdvice.PEER_UNREACHABLE} (webrtc: ${detail})`, { cause: err });
    case 'browser-incompatible':
      return new HostmeshError('PEER_UNREACHABLE', 'This browser does not support WebRTC data channels. Use a current browser.', { cause: err });
    default:
      return new HostmeshError('PEER_UNREACHABLE', `${ErrorAdvice.PEER_UNREACHABLE} (${detail})`, { cause: err });
  }
}
