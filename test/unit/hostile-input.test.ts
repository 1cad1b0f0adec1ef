/**
 * The pure guards against hostile peers: the plain-msgpack check, inbound rate budgets, the
 * signaling message check, the host's admission table, and player names.
 */
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { InboundBudget, budgetDefaults } from '../../sdk/src/link/rate-budget.js';
import { checkSignal } from '../../sdk/src/link/signal-guard.js';
import { signTicket } from '../../sdk/src/lobby/ticket.js';
import { Admission, MAX_BANS } from '../../sdk/src/session/admission.js';
import { cleanPlayerName, uniquePlayerName } from '../../sdk/src/session/players.js';
import { checkSendable } from '../../sdk/src/wire/codec.js';
import { MAX_BODY_DEPTH, checkPlainMsgpack } from '../../sdk/src/wire/msgpack-guard.js';

const plain = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true });
const cloning = new Packr({ structuredClone: true });
const passes = (bytes: Uint8Array) => { try { checkPlainMsgpack(bytes); return true; } catch { return false; } };

describe('checkPlainMsgpack', () => {
  it('accepts every plain value msgpackr writes, including undefined and dates', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 8 }), (v) => passes(plain.pack(v))), { seed: 1, numRuns: 500 });
    for (const v of [undefined, { a: undefined }, new Date(0), new Date(2 ** 40), new Uint8Array(300), 2n ** 60n, -1.5, 'é'.repeat(70_000)]) {
      expect(passes(plain.pack(v))).toBe(true);
    }
  });

  it('refuses msgpackr extensions: cycles, shared references, records, errors', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const shared = { s: 'x' };
    expect(passes(cloning.pack(cycle))).toBe(false);
    expect(passes(cloning.pack([shared, shared]))).toBe(false);
    expect(passes(new Packr({ useRecords: true }).pack([{ a: 1 }, { a: 2 }]))).toBe(false);
    expect(passes(new Packr({ moreTypes: true }).pack(new Error('x')))).toBe(false);
    expect(passes(Uint8Array.of(0xd4, 0x01, 0x00))).toBe(false); // fixext 1 of another type
    expect(passes(Uint8Array.of(0xc1))).toBe(false);
  });

  it('caps depth at MAX_BODY_DEPTH and refuses lengths the bytes cannot hold', () => {
    const nested = (n: number) => { let v: unknown = 1; for (let i = 0; i < n; i++) v = [v]; return plain.pack(v); };
    expect(passes(nested(MAX_BODY_DEPTH))).toBe(true);
    expect(passes(nested(MAX_BODY_DEPTH + 1))).toBe(false);
    expect(passes(Uint8Array.of(0xdd, 0xff, 0xff, 0xff, 0xff))).toBe(false); // a 4-billion-element array in 5 bytes
    expect(passes(Uint8Array.of(0xdb, 0x00, 0x00, 0x10, 0x00, 0x61))).toBe(false); // a 4 KiB string in 1 byte
    expect(passes(Uint8Array.of(0x92, 0x01))).toBe(false); // truncated
    expect(passes(Uint8Array.of(0x01, 0x02))).toBe(false); // trailing bytes
  });

  it('any input: one pass that either accepts or throws DECODE_FAILED, and what it accepts msgpackr decodes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      let ok = false;
      try { checkPlainMsgpack(bytes); ok = true; } catch (err) { expect((err as { code?: string }).code).toBe('DECODE_FAILED'); }
      if (ok) plain.unpack(bytes);
    }), { seed: 2, numRuns: 20_000 });
  });

  it('checkSendable names what cannot be sent', () => {
    expect(() => checkSendable({ s: Symbol('x') }, "send('x'): the data")).toThrow(/send\('x'\): the data cannot be encoded/);
    expect(() => checkSendable(2n ** 70n, 'the input')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = { d: deep };
    expect(() => checkSendable(deep, 'the input')).toThrow(/the input would be refused by the other players \(nested deeper than 32\)/);
    expect(() => checkSendable({ ok: [1, 'two', null, new Uint8Array(3)] }, 'x')).not.toThrow();
  });
});

describe('InboundBudget', () => {
  const budgets = { reliable: { messagesPerSec: 100, bytesPerSec: 10_000 }, unreliable: { messagesPerSec: 50, bytesPerSec: 5000 }, floodGraceMs: 500 };

  it('passes an honest rate and a one-second burst, refuses past it', () => {
    const b = new InboundBudget(budgets, 0);
    let accepted = 0;
    for (let i = 0; i < 150; i++) if (b.admit(true, 10, 0)) accepted++;
    expect(accepted).toBe(100);
    expect(b.refused).toBe(50);
    const steady = new InboundBudget(budgets, 0);
    for (let t = 0; t < 10_000; t += 20) expect(steady.admit(true, 10, t)).toBe(true); // 50/s, under 100/s
    expect(steady.floodDetected(10_000)).toBe(false);
  });

  it('counts bytes as well as messages, per channel', () => {
    const b = new InboundBudget(budgets, 0);
    expect(b.admit(false, 4000, 0)).toBe(true);
    expect(b.admit(false, 4000, 0)).toBe(false);
    expect(b.admit(true, 4000, 0)).toBe(true); // the other channel has its own buckets
  });

  it('reports a flood once, after the grace period of continuous refusals, and not for a short burst', () => {
    const burst = new InboundBudget(budgets, 0);
    for (let i = 0; i < 200; i++) burst.admit(true, 1, 0);
    expect(burst.floodDetected(100)).toBe(false);
    const floodAt = (perSec: number) => {
      const b = new InboundBudget(budgets, 0);
      for (let t = 0; t <= 3000; t += 1) {
        const n = Math.floor(((t + 1) * perSec) / 1000) - Math.floor((t * perSec) / 1000);
        for (let i = 0; i < n; i++) b.admit(true, 1, t);
        if (b.floodDetected(t)) { expect(b.floodDetected(t + 1)).toBe(false); return t; } // reported once
      }
      return -1;
    };
    // Twice the budget (200/s against 100/s): a flood once the grace period (500 ms) has passed.
    const moderate = floodAt(200);
    expect(moderate).toBeGreaterThanOrEqual(500);
    expect(moderate).toBeLessThan(1600); // after the one-second burst runs out, then the grace
    // Fifty times the budget: four seconds' worth refused in a few hundred ms is a flood at once.
    const heavy = floodAt(5000);
    expect(heavy).toBeGreaterThan(0);
    expect(heavy).toBeLessThan(200);
  });

  it('defaults leave room for an honest player at 60 Hz on both channels', () => {
    const b = new InboundBudget(budgetDefaults, 0);
    for (let t = 0; t < 5000; t += 1000 / 60) {
      expect(b.admit(false, 60, t)).toBe(true); // input
      expect(b.admit(false, 12, t)).toBe(true); // ack
      expect(b.admit(true, 200, t)).toBe(true); // a reliable game event every frame
    }
  });
});

describe('checkSignal', () => {
  const sdp = { type: 'offer', sdp: 'v=0' };
  const offer = (payload: unknown, src: unknown = 'peerA') => ({ type: 'OFFER', src, dst: 'me', payload });

  it('passes server messages and the relayed shapes hostmesh peers send', () => {
    expect(checkSignal({ type: 'OPEN' })).toBe('server');
    expect(checkSignal({ type: 'EXPIRE', src: 'x' })).toBe('server');
    expect(checkSignal(offer({ type: 'data', connectionId: 'dc_1', serialization: 'raw', sdp, metadata: { kind: 'join' } }))).toMatchObject({ type: 'OFFER', src: 'peerA', metadata: { kind: 'join' } });
    expect(checkSignal({ type: 'ANSWER', src: 'p', payload: { connectionId: 'dc_1', sdp: { type: 'answer', sdp: 'v=0' }, type: 'data' } })).toMatchObject({ type: 'ANSWER' });
    expect(checkSignal({ type: 'CANDIDATE', src: 'p', payload: { connectionId: 'dc_1', candidate: { candidate: 'c', sdpMid: '0', sdpMLineIndex: 0 } } })).toMatchObject({ type: 'CANDIDATE', media: false });
    // Voice: a media call's offer, answer and candidates pass, marked as media (they go to the side gate).
    expect(checkSignal(offer({ type: 'media', connectionId: 'mc_1', sdp, metadata: { kind: 'voice' } }))).toMatchObject({ type: 'OFFER', media: true, metadata: { kind: 'voice' } });
    expect(checkSignal({ type: 'ANSWER', src: 'p', payload: { connectionId: 'mc_1', sdp: { type: 'answer', sdp: 'v=0' }, type: 'media' } })).toMatchObject({ type: 'ANSWER', media: true });
  });

  it('drops every shape PeerJS would choke on', () => {
    for (const bad of [
      null, 5, 'OFFER', { type: 7 },
      offer({ type: 'data', connectionId: 'dc_1', serialization: 'json', sdp }),
      offer({ type: 'video', connectionId: 'dc_1', sdp }),
      offer({ type: 'media', connectionId: 'dc_1', sdp: { type: 'offer', sdp: 7 } }),
      { type: 'ANSWER', src: 'p', payload: { connectionId: 'mc_1', sdp: { type: 'answer', sdp: 'v=0' }, type: 'screen' } },
      offer({ type: 'data', connectionId: 'dc_1', serialization: 'raw', sdp: 5 }),
      offer({ type: 'data', connectionId: 'dc_1', serialization: 'raw', sdp: { type: 'offer', sdp: 'x'.repeat(40_000) } }),
      offer({ type: 'data', connectionId: { a: 1 }, serialization: 'raw', sdp }),
      offer({ type: 'data', connectionId: 'dc_1', serialization: 'raw', sdp }, 'x'.repeat(65)),
      offer(null), offer([]),
      { type: 'CANDIDATE', src: 'p', payload: { connectionId: 'dc_1', candidate: { candidate: 5 } } },
      { type: 'CANDIDATE', src: 'p', payload: { connectionId: 'dc_1', candidate: { candidate: 'c', sdpMLineIndex: -1 } } },
      { type: 'ANSWER', src: 'p', payload: { connectionId: 'dc_1', sdp: { type: 'offer', sdp: 'v=0' } } },
    ]) expect(checkSignal(bad)).toBeUndefined();
  });
});

describe('Admission', () => {
  it('a ticket admits its own id once; bans hold and stay bounded', () => {
    let now = 1000;
    const door = new Admission('secret', 'CODE01', () => now);
    const t = signTicket('secret', 'CODE01', 'p1', 61_000);
    expect(door.ticketValid('p1', t)).toBe(true);
    expect(door.ticketValid('p2', t)).toBe(false);
    door.consume(t);
    expect(door.ticketValid('p1', t)).toBe(false);
    now = 70_000;
    expect(door.ticketValid('p1', signTicket('secret', 'CODE01', 'p1', 61_000))).toBe(false); // expired
    door.ban('p1', 'spam');
    expect(door.isBanned('p1')).toBe(true);
    for (let i = 0; i < MAX_BANS + 10; i++) door.ban(`x${i}`, 'r');
    expect(door.banned()).toHaveLength(MAX_BANS);
    expect(door.isBanned('p1')).toBe(false); // the oldest gave way
    door.unban('x20');
    expect(door.isBanned('x20')).toBe(false);
  });
});

describe('player names', () => {
  it('strips control, zero-width and bidi-override characters', () => {
    expect(cleanPlayerName('A\u202eB\u200bC\u0085D\u0007', 'F')).toBe('ABCD');
    expect(cleanPlayerName('\u200b\u2066', 'Fallback')).toBe('Fallback');
    expect(cleanPlayerName('x'.repeat(500), 'F')).toHaveLength(32);
  });

  it('makes a name unique, case-insensitively, within the length cap', () => {
    expect(uniquePlayerName('Ann', ['ann'])).toBe('Ann (2)');
    expect(uniquePlayerName('Ann', ['Ann', 'Ann (2)'])).toBe('Ann (3)');
    expect(uniquePlayerName('Bob', ['Ann'])).toBe('Bob');
    expect(uniquePlayerName('y'.repeat(32), ['y'.repeat(32)])).toHaveLength(32);
  });
});
