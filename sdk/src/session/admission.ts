/**
 * The host's door: who may open a link and who may join. An offer is answered only when it
 * carries a valid ticket for its sender's id (checked before any RTCPeerConnection exists), the
 * id is not banned, not already a member and not already knocking. A ticket admits once: a
 * kicked or banned player cannot come back with the ticket it joined with. Bans last for the
 * session. Every table here is bounded: tickets are forgotten when they expire, bans past
 * `MAX_BANS` push out the oldest.
 */
import { verifyTicket } from '../lobby/ticket.js';

/** Most ids a session keeps banned; older bans give way. */
export const MAX_BANS = 1024;

/** Expiry of a ticket string (its prefix), or NaN. */
function ticketExpiry(ticket: string): number {
  return Number(ticket.slice(0, ticket.indexOf('.')));
}

/** Admission state of a hosting session. */
export class Admission {
  private readonly bans = new Map<string, string>();
  private readonly used = new Map<string, number>();

  constructor(private readonly secret: string, private readonly code: string, private readonly now: () => number = Date.now) {}

  /** True when `ticket` admits `id` and has not been used. */
  ticketValid(id: string, ticket: unknown): ticket is string {
    return typeof ticket === 'string' && !this.used.has(ticket) && verifyTicket(this.secret, this.code, id, ticket, this.now());
  }

  /** Marks `ticket` used; it admits nobody again. */
  consume(ticket: string): void {
    const now = this.now();
    if (this.used.size >= 256) for (const [t, expiry] of this.used) if (expiry < now) this.used.delete(t);
    this.used.set(ticket, ticketExpiry(ticket));
  }

  /** Bans `id` for the rest of the session. */
  ban(id: string, reason: string): void {
    this.bans.delete(id);
    this.bans.set(id, reason);
    if (this.bans.size > MAX_BANS) this.bans.delete(this.bans.keys().next().value as string);
  }

  /** Lifts a ban. */
  unban(id: string): void {
    this.bans.delete(id);
  }

  /** True when `id` is banned. */
  isBanned(id: string): boolean {
    return this.bans.has(id);
  }

  /** Banned ids, oldest first. */
  banned(): string[] {
    return [...this.bans.keys()];
  }
}
