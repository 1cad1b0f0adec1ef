/**
 * Caps on TCP connections to the HTTP server (plain requests and WebSocket upgrades alike):
 * per client address and in all. One address holding idle connections up to the fd limit
 * once locked everyone out of HTTP and signaling; many addresses filling a global cap lock out
 * newcomers, so a full server makes room by closing the oldest connection of the address
 * holding the most (fair-share.ts), and refuses only a newcomer whose address already holds
 * as many. Idle and slow connections are Node's to time out (headersTimeout, requestTimeout,
 * keepAliveTimeout, checked every second: see start-server.ts); that includes a connection that
 * never sends a byte. Behind a reverse proxy every connection comes from the proxy: the per-address cap
 * is then off (the proxy should enforce its own), the global one stays.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { FairShare } from '../limits/fair-share.js';
import type { Logger } from '../log.js';
import { addressKey, socketIp } from './client-ip.js';

/** Limits of the gate. */
export interface GateLimits {
  maxPerAddress: number;
  maxTotal: number;
  /** Per-address cap off (behind a proxy). */
  proxied: boolean;
}

/** Counts and caps the TCP connections of `server`. */
export class ConnectionGate {
  private readonly open = new FairShare<string, Socket>();
  /** Connections refused or displaced so far. */
  refused = 0;

  constructor(server: Server, private readonly limits: GateLimits, private readonly log: Logger) {
    server.on('connection', (socket: Socket) => this.admit(socket));
  }

  /** Open connections from `ip`. */
  connectionsFrom(ip: string): number {
    return this.open.count(addressKey(ip));
  }

  /** Open connections in all. */
  get size(): number {
    return this.open.size;
  }

  private admit(socket: Socket): void {
    const address = this.limits.proxied ? 'proxy' : addressKey(socketIp(socket.remoteAddress));
    if (!this.limits.proxied && this.open.count(address) >= this.limits.maxPerAddress) {
      this.refuse(socket, `per-address cap ${this.limits.maxPerAddress} reached by ${address}`);
      return;
    }
    if (this.open.size >= this.limits.maxTotal) {
      const victim = this.limits.proxied ? undefined : this.open.victimFor(address);
      if (victim === undefined) {
        this.refuse(socket, `server full (${this.limits.maxTotal} connections)`);
        return;
      }
      this.open.remove(victim.key, victim.item);
      this.refuse(victim.item, `server full: closed the oldest connection of ${victim.key} for a newcomer`);
    }
    this.open.add(address, socket);
    socket.once('close', () => this.open.remove(address, socket));
  }

  private refuse(socket: Socket, why: string): void {
    this.refused++;
    if (this.refused <= 10 || this.refused % 1000 === 0) this.log(`tcp connection refused (${this.refused} so far): ${why}`);
    socket.destroy();
  }
}
