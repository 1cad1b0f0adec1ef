/**
 * A raw WebSocket client speaking the PeerServer protocol, for server tests: connect with
 * `?key&id&token`, wait for messages by predicate with a timeout, observe the close.
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';

/** A PeerServer message as received. */
export interface PeerMessage {
  type: string;
  src?: string;
  dst?: string;
  payload?: unknown;
}

/** A connected raw signaling client. */
export interface RawPeer {
  id: string;
  token: string;
  ws: WebSocket;
  /** Every message received so far. */
  messages: PeerMessage[];
  /** Resolves with the first message (past or future) matching `match`. */
  next(match: (m: PeerMessage) => boolean, timeoutMs?: number): Promise<PeerMessage>;
  /** Sends a JSON message, or a raw string/buffer as is. */
  send(message: PeerMessage | string | Buffer): void;
  /** Resolves when the socket has closed. */
  closed: Promise<{ code: number; reason: string }>;
}

/** A random id valid for the server. */
export function randomPeerId(prefix = 'p'): string {
  return `${prefix}${randomBytes(6).toString('hex')}`;
}

/** The signaling WebSocket URL for `id` on server `baseUrl`. */
export function signalingUrl(baseUrl: string, id: string, token: string, key = 'hostmesh'): string {
  return `${baseUrl.replace(/^http/, 'ws')}/peerjs/peerjs?key=${encodeURIComponent(key)}&id=${encodeURIComponent(id)}&token=${encodeURIComponent(token)}`;
}

/** Where a raw socket connects from and to. */
export interface RawPeerOptions {
  /** Source address, e.g. '127.0.0.7' (any of 127.0.0.0/8 works on Linux loopback). */
  localAddress?: string;
  /** The whole WebSocket URL, used as is (for hostile queries). */
  url?: string;
  /** Give up the opening handshake after this long, ms. Default: none. */
  handshakeTimeoutMs?: number;
  /** Answer the server's pings (false: a frozen process's socket). Default: true. */
  autoPong?: boolean;
}

/** Opens a signaling socket; resolves once it is open (not necessarily admitted: check OPEN). */
export function openRawPeer(baseUrl: string, id = randomPeerId(), token = randomBytes(8).toString('hex'), key = 'hostmesh', options: RawPeerOptions = {}): Promise<RawPeer> {
  const ws = new WebSocket(options.url ?? signalingUrl(baseUrl, id, token, key), {
    ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
    ...(options.handshakeTimeoutMs === undefined ? {} : { handshakeTimeout: options.handshakeTimeoutMs }),
    ...(options.autoPong === undefined ? {} : { autoPong: options.autoPong }),
  });
  const messages: PeerMessage[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    try {
      messages.push(JSON.parse(data.toString()) as PeerMessage);
    } catch {
      messages.push({ type: '<unparseable>', payload: data.toString() });
    }
    for (const w of waiters) w();
  });
  ws.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const w of waiters) w();
    });
  });
  const peer: RawPeer = {
    id, token, ws, messages, closed,
    next(match, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = messages.find(match);
          if (found === undefined) return false;
          cleanup();
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no matching message for ${id} within ${timeoutMs} ms; got ${JSON.stringify(messages)}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(waiter);
        };
        const waiter = (): void => void check();
        if (!check()) waiters.add(waiter);
      });
    },
    send(message) {
      ws.send(typeof message === 'string' || Buffer.isBuffer(message) ? message : JSON.stringify(message));
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(peer));
    ws.once('error', reject);
  });
}

/** Opens a signaling socket and waits for the server's `OPEN`. */
export async function connectRawPeer(baseUrl: string, id?: string, token?: string, options: RawPeerOptions = {}): Promise<RawPeer> {
  const peer = await openRawPeer(baseUrl, id, token, 'hostmesh', options);
  await peer.next((m) => m.type === 'OPEN' || m.type === 'ERROR' || m.type === 'ID-TAKEN');
  if (peer.messages[0]?.type !== 'OPEN') throw new Error(`signaling refused ${peer.id}: ${JSON.stringify(peer.messages)}`);
  return peer;
}

/** Closes every given peer and waits for the closes. */
export async function closeAll(peers: Array<RawPeer | undefined>): Promise<void> {
  await Promise.all(peers.map(async (p) => {
    if (p === undefined) return;
    p.ws.close();
    await p.closed;
  }));
}
