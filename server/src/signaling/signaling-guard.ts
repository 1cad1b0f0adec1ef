/**
 * Hardening around PeerServer's WebSocket server (plugged in through its
 * `createWebSocketServer` option): a frame size cap (`maxPayload`), a per-IP connection cap,
 * id and token format checks, reserved ids after a disconnect (no hijacking), and a frame
 * filter plus a per-socket message rate cap in front of `peer`'s message handler. A socket
 * that breaks a rule gets a PeerJS `ERROR` message and is closed; nothing else is affected.
 */
import type { IncomingMessage } from 'node:http';
import { WebSocket, WebSocketServer, type ServerOptions } from 'ws';
import { clientIp } from '../http/client-ip.js';
import { IdReservations } from './id-reservations.js';
import type { Logger } from '../log.js';
import { isValidPeerId, isValidPeerToken } from './peer-id.js';
import { checkSignalingFrame } from './signaling-frames.js';

/** Limits the guard enforces. */
export interface GuardLimits {
  maxFrameBytes: number;
  maxConnectionsPerIp: number;
  maxMessagesPerSecond: number;
  idReservationMs: number;
  proxied: boolean;
}

/** Sends a PeerJS-format message (`ERROR` by default) and closes the socket. */
export function refuseSocket(socket: WebSocket, msg: string, type = 'ERROR'): void {
  if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type, payload: { msg } }));
  if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.close(1008, type);
}

/** A ws socket whose incoming frames are checked before any listener sees them. */
class GuardedSocket extends WebSocket {
  maxMessagesPerSecond = Number.POSITIVE_INFINITY;
  onRefused: (reason: string) => void = () => {};
  private windowStartMs = 0;
  private windowCount = 0;

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'message') return super.emit(event, ...args);
    if (this.readyState !== WebSocket.OPEN) return false;
    const now = Date.now();
    if (now - this.windowStartMs >= 1000) {
      this.windowStartMs = now;
      this.windowCount = 0;
    }
    if (++this.windowCount > this.maxMessagesPerSecond) {
      return this.refuse(`Too many signaling messages (limit ${this.maxMessagesPerSecond} per second).`);
    }
    const verdict = checkSignalingFrame(args[0] as Buffer, args[1] === true);
    if (!verdict.ok) return this.refuse(verdict.reason);
    return super.emit('message', Buffer.from(verdict.text), false);
  }

  private refuse(reason: string): boolean {
    this.onRefused(reason);
    refuseSocket(this, reason);
    return false;
  }
}

function queryOf(req: IncomingMessage): URLSearchParams {
  try {
    return new URL(req.url ?? '', 'http://localhost').searchParams;
  } catch {
    return new URLSearchParams();
  }
}

/** Per-server signaling hardening state. */
export class SignalingGuard {
  /** Freed ids, reserved for their last token. */
  readonly reservations: IdReservations;
  private readonly perIp = new Map<string, number>();
  private readonly servers: WebSocketServer[] = [];

  constructor(private readonly limits: GuardLimits, private readonly log: Logger) {
    this.reservations = new IdReservations(limits.idReservationMs);
  }

  /** The `createWebSocketServer` option for PeerServer. */
  readonly createWebSocketServer = (options: ServerOptions): WebSocketServer => {
    const guard = this;
    class GuardedServer extends WebSocketServer {
      override emit(event: string | symbol, ...args: unknown[]): boolean {
        if (event === 'connection' && !guard.admit(args[0] as GuardedSocket, args[1] as IncomingMessage)) return true;
        return super.emit(event, ...args);
      }
    }
    const server = new GuardedServer({
      ...options,
      maxPayload: this.limits.maxFrameBytes,
      perMessageDeflate: false,
      WebSocket: GuardedSocket as typeof WebSocket,
    });
    this.servers.push(server);
    return server;
  };

  /** Open signaling sockets from `ip`. */
  connectionsFrom(ip: string): number {
    return this.perIp.get(ip) ?? 0;
  }

  /** Terminates every socket and closes the WebSocket servers. Idempotent. */
  close(): void {
    for (const server of this.servers.splice(0)) {
      for (const socket of server.clients) socket.terminate();
      server.close();
    }
  }

  private admit(socket: GuardedSocket, req: IncomingMessage): boolean {
    socket.on('error', (err) => this.log(`signaling socket error: ${err.message}`));
    const ip = clientIp(req, this.limits.proxied);
    const query = queryOf(req);
    const id = query.get('id');
    const token = query.get('token');
    const reject = (msg: string): false => {
      this.log(`signaling refused ${ip} id=${JSON.stringify(id)?.slice(0, 80)}: ${msg}`);
      refuseSocket(socket, msg);
      return false;
    };
    if (this.connectionsFrom(ip) >= this.limits.maxConnectionsPerIp) {
      return reject(`Too many signaling connections from your address (limit ${this.limits.maxConnectionsPerIp}). Close other game tabs or peers and try again.`);
    }
    if (id !== null && !isValidPeerId(id)) return reject('Invalid peer id: use 1 to 64 characters of A-Z, a-z, 0-9, _ and -.');
    if (token !== null && !isValidPeerToken(token)) return reject('Invalid token: use 1 to 128 characters of A-Z, a-z, 0-9, _ and -.');
    if (id !== null && token !== null && this.reservations.isReservedForOther(id, token)) {
      return reject(`The peer id "${id}" was in use moments ago and stays reserved for its previous owner. Connect with a new random id.`);
    }
    this.perIp.set(ip, this.connectionsFrom(ip) + 1);
    socket.once('close', () => {
      const left = this.connectionsFrom(ip) - 1;
      if (left > 0) this.perIp.set(ip, left);
      else this.perIp.delete(ip);
    });
    socket.maxMessagesPerSecond = this.limits.maxMessagesPerSecond;
    socket.onRefused = (reason) => this.log(`signaling frame refused from ${ip} id=${id ?? '?'}: ${reason}`);
    return true;
  }
}
