/**
 * The client IP that rate limits and connection caps count by. Directly connected: the socket
 * address. Behind a reverse proxy (`proxied`): the last X-Forwarded-For entry, the one the
 * proxy itself appended, which a client cannot forge (earlier entries it can).
 */
import type { IncomingMessage } from 'node:http';

/** The IP address to attribute `req` to. */
export function clientIp(req: IncomingMessage, proxied: boolean): string {
  if (proxied) {
    const header = req.headers['x-forwarded-for'];
    const value = Array.isArray(header) ? header[header.length - 1] : header;
    const last = value?.split(',').pop()?.trim();
    if (last) return last;
  }
  const address = req.socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
