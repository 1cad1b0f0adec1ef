/**
 * `checkIceSignal` (sdk/src/wire/ice-signal.ts), the one check the server and the peers both run on
 * the ICE-restart envelope: total on any input (20,000 random values and mutations of valid
 * envelopes never throw), exact on the edges (generation bounds, SDP and candidate sizes), and
 * what it returns holds only the known fields.
 */
import { describe, expect, it } from 'vitest';
import { checkIceSignal, MAX_ICE_GEN, MAX_ICE_SDP_CHARS } from '../../sdk/src/wire/ice-signal.js';
import { rng } from '../helpers/rng.js';

const valid = [
  { connectionId: 'dc_1', gen: 0, kind: 'request' },
  { connectionId: 'dc_1', gen: 3, kind: 'offer', sdp: 'v=0' },
  { connectionId: 'dc_1', gen: 3, kind: 'answer', sdp: 'v=0' },
  { connectionId: 'dc_1', gen: 3, kind: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 10.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 } },
];

function randomValue(next: () => number, depth = 0): unknown {
  const r = next();
  if (depth > 3 || r < 0.3) return [null, undefined, true, 0, -1, 1.5, 2 ** 31, NaN, '', 'offer', 'x'.repeat(40_000)][Math.floor(next() * 11)];
  if (r < 0.5) return Array.from({ length: Math.floor(next() * 3) }, () => randomValue(next, depth + 1));
  const keys = ['connectionId', 'gen', 'kind', 'sdp', 'candidate', 'sdpMid', 'sdpMLineIndex', '__proto__', 'extra'];
  return Object.fromEntries(keys.filter(() => next() < 0.5).map((k) => [k, randomValue(next, depth + 1)]));
}

describe('checkIceSignal', () => {
  it('accepts what peers send and rebuilds it from the known fields only', () => {
    for (const v of valid) expect(checkIceSignal({ ...v, extra: { deep: 1 } })).toEqual(v.kind === 'candidate' ? v : { ...v });
  });

  it('is exact on the edges', () => {
    const offer = (o: Record<string, unknown>) => checkIceSignal({ connectionId: 'dc_1', gen: 1, kind: 'offer', sdp: 'v=0', ...o });
    expect(offer({ gen: MAX_ICE_GEN })).toBeDefined();
    expect(offer({ gen: MAX_ICE_GEN + 1 })).toBeUndefined();
    expect(offer({ gen: -1 })).toBeUndefined();
    expect(offer({ sdp: 'x'.repeat(MAX_ICE_SDP_CHARS) })).toBeDefined();
    expect(offer({ sdp: 'x'.repeat(MAX_ICE_SDP_CHARS + 1) })).toBeUndefined();
    expect(offer({ sdp: '' })).toBeUndefined();
    expect(offer({ connectionId: 'a'.repeat(65) })).toBeUndefined();
    const cand = (c: unknown) => checkIceSignal({ connectionId: 'dc_1', gen: 1, kind: 'candidate', candidate: c });
    expect(cand({ candidate: 'x'.repeat(1024) })).toBeDefined();
    expect(cand({ candidate: 'x'.repeat(1025) })).toBeUndefined();
    expect(cand({ candidate: 'c', sdpMLineIndex: 64 })).toBeUndefined();
    expect(cand({ candidate: 'c', sdpMid: 7 })).toBeUndefined();
  });

  it('is total: random values and mutated envelopes give a verdict, never a throw', () => {
    const next = rng(12);
    for (let i = 0; i < 20_000; i++) {
      const input = i % 2 === 0 ? randomValue(next) : { ...valid[i % valid.length], ...(randomValue(next) as object) };
      const out = checkIceSignal(input);
      if (out !== undefined) expect(Object.keys(out).every((k) => ['connectionId', 'gen', 'kind', 'sdp', 'candidate'].includes(k))).toBe(true);
    }
  });
});
