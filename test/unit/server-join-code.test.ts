import { describe, expect, it } from 'vitest';
import { generateJoinCode, JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH, normalizeCode } from '../../server/src/lobbies/join-code.js';

describe('join codes', () => {
  it('uses Crockford base32 without I, L, O, U', () => {
    expect(JOIN_CODE_ALPHABET).toHaveLength(32);
    for (const ch of 'ILOU') expect(JOIN_CODE_ALPHABET).not.toContain(ch);
    expect(new Set(JOIN_CODE_ALPHABET).size).toBe(32);
  });

  it('generates 8-character codes from the alphabet, spread over it', () => {
    const seen = new Set<string>();
    const chars = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const code = generateJoinCode();
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
      expect(code).toHaveLength(JOIN_CODE_LENGTH);
      seen.add(code);
      for (const ch of code) chars.add(ch);
    }
    expect(seen.size).toBeGreaterThan(1990);
    expect(chars.size).toBe(32);
  });

  it('normalizes what people type', () => {
    expect(normalizeCode('k7m2qx4r')).toBe('K7M2QX4R');
    expect(normalizeCode(' K7M2-QX4R ')).toBe('K7M2QX4R');
    expect(normalizeCode('k7m2 qx4r')).toBe('K7M2QX4R');
    expect(normalizeCode('O0IlL1ab')).toBe('001111AB');
    expect(normalizeCode('ab-cd-ef-gh')).toBe('ABCDEFGH');
    expect(normalizeCode('k7m2qx', 6)).toBe('K7M2QX');
  });

  it('returns null for anything that cannot be a code', () => {
    for (const bad of ['', 'K7M2QX4', 'K7M2QX4RR', 'K7M2QX4U', 'K7M2QX4!', 'K7M2QX4\u00e9', 'K7M2QX', null, undefined, 123456, {}, 'x'.repeat(1000)]) {
      expect(normalizeCode(bad)).toBeNull();
    }
  });

  it('round-trips generated codes', () => {
    for (let i = 0; i < 100; i++) {
      const code = generateJoinCode();
      expect(normalizeCode(code.toLowerCase())).toBe(code);
    }
  });
});
