/**
 * Hardening around PeerServer's WebSocket server (plugged in through its
 * `createWebSocketServer` option). Before the handshake: a per-address connect rate (429).
 * Before `peer` sees a socket: a strict query (connect-query.ts), a per-address socket cap, reserved ids after a disconnect
 * (id-reservations.ts), and a global socket cap that keeps room for newcomers (fair-share.ts:
 * a newcomer displaces the oldest socket of the address holding the most). Before `peer` sees
 * a frame: the per-socket budgets and frame filter (guarded-socket.ts) and the caps on messages
 * queued for absent ids (undelivered.ts). A socket that breaks a rule gets a PeerJS `ERROR`
 * message and is closed; nothing else is affected.
 *
 * With a cluster (several nodes on Redis), an id is claimed across nodes before the handshake
 * (taken or reserved on another node: refused like a local one; while Redis is unreachable,
 * only this node's checks apply), and a message to an id that
 * is not connected here is routed to the node holding it (any type the frame filter passes,
 * by destination id) or dropped and counted when it is nowhere.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type ServerOptions } from 'ws';
import { addressKey, clientIp } from '../http/client-ip.js';
import { FairShare } from '../limits/fair-share.js';
import { RateLimiter } from '../limits/rate-limiter.js';
import type { Logger } from '../log.js';
import type { ClaimResult, Cluster } from '../cluster/cluster.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import { parseConnectQuery } from './connect-query.js';
import { GuardedSocket, refuseSocket, type SocketLimits } from './guarded-socket.js';
import { IdReservations } from './id-reservations.js';
import { UndeliveredLedger, type UndeliveredLimits } from './undelivered.js';
import { IceRelay } from './ice-relay.js';

export { refuseSocket } from './guarded-socket.js';

/** Limits the guard enforces. */
export interface GuardLimits extends SocketLimits {
  /** PeerServer key clients must present. */
  peerKey: string;
  maxFrameBytes: number;
  maxConnectionsPerIp: number;
  /** Signaling sockets in all. */
  maxConnections: number;
  /** Socket openings per address per minute. */
  connectsPerMinute: number;
  /** Socket openings per address at once. */
  connectBurst: number;
  /** Incoming signaling bytes per address per second, all its sockets together. */
  maxBytesPerSecondPerIp: number;
  idReservationMs: number;
  /** Reservations one address may hold. */
  maxReservationsPerIp: number;
  undelivered: UndeliveredLimits;
  proxied: boolean;
}

/** The type of a frame the filter re-serialised (it always starts `{"type":"<type>"`). */
function frameType(text: string): string {
  return text.slice(9, Math.min(text.indexOf('"', 9), 41));
}

/** What the guard reports to and routes through, when there is one. */
export interface GuardHooks {
  cluster?: Cluster | undefined;
  metrics?: ServerMetrics | undefined;
}

/** The cluster's verdict on a socket's id, set on its request before the handshake. */
const CLAIM = Symbol('hostmesh.claim');
type ClaimedRequest = IncomingMessage & { [CLAIM]?: ClaimResult };

/** Per-server signaling hardening state. */
export class SignalingGuard {
  /** Freed ids, reserved for their last token. */
  readonly reservations: IdReservations;
  /** Bytes queued for absent ids. */
  readonly undelivered: UndeliveredLedger;
  /** Forwards ICE-restart envelopes between registered peers. */
  readonly iceRelay = new IceRelay();
  private readonly sockets = new FairShare<string, GuardedSocket>();
  private readonly live = new Map<string, string>();
  private readonly byId = new Map<string, GuardedSocket>();
  private readonly connects: RateLimiter;
  private readonly bytesPerAddress: RateLimiter;
  private readonly servers: WebSocketServer[] = [];
  private refusedConnects = 0;

  constructor(private readonly limits: GuardLimits, private readonly log: Logger, private readonly hooks: GuardHooks = {}) {
    this.reservations = new IdReservations(limits.idReservationMs, Date.now, { maxPerAddress: limits.maxReservationsPerIp });
    this.undelivered = new UndeliveredLedger(limits.undelivered);
    this.connects = new RateLimiter(limits.connectsPerMinute, Date.now, 100_000, limits.connectBurst);
    this.bytesPerAddress = new RateLimiter(limits.maxBytesPerSecondPerIp * 60, Date.now, 100_000, limits.maxBytesPerSecondPerIp * 2);
  }

  /** The `createWebSocketServer` option for PeerServer. */
  readonly createWebSocketServer = (options: ServerOptions): WebSocketServer => {
    const guard = this;
    class GuardedServer extends WebSocketServer {
      // An address over its connect rate is refused before the handshake: no socket object,
      // no framing, just a 429 (reconnect floods once made thousands of full handshakes).
      override handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, cb: (ws: WebSocket, req: IncomingMessage) => void): void {
        if (guard.tooManyConnects(req, socket)) return;
        const query = guard.hooks.cluster === undefined ? undefined : parseConnectQuery(req.url);
        if (query?.ok !== true) {
          super.handleUpgrade(req, socket, head, cb);
          return;
        }
        // The claim is settled before the handshake, so the id is ours on every node before
        // the client hears OPEN (and may name itself host of a lobby through another node).
        void guard.hooks.cluster!.claim(query.id, query.token).then((result) => {
          (req as ClaimedRequest)[CLAIM] = result;
          super.handleUpgrade(req, socket, head, cb);
        });
      }

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
    server.on('error', (err) => this.log(`signaling server error: ${err.message}`));
    this.servers.push(server);
    return server;
  };

  /** Open signaling sockets from `ip`. */
  connectionsFrom(ip: string): number {
    return this.sockets.count(addressKey(ip));
  }

  /** Open signaling sockets in all. */
  get connections(): number {
    return this.sockets.size;
  }

  /** True when `id` is registered with `peer` (its messages are delivered, not queued). */
  isLive(id: string): boolean {
    return this.live.has(id);
  }

  /** `peer` registered `id` on `socket`: its reservation ends, queued messages were handed over. */
  registered(id: string, socket: unknown): void {
    this.reservations.release(id);
    this.undelivered.delivered(id);
    this.live.set(id, socket instanceof GuardedSocket ? socket.address : 'unknown');
    if (socket instanceof GuardedSocket) this.iceRelay.registered(id, socket);
    if (socket instanceof GuardedSocket) this.byId.set(id, socket);
  }

  /** Peer ids registered here. */
  get peers(): number {
    return this.live.size;
  }

  /** Sends `text` (a frame routed from another node) to local peer `dst`; false (counted) when it is not here. */
  deliver(dst: string, text: string): boolean {
    const socket = this.byId.get(dst);
    if (socket === undefined || socket.readyState !== WebSocket.OPEN) {
      this.hooks.metrics?.signalingDropped.inc({ reason: 'remote_gone' });
      return false;
    }
    this.hooks.metrics?.signalingRouted.inc({ direction: 'in' });
    socket.send(text);
    return true;
  }

  /** `peer` freed `id`: reserve it for `token` for `ms`. */
  unregistered(id: string, token: string, ms: number): void {
    this.reservations.reserve(id, token, this.live.get(id) ?? 'unknown', ms);
    this.live.delete(id);
    this.iceRelay.unregistered(id);
    this.byId.delete(id);
  }

  /** Terminates every socket and closes the WebSocket servers. Idempotent. */
  close(): void {
    for (const server of this.servers.splice(0)) {
      for (const socket of server.clients) socket.terminate();
      server.close();
    }
  }

  /** Sends a frame from local `src` to `dst` on another node, as `peer` would relay it (with `src`). */
  private routeAway(cluster: Cluster, src: string, dst: string, text: string): void {
    const relayed = `{"src":${JSON.stringify(src)},${text.slice(1)}`;
    cluster.route(dst, relayed).then(
      (sent) => {
        if (sent) this.hooks.metrics?.signalingRouted.inc({ direction: 'out' });
        else this.hooks.metrics?.signalingDropped.inc({ reason: 'nowhere' });
      },
      () => this.hooks.metrics?.signalingDropped.inc({ reason: 'store_down' }),
    );
  }

  /** Takes a connect token for `req`'s address; when there is none, answers 429 on `socket` and returns true. */
  private tooManyConnects(req: IncomingMessage, socket: Duplex): boolean {
    const address = addressKey(clientIp(req, this.limits.proxied));
    const rate = this.connects.take(address);
    if (rate.ok) return false;
    this.hooks.metrics?.signalingRefused.inc({ reason: 'rate' });
    const seconds = Math.max(1, Math.ceil(rate.retryAfterMs / 1000));
    const body = JSON.stringify({ error: { code: 'RATE_LIMITED', message: `Too many signaling connections opened from your address (limit ${this.limits.connectsPerMinute} per minute). Wait ${seconds} s and try again.` } });
    if (this.refusedConnects++ % 1000 === 0) this.log(`signaling: ${this.refusedConnects} connects refused over the rate, latest from ${address}`);
    socket.on('error', () => {});
    if (socket.writable) {
      socket.end(`HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${seconds}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    }
    setTimeout(() => socket.destroy(), 200).unref();
    return true;
  }

  private admit(socket: GuardedSocket, req: IncomingMessage): boolean {
    socket.on('error', (err) => this.log(`signaling socket error: ${err.message}`));
    const ip = clientIp(req, this.limits.proxied);
    const address = addressKey(ip);
    const query = parseConnectQuery(req.url);
    const cluster = this.hooks.cluster;
    const claim = (req as ClaimedRequest)[CLAIM];
    const reject = (msg: string, reason: string): false => {
      this.log(`signaling refused ${ip} id=${query.ok ? query.id : '?'}: ${msg}`);
      this.hooks.metrics?.signalingRefused.inc({ reason });
      // An id this socket claimed across nodes is given back (no reservation: it never registered).
      if (claim === 'ok' && query.ok && !this.live.has(query.id)) cluster?.left(query.id, query.token, 0);
      refuseSocket(socket, msg);
      return false;
    };
    if (!query.ok) return reject(query.reason, 'bad_query');
    // Redis away: the socket is admitted on this node's own checks (a running game's peers must
    // get their signaling back); its presence entry is written by the next heartbeat once Redis is.
    if (cluster !== undefined && claim === 'unavailable') this.hooks.metrics?.claimsSkipped.inc();
    if (claim === 'taken') return reject(`The peer id "${query.id}" is connected to another server node with another token. Connect with a new random id.`, 'id_taken');
    if (claim === 'reserved') {
      return reject(`The peer id "${query.id}" was in use moments ago and stays reserved for its previous owner. Connect with a new random id.`, 'id_reserved');
    }
    if (query.key !== this.limits.peerKey) return reject('Invalid key provided: use the peerKey from GET /api/config.', 'bad_key');
    if (this.sockets.count(address) >= this.limits.maxConnectionsPerIp) {
      return reject(`Too many signaling connections from your address (limit ${this.limits.maxConnectionsPerIp}). Close other game tabs or peers and try again.`, 'ip_cap');
    }
    if (this.reservations.isReservedForOther(query.id, query.token)) {
      return reject(`The peer id "${query.id}" was in use moments ago and stays reserved for its previous owner. Connect with a new random id.`, 'id_reserved');
    }
    if (this.sockets.size >= this.limits.maxConnections) {
      const victim = this.sockets.victimFor(address);
      if (victim === undefined) return reject('The signaling server is full. Try again in a minute.', 'full');
      this.log(`signaling full: dropping the oldest socket of ${victim.key} (${this.sockets.count(victim.key)} sockets) for a newcomer from ${ip}`);
      this.sockets.remove(victim.key, victim.item);
      refuseSocket(victim.item, 'The signaling server is full and your address holds the most connections: this one was closed to make room. Close some and reconnect.', 'ERROR', 1013);
    }
    this.sockets.add(address, socket);
    socket.once('close', () => this.sockets.remove(address, socket));
    socket.arm(address, this.limits, {
      spend: (bytes) => (this.bytesPerAddress.take(address, bytes).ok ? undefined
        : `Your address sends too many signaling bytes (limit ${this.limits.maxBytesPerSecondPerIp} per second over all its sockets). Slow down and reconnect.`),
      accept: (verdict, bytes) => {
        this.hooks.metrics?.signalingMessages.inc({ type: frameType(verdict.text) });
        // The ICE-restart envelope is ours to forward; `peer` never sees it. To a peer on another node
        // it is routed like any frame.
        if (verdict.ice !== undefined) {
          if (cluster !== undefined && !this.live.has(verdict.dst!)) { this.routeAway(cluster, query.id, verdict.dst!, verdict.text); return false; }
          this.iceRelay.relay(socket, query.id, verdict.dst!, verdict.ice);
          return false;
        }
        if (verdict.dst === null || this.live.has(verdict.dst)) return true;
        if (cluster !== undefined) {
          this.routeAway(cluster, query.id, verdict.dst, verdict.text);
          return false;
        }
        if (this.undelivered.admit(verdict.dst, bytes)) return true;
        this.hooks.metrics?.signalingDropped.inc({ reason: 'queue_cap' });
        this.log(`signaling: dropped a ${bytes}-byte message from ${ip} to absent id ${verdict.dst} (queue caps)`);
        return false;
      },
      refused: (reason) => {
        this.hooks.metrics?.signalingRefused.inc({ reason: 'frame' });
        this.log(`signaling socket of ${ip} id=${query.id} closed: ${reason}`);
      },
    });
    return true;
  }
}
