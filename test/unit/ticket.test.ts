/** Admission tickets: only the exact (secret, code, peer id) before expiry verifies. */
import { describe, expect, it } from 'vitest';
import { signTicket, verifyTicket } from '../../sdk/src/lobby/ticket.js';

const secret = 'host-secret-0123456789';
const code = 'K7M2QX';
const peer = 'peer-abc';
const now = 1_700_000_000_000;
const expiry = now + 60_000;

describe('tickets', () => {
  const ticket = signTicket(secret, code, peer, expiry);

  it('has the documented shape: <expiry>.<base64url mac>', () => {
    expect(ticket).toMatch(/^\d+\.[A-Za-z0-9_-]{43}$/);
    expect(ticket.startsWith(`${expiry}.`)).toBe(true);
    expect(ticket.length).toBeLessThanOrEqual(128);
  });

  it('is deterministic for the same inputs', () => {
    expect(signTicket(secret, code, peer, expiry)).toBe(ticket);
  });

  it('verifies for the right secret, code and peer before expiry', () => {
    expect(verifyTicket(secret, code, peer, ticket, now)).toBe(true);
    expect(verifyTicket(secret, code, peer, ticket, expiry)).toBe(true); // valid up to and including expiry
  });

  it('refuses another peer id, lobby code or secret', () => {
    expect(verifyTicket(secret, code, 'peer-abd', ticket, now)).toBe(false);
    expect(verifyTicket(secret, 'K7M2QY', peer, ticket, now)).toBe(false);
    expect(verifyTicket(`${secret}x`, code, peer, ticket, now)).toBe(false);
  });

  it('refuses an expired ticket', () => {
    expect(verifyTicket(secret, code, peer, ticket, expiry + 1)).toBe(false);
    const old = signTicket(secret, code, peer, now - 1);
    expect(verifyTicket(secret, code, peer, old, now)).toBe(false);
  });

  it('refuses a tampered ticket', () => {
    const [exp, sig] = ticket.split('.') as [string, string];
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    expect(verifyTicket(secret, code, peer, `${Number(exp) + 1000}.${sig}`, now)).toBe(false); // extended expiry
    expect(verifyTicket(secret, code, peer, `${exp}.${flip(sig, 0)}`, now)).toBe(false);
    expect(verifyTicket(secret, code, peer, `${exp}.${flip(sig, sig.length - 1)}`, now)).toBe(false);
    expect(verifyTicket(secret, code, peer, `${exp}.${sig.slice(1)}`, now)).toBe(false);
    expect(verifyTicket(secret, code, peer, `${exp}.${sig}A`, now)).toBe(false);
    expect(verifyTicket(secret, code, peer, `${exp}.`, now)).toBe(false);
    expect(verifyTicket(secret, code, peer, `.${sig}`, now)).toBe(false);
    expect(verifyTicket(secret, code, peer, sig, now)).toBe(false);
    expect(verifyTicket(secret, code, peer, `0x${(Number(exp) + 1).toString(16)}.${sig}`, now)).toBe(false);
    expect(verifyTicket(secret, code, peer, `${exp}.0.${sig}`, now)).toBe(false);
  });

  it('refuses non-string tickets', () => {
    for (const bad of [undefined, null, 42, {}, [ticket], { toString: () => ticket }, new String(ticket)]) {
      expect(verifyTicket(secret, code, peer, bad, now)).toBe(false);
    }
  });

  it('refuses overlong tickets without hashing them', () => {
    expect(verifyTicket(secret, code, peer, `${ticket}${'A'.repeat(200)}`, now)).toBe(false);
    const started = performance.now();
    expect(verifyTicket(secret, code, peer, `${expiry}.${'A'.repeat(10_000_000)}`, now)).toBe(false);
    expect(performance.now() - started).toBeLessThan(50);
  });
});
