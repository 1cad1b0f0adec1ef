import { describe, expect, it } from 'vitest';
import { ApiError } from '../../server/src/http/api-error.js';
import { parseCreateLobby, parseJoinLobby, parseMeta, parseUpdateLobby } from '../../server/src/lobbies/lobby-validation.js';
import { generatePeerId, isValidPeerId, isValidPeerToken } from '../../server/src/signaling/peer-id.js';
import { checkSignalingFrame } from '../../server/src/signaling/signaling-frames.js';

const valid = { name: '  Arena ', maxPlayers: 8, public: true, hostPeerId: 'host_1-a', hostPeerToken: 'tok_1' };

function badRequest(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    const e = err as ApiError;
    expect(e.status).toBe(400);
    expect(e.code).toBe('BAD_REQUEST');
    expect(e.message.length).toBeGreaterThan(10);
    return e.message;
  }
  throw new Error('expected a BAD_REQUEST');
}

describe('lobby input validation', () => {
  it('accepts and normalizes a valid create body', () => {
    expect(parseCreateLobby(valid, 64)).toEqual({
      name: 'Arena', maxPlayers: 8, maxSpectators: 16, public: true, password: null, meta: {}, hostPeerId: 'host_1-a', hostPeerToken: 'tok_1',
    });
    expect(parseCreateLobby({ ...valid, maxSpectators: 0 }, 64).maxSpectators).toBe(0);
    expect(badRequest(() => parseCreateLobby({ ...valid, maxSpectators: 65 }, 64))).toMatch(/"maxSpectators"/);
    const withAll = parseCreateLobby({ ...valid, password: 'pw', meta: { mode: 'ctf', round: 3, ranked: false } }, 64);
    expect(withAll.password).toBe('pw');
    expect(withAll.meta).toEqual({ mode: 'ctf', round: 3, ranked: false });
    expect(parseCreateLobby({ ...valid, password: '' }, 64).password).toBeNull();
  });

  it('refuses bad create bodies with a message naming the field', () => {
    expect(badRequest(() => parseCreateLobby(null, 64))).toMatch(/JSON object/);
    expect(badRequest(() => parseCreateLobby([valid], 64))).toMatch(/JSON object/);
    expect(badRequest(() => parseCreateLobby({ ...valid, name: '   ' }, 64))).toMatch(/"name"/);
    expect(badRequest(() => parseCreateLobby({ ...valid, name: 'x'.repeat(41) }, 64))).toMatch(/"name"/);
    expect(parseCreateLobby({ ...valid, name: 'a\u0000b\u202E\u200D' }, 64).name).toBe('ab');
    expect(badRequest(() => parseCreateLobby({ ...valid, name: '\u202E\u200B\u0085' }, 64))).toMatch(/"name"/);
    expect(badRequest(() => parseCreateLobby({ ...valid, hostPeerToken: undefined }, 64))).toMatch(/"hostPeerToken"/);
    expect(badRequest(() => parseCreateLobby({ ...valid, hostPeerToken: 'a b' }, 64))).toMatch(/"hostPeerToken"/);
    expect(badRequest(() => parseCreateLobby({ ...valid, meta: { m: 'x\u202Ey' } }, 64))).toMatch(/"meta/);
    expect(badRequest(() => parseCreateLobby({ ...valid, name: 5 }, 64))).toMatch(/"name"/);
    for (const maxPlayers of [1, 65, 2.5, '8', null, Number.NaN]) {
      expect(badRequest(() => parseCreateLobby({ ...valid, maxPlayers }, 64))).toMatch(/"maxPlayers"/);
    }
    expect(parseCreateLobby({ ...valid, maxPlayers: 64 }, 64).maxPlayers).toBe(64);
    expect(badRequest(() => parseCreateLobby({ ...valid, public: 'yes' }, 64))).toMatch(/"public"/);
    expect(badRequest(() => parseCreateLobby({ ...valid, password: 'x'.repeat(65) }, 64))).toMatch(/"password"/);
    expect(badRequest(() => parseCreateLobby({ ...valid, password: 12 }, 64))).toMatch(/"password"/);
    expect(badRequest(() => parseCreateLobby({ ...valid, hostPeerId: 'a b' }, 64))).toMatch(/"hostPeerId"/);
    expect(badRequest(() => parseCreateLobby({ ...valid, hostPeerId: 'x'.repeat(65) }, 64))).toMatch(/"hostPeerId"/);
    expect(badRequest(() => parseCreateLobby({ ...valid, hostPeerId: undefined }, 64))).toMatch(/"hostPeerId"/);
  });

  it('limits meta to a small flat object', () => {
    expect(parseMeta(undefined)).toEqual({});
    expect(badRequest(() => parseMeta([]))).toMatch(/flat JSON object/);
    expect(badRequest(() => parseMeta({ a: { nested: 1 } }))).toMatch(/meta\.a/);
    expect(badRequest(() => parseMeta({ a: null }))).toMatch(/meta\.a/);
    expect(badRequest(() => parseMeta({ a: 'x'.repeat(65) }))).toMatch(/meta\.a/);
    expect(badRequest(() => parseMeta(Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, i]))))).toMatch(/16 keys/);
    const big = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`key${i}`, 'y'.repeat(64)]));
    expect(badRequest(() => parseMeta(big))).toMatch(/1024 bytes/);
    expect(badRequest(() => parseMeta({ ['k'.repeat(33)]: 1 }))).toMatch(/keys/);
    const proto = parseMeta(JSON.parse('{"__proto__": "x", "a": 1}'));
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.hasOwn(proto, '__proto__')).toBe(true);
  });

  it('validates join and update bodies', () => {
    expect(parseJoinLobby({ peerId: 'bob' })).toEqual({ peerId: 'bob', password: null, spectator: false });
    expect(parseJoinLobby({ peerId: 'bob', password: 'pw', spectator: true })).toEqual({ peerId: 'bob', password: 'pw', spectator: true });
    expect(badRequest(() => parseJoinLobby({ peerId: 'bob', spectator: 'yes' }))).toMatch(/"spectator"/);
    expect(badRequest(() => parseJoinLobby({}))).toMatch(/"peerId"/);
    expect(badRequest(() => parseJoinLobby('bob'))).toMatch(/JSON object/);
    expect(parseUpdateLobby({ players: 3, open: false, name: 'New', meta: { a: 1 } }, 4))
      .toEqual({ players: 3, open: false, name: 'New', meta: { a: 1 } });
    expect(parseUpdateLobby({}, 4)).toEqual({});
    expect(badRequest(() => parseUpdateLobby({ players: 5 }, 4))).toMatch(/"players"/);
    expect(badRequest(() => parseUpdateLobby({ players: -1 }, 4))).toMatch(/"players"/);
    expect(badRequest(() => parseUpdateLobby({ open: 1 }, 4))).toMatch(/"open"/);
    expect(parseUpdateLobby({ spectators: 2 }, 4, 2)).toEqual({ spectators: 2 });
    expect(badRequest(() => parseUpdateLobby({ spectators: 3 }, 4, 2))).toMatch(/"spectators"/);
  });
});

describe('peer ids and tokens', () => {
  it('accepts [A-Za-z0-9_-] up to 64 characters', () => {
    expect(isValidPeerId('abc_DEF-123')).toBe(true);
    expect(isValidPeerId('x'.repeat(64))).toBe(true);
    for (const bad of ['', 'x'.repeat(65), 'a b', 'a/b', 'a.b', 'é', null, 5]) expect(isValidPeerId(bad)).toBe(false);
    expect(isValidPeerToken('t'.repeat(128))).toBe(true);
    expect(isValidPeerToken('t'.repeat(129))).toBe(false);
  });

  it('generates CSPRNG ids that pass its own and PeerJS\'s checks', () => {
    const ids = new Set(Array.from({ length: 100 }, generatePeerId));
    expect(ids.size).toBe(100);
    for (const id of ids) {
      expect(isValidPeerId(id)).toBe(true);
      expect(id).toMatch(/^[A-Za-z0-9]+(?:[ _-][A-Za-z0-9]+)*$/);
    }
  });
});

describe('signaling frame filter', () => {
  const text = (s: string) => Buffer.from(s);

  it('refuses what would crash or confuse peer', () => {
    for (const bad of ['null', '5', '"str"', '[]', '{"type":', '', 'true', '{"type":"NOPE","dst":"a"}', '{"dst":"a"}',
      '{"type":"EXPIRE","dst":"a"}', '{"type":"OFFER"}', '{"type":"OFFER","dst":{"x":1}}', '{"type":"LEAVE"}', '{"type":"CANDIDATE","dst":"a b"}']) {
      const verdict = checkSignalingFrame(text(bad), false);
      expect(verdict.ok, bad).toBe(false);
    }
    expect(checkSignalingFrame(text('{"type":"HEARTBEAT"}'), true).ok).toBe(false);
  });

  it('forwards exactly type, dst and payload of client messages', () => {
    const verdict = checkSignalingFrame(text('{"type":"OFFER","dst":"bob","payload":{"sdp":"x"},"src":"spoof","extra":1}'), false);
    expect(verdict).toEqual({ ok: true, text: '{"type":"OFFER","dst":"bob","payload":{"sdp":"x"}}', dst: 'bob' });
    expect(checkSignalingFrame(text('{"type":"HEARTBEAT","junk":[1]}'), false)).toEqual({ ok: true, text: '{"type":"HEARTBEAT"}', dst: null });
    expect(checkSignalingFrame([text('{"type":"LEAVE",'), text('"dst":"bob"}')], false).ok).toBe(true);
  });
});
