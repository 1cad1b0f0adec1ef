import { describe, expect, it } from 'vitest';
import { addressKey } from '../../server/src/http/client-ip.js';
import { FairShare } from '../../server/src/limits/fair-share.js';
import { TokenBucket } from '../../server/src/limits/token-bucket.js';
import { RateLimiter } from '../../server/src/limits/rate-limiter.js';
import { cleanDisplayText, isShowable } from '../../server/src/lobbies/lobby-validation.js';
import { parseConnectQuery } from '../../server/src/signaling/connect-query.js';
import { nestsDeeperThan } from '../../server/src/signaling/json-depth.js';
import { checkSignalingFrame, MAX_FRAME_DEPTH } from '../../server/src/signaling/signaling-frames.js';
import { UndeliveredLedger } from '../../server/src/signaling/undelivered.js';

const frame = (text: string) => checkSignalingFrame(Buffer.from(text), false);

describe('frame depth', () => {
  it('measures nesting outside strings without recursion', () => {
    expect(nestsDeeperThan('{"a":[1,{"b":2}]}', 3)).toBe(false);
    expect(nestsDeeperThan('{"a":[1,{"b":2}]}', 2)).toBe(true);
    expect(nestsDeeperThan('{"a":"[[[[[[[[[[{{{{{{"}', 1)).toBe(false);
    expect(nestsDeeperThan('{"a":"\\"[[[[["}', 1)).toBe(false);
    expect(nestsDeeperThan('['.repeat(1_000_000), 16)).toBe(true);
  });

  it('refuses a 6,000-deep frame in payload or in type, accepts a PeerJS OFFER', () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    for (const text of [`{"type":"OFFER","dst":"abc","payload":${deep(6000)}}`, `{"type":${deep(6000)}}`, `{"type":"OFFER","dst":"abc","payload":${deep(MAX_FRAME_DEPTH)}}`]) {
      const verdict = frame(text);
      expect(verdict.ok).toBe(false);
      if (!verdict.ok) expect(verdict.reason).toMatch(/deeper than 16/);
    }
    const offer = { type: 'OFFER', dst: 'abc', payload: { sdp: { type: 'offer', sdp: 'v=0' }, type: 'data', connectionId: 'dc_1', label: 'x', serialization: 'raw', reliable: true, metadata: { kind: 'join' } } };
    expect(frame(JSON.stringify(offer))).toEqual({ ok: true, text: JSON.stringify(offer), dst: 'abc' });
    expect(frame(`{"type":"OFFER","dst":"abc","payload":${deep(MAX_FRAME_DEPTH - 1)}}`).ok).toBe(true);
  });

  it('names the dst it forwards to, none for heartbeats', () => {
    expect(frame('{"type":"HEARTBEAT","x":[[[[1]]]]}')).toEqual({ ok: true, text: '{"type":"HEARTBEAT"}', dst: null });
    const v = frame('{"type":"CANDIDATE","dst":"b-1","payload":1,"src":"spoof"}');
    expect(v).toEqual({ ok: true, text: '{"type":"CANDIDATE","dst":"b-1","payload":1}', dst: 'b-1' });
  });
});

describe('connect query', () => {
  const q = (s: string) => parseConnectQuery(`/peerjs/peerjs?${s}`);
  it('takes one key, id and token with their patterns', () => {
    expect(q('key=hostmesh&id=abc&token=t1&version=1.5.5')).toEqual({ ok: true, key: 'hostmesh', id: 'abc', token: 't1' });
  });
  it('refuses duplicates (peer reads the last, URLSearchParams.get the first), missing and malformed parts', () => {
    for (const bad of ['key=k&id=decoy&token=T&id=X', 'key=k&id=a&token=T&token=U', 'key=k&key=k&id=a&token=t', 'key=k&id=a', 'id=a&token=t',
      'key=k&id=a%20b&token=t', `key=k&id=${'x'.repeat(65)}&token=t`, 'key=k&id=%3Cb%3E&token=t', 'key=k&id=a&token=t!', 'a=1&b=2&c=3&d=4&e=5&f=6&g=7&key=k&id=a&token=t']) {
      const v = q(bad);
      expect(v.ok, bad).toBe(false);
    }
    expect(parseConnectQuery(undefined).ok).toBe(false);
    expect(parseConnectQuery(`/p?key=k&id=a&token=${'t'.repeat(2000)}`).ok).toBe(false);
  });
});

describe('undelivered ledger', () => {
  it('caps bytes per id, messages per id and bytes in all; frees on delivery and after holdMs', () => {
    let now = 0;
    const l = new UndeliveredLedger({ maxBytes: 1000, maxBytesPerId: 300, maxMessagesPerId: 3, holdMs: 7000 }, () => now);
    expect(l.admit('a', 200)).toBe(true);
    expect(l.admit('a', 200)).toBe(false);
    expect(l.admit('a', 50)).toBe(true);
    expect(l.admit('a', 10)).toBe(true);
    expect(l.admit('a', 10)).toBe(false);
    for (const id of ['b', 'c', 'd']) expect(l.admit(id, 240)).toBe(true);
    expect(l.bytes).toBe(980);
    expect(l.admit('e', 100)).toBe(false);
    l.delivered('a');
    expect(l.admit('e', 100)).toBe(true);
    now = 7000;
    expect(l.bytes).toBe(0);
  });
});

describe('FairShare', () => {
  it('tracks the heaviest key and picks the victim only from a key holding more than the newcomer', () => {
    const f = new FairShare<string, number>();
    f.add('a', 1); f.add('a', 2); f.add('a', 3); f.add('b', 4);
    expect(f.heaviest()).toEqual({ key: 'a', count: 3 });
    expect(f.victimFor('c')).toEqual({ key: 'a', item: 1 });
    expect(f.victimFor('a')).toBeUndefined();
    f.remove('a', 1); f.remove('a', 2);
    expect(f.heaviest()?.count).toBe(1);
    expect(f.victimFor('b')).toBeUndefined();
    expect(f.size).toBe(2);
    f.remove('a', 3); f.remove('b', 4);
    expect(f.heaviest()).toBeUndefined();
    expect(f.keys).toBe(0);
  });
});

describe('budgets', () => {
  it('TokenBucket refills continuously up to its size', () => {
    let now = 0;
    const b = new TokenBucket(100, 10, () => now);
    expect(b.take(100)).toBe(true);
    expect(b.take(1)).toBe(false);
    now = 500;
    expect(b.take(5)).toBe(true);
    expect(b.take(1)).toBe(false);
  });

  it('RateLimiter.check does not take; the key map stays bounded under many addresses', () => {
    let now = 0;
    const r = new RateLimiter(2, () => now, 1000);
    expect(r.check('a').ok).toBe(true);
    r.take('a'); r.take('a');
    expect(r.check('a').ok).toBe(false);
    for (let i = 0; i < 50_000; i++) r.take(`k${i}`);
    expect(r.size).toBeLessThanOrEqual(1000);
    now += 1;
  });
});

describe('addresses and names', () => {
  it('counts IPv6 by /64, IPv4 as is', () => {
    expect(addressKey('127.0.0.5')).toBe('127.0.0.5');
    expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe(addressKey('2001:db8:1:2:ffff::1'));
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });

  it('cleans control, bidi-override and zero-width characters out of display text', () => {
    expect(cleanDisplayText('  Ar\u202Eena\u200B \u0085 x\u0000y\u2066  ')).toBe('Arena xy');
    expect(cleanDisplayText('e\u0301')).toBe('\u00e9');
    expect(isShowable('Arena ✓')).toBe(true);
    expect(isShowable('a\u202Eb')).toBe(false);
    expect(isShowable('a\u009Fb')).toBe(false);
  });
});
