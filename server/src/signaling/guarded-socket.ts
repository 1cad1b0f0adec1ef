/**
 * The ws socket class the signaling server makes: every incoming frame passes a byte budget,
 * a message budget and the frame filter (signaling-frames.ts) before any listener (`peer`)
 * sees it, and every outgoing frame is refused once the socket's send buffer is over its cap,
 * so a client that stops reading is dropped instead of growing the server (one such socket
 * once held 454 MB). Nothing a client sends can throw out of `emit`.
 */
import { WebSocket } from 'ws';
import { TokenBucket } from '../limits/token-bucket.js';
import { checkSignalingFrame, type FrameVerdict } from './signaling-frames.js';

/** Per-socket limits. */
export interface SocketLimits {
  /** Frames per second, sustained and as a burst. */
  maxMessagesPerSecond: number;
  /** Incoming bytes per second, sustained. */
  maxBytesPerSecond: number;
  /** Incoming bytes at once (the byte bucket's size). */
  maxBurstBytes: number;
  /** Bytes waiting to be sent to this socket before it is dropped. */
  maxSendBufferBytes: number;
}

/** What the guard hears from one socket. */
export interface SocketHooks {
  /** A frame of `bytes` arrived, before it is parsed; a reason refuses it (and closes the socket). */
  spend(bytes: number): string | undefined;
  /** An accepted frame; false drops it silently (e.g. no room to queue it for an absent id). */
  accept(verdict: Extract<FrameVerdict, { ok: true }>, bytes: number): boolean;
  /** The socket broke a rule and is being closed. */
  refused(reason: string): void;
}

/** How long a refused socket may take to close before it is cut off, ms (its read buffers are held meanwhile). */
export const REFUSED_LINGER_MS = 200;

/**
 * Sends a PeerJS-format message (`ERROR` by default), stops reading from the socket (a flooder's
 * frames already on the way are not parsed: one socket once pushed 1 GB after its refusal),
 * closes it, and cuts it off REFUSED_LINGER_MS later if it has not closed.
 */
export function refuseSocket(socket: WebSocket, msg: string, type = 'ERROR', code = 1008): void {
  try {
    socket.pause();
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type, payload: { msg } }));
    if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.close(code, type);
  } catch {
    socket.terminate();
  }
  setTimeout(() => socket.terminate(), REFUSED_LINGER_MS).unref();
}

function byteLength(data: unknown): number {
  if (Array.isArray(data)) return data.reduce((n: number, b: Buffer) => n + b.length, 0);
  if (typeof data === 'string') return Buffer.byteLength(data);
  return (data as { byteLength?: number } | null)?.byteLength ?? 0;
}

/** A ws socket whose incoming frames are checked before any listener sees them. */
export class GuardedSocket extends WebSocket {
  /** Address the socket counts against (see client-ip.ts). */
  address = '';
  /** Dropped (sends refused) because its send buffer was over the cap. */
  overflowed = false;
  private limits: SocketLimits | undefined;
  private hooks: SocketHooks | undefined;
  private messages: TokenBucket | undefined;
  private bytes: TokenBucket | undefined;

  /** Arms the limits; until then every frame is dropped. */
  arm(address: string, limits: SocketLimits, hooks: SocketHooks): void {
    this.address = address;
    this.limits = limits;
    this.hooks = hooks;
    this.messages = new TokenBucket(limits.maxMessagesPerSecond, limits.maxMessagesPerSecond);
    this.bytes = new TokenBucket(limits.maxBurstBytes, limits.maxBytesPerSecond);
    const send = this.send.bind(this) as (data: unknown, ...rest: unknown[]) => void;
    this.send = ((data: unknown, ...rest: unknown[]) => {
      if (this.readyState !== WebSocket.OPEN) return;
      if (this.bufferedAmount + byteLength(data) > limits.maxSendBufferBytes) {
        this.overflow();
        return;
      }
      send(data, ...rest);
    }) as WebSocket['send'];
  }

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'message') return super.emit(event, ...args);
    try {
      return this.onMessage(args[0], args[1] === true);
    } catch (err) {
      return this.refuse(`Signaling frame could not be handled (${err instanceof Error ? err.message.slice(0, 80) : 'error'}).`);
    }
  }

  private onMessage(data: unknown, isBinary: boolean): boolean {
    if (this.readyState !== WebSocket.OPEN || this.hooks === undefined || this.limits === undefined) return false;
    const bytes = byteLength(data);
    if (!this.messages!.take()) {
      return this.refuse(`Too many signaling messages (limit ${this.limits.maxMessagesPerSecond} per second). Slow down and reconnect.`);
    }
    if (!this.bytes!.take(bytes)) {
      return this.refuse(`Too many signaling bytes (limit ${this.limits.maxBytesPerSecond} per second). Send smaller messages and reconnect.`);
    }
    const overBudget = this.hooks.spend(bytes);
    if (overBudget !== undefined) return this.refuse(overBudget);
    const verdict = checkSignalingFrame(data as Buffer, isBinary);
    if (!verdict.ok) return this.refuse(verdict.reason);
    if (!this.hooks.accept(verdict, bytes)) return false;
    // peer reads `data.toString()`: a string saves a copy of every frame in external memory.
    return super.emit('message', verdict.text, false);
  }

  private overflow(): void {
    if (this.overflowed) return;
    this.overflowed = true;
    this.hooks?.refused(`send buffer over ${this.limits?.maxSendBufferBytes ?? 0} bytes (the client is not reading)`);
    this.terminate();
  }

  private refuse(reason: string): boolean {
    this.hooks?.refused(reason);
    refuseSocket(this, reason);
    return false;
  }
}
