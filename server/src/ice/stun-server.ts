/// <reference path="./msimerson-stun.d.ts" />
/**
 * A STUN server on a UDP port of the server's own (RFC 8489 binding requests, answered with
 * XOR-MAPPED-ADDRESS by `@msimerson/stun`, a kept library, not hand-written parsing), so a
 * self-hosted deployment has STUN with nothing else to run; `GET /api/config` then lists
 * `stun:<host the client reached>:<port>`. Only binding requests are answered, with no
 * SOFTWARE attribute (the answer is barely larger than the question: no amplification worth
 * a spoofer's while), each address at most `ratePerSecond` times a second; anything else
 * (malformed, indications, responses) is dropped and counted. TURN stays coturn.
 */
import { createSocket } from 'node:dgram';
import { constants, createMessage, createServer, type StunServer } from '@msimerson/stun';
import { RateLimiter } from '../limits/rate-limiter.js';
import type { Logger } from '../log.js';

/** A running STUN server. */
export interface RunningStun {
  /** The UDP port bound. */
  port: number;
  /** Binding requests answered, and datagrams dropped (malformed, not a request, over the rate). */
  readonly counts: { answered: number; dropped: number };
  /** Closes the socket. Idempotent. */
  close(): void;
}

/** Where and how fast to answer. */
export interface StunOptions {
  /** UDP port; 0 picks a free one. */
  port: number;
  /** Interface to bind. */
  host: string;
  /** Binding requests answered per address per second. Default: 20. */
  ratePerSecond?: number;
}

/** Binds a STUN server; rejects when the port cannot be bound. */
export async function startStun(options: StunOptions, log: Logger): Promise<RunningStun> {
  const socket = createSocket({ type: options.host.includes(':') ? 'udp6' : 'udp4' });
  const server: StunServer = createServer({ type: options.host.includes(':') ? 'udp6' : 'udp4', socket });
  const rate = options.ratePerSecond ?? 20;
  const limiter = new RateLimiter(rate * 60, Date.now, 100_000, rate * 2);
  const counts = { answered: 0, dropped: 0 };
  const responseType = Number(constants.STUN_BINDING_RESPONSE);
  server.on('bindingRequest', (request, rinfo) => {
    try {
      if (!limiter.take(rinfo.address).ok) {
        counts.dropped++;
        return;
      }
      const response = createMessage(responseType, request.transactionId);
      response.addXorAddress(rinfo.address, rinfo.port);
      server.send(response, rinfo.port, rinfo.address);
      counts.answered++;
    } catch {
      counts.dropped++;
    }
  });
  // Malformed datagrams and responses come as 'error' events: without a listener they would throw.
  server.on('error', () => { counts.dropped++; });
  // A server asks nobody: responses and indications sent to it are not ours to act on.
  server.on('bindingResponse', () => { counts.dropped++; });
  server.on('bindingIndication', () => { counts.dropped++; });
  socket.on('error', (err) => log.warn(`stun socket: ${err.message}`));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    server.listen(options.port, options.host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  let closed = false;
  return {
    port: socket.address().port,
    counts,
    close() {
      if (closed) return;
      closed = true;
      server.close();
    },
  };
}
