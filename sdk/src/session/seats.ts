/**
 * Seat tokens and held seats, on the host. Every admitted member gets a seat token in its
 * WELCOME: 128 bits from the CSPRNG, sent to that member only, over its encrypted link. When the
 * member's link drops without a goodbye, the host holds its seat for the grace period; the member
 * proves the seat with its token on a new link (offer gate, then REJOIN) and gets a fresh token,
 * so an old token, once used, admits nobody. A seat not reclaimed in time is given up (`expire`).
 */

/** A fresh seat token: 16 CSPRNG bytes, hex. */
export function newSeatToken(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Compares two strings in time that depends only on their length. */
function sameToken(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** The host's seat tokens and the seats it is holding for dropped members. */
export class Seats {
  private readonly tokens = new Map<string, string>();
  private readonly held = new Map<string, ReturnType<typeof setTimeout>>();

  /** Issues a new token for `id` (the previous one stops working). */
  issue(id: string): string {
    const token = newSeatToken();
    this.tokens.set(id, token);
    return token;
  }

  /** True when `token` is `id`'s current seat token. */
  valid(id: string, token: unknown): boolean {
    const current = this.tokens.get(id);
    return current !== undefined && typeof token === 'string' && token.length === 32 && sameToken(current, token);
  }

  /** Holds `id`'s seat for `graceMs`; `expire()` runs when it was not reclaimed in time. */
  hold(id: string, graceMs: number, expire: () => void): void {
    clearTimeout(this.held.get(id));
    this.held.set(id, setTimeout(() => { this.held.delete(id); expire(); }, graceMs));
  }

  /** True while `id`'s seat is held for it. */
  isHeld(id: string): boolean {
    return this.held.has(id);
  }

  /** Ids whose seats are held now. */
  heldIds(): string[] {
    return [...this.held.keys()];
  }

  /** `id` is back: its seat is no longer held. */
  reclaimed(id: string): void {
    clearTimeout(this.held.get(id));
    this.held.delete(id);
  }

  /** `id` is gone for good: its token and any hold are dropped. */
  forget(id: string): void {
    this.reclaimed(id);
    this.tokens.delete(id);
  }

  /** Drops every hold and token. */
  clear(): void {
    for (const timer of this.held.values()) clearTimeout(timer);
    this.held.clear();
    this.tokens.clear();
  }
}
