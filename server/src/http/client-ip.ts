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
    if (last) return last.slice(0, 64);
  }
  return socketIp(req.socket.remoteAddress);
}

/** A socket's remote address, IPv4-mapped IPv6 as plain IPv4. */
export function socketIp(remoteAddress: string | undefined): string {
  const address = remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/**
 * The key limits count an address under: an IPv4 address as is, an IPv6 address by its /64
 * (one host or home network usually holds a whole /64, so counting single addresses would
 * let it take 2^64 places).
 */
export function addressKey(ip: string): string {
  if (!ip.includes(':')) return ip;
  const [head = '', tail] = ip.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
