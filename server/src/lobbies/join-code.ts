/**
 * Join codes: six characters a human can read aloud and type, e.g. `K7M2QX`.
 *
 * The alphabet is Crockford's base32 (digits and letters without I, L, O, U), so a code never
 * holds two look-alike characters. Codes come from `crypto.randomInt` (a CSPRNG): 32^6, about
 * 1.07 billion codes, which the server's per-IP rate limits make impractical to enumerate.
 * `normalizeCode` forgives what people do when they retype a code: lower case, spaces,
 * dashes, and the letters O, I, L read as the digits 0, 1, 1.
 * See https://www.crockford.com/base32.html.
 */
import { randomInt } from 'node:crypto';

/** The 32 symbols a join code is made of. */
export const JOIN_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Length of a join code, characters. */
export const JOIN_CODE_LENGTH = 6;

/** A new random join code (uniqueness is the store's job: it refuses a code in use). */
export function generateJoinCode(): string {
  let code = '';
  for (let i = 0; i < JOIN_CODE_LENGTH; i++) code += JOIN_CODE_ALPHABET[randomInt(JOIN_CODE_ALPHABET.length)];
  return code;
}

/** The canonical form of a typed code, or null when it cannot be a join code. */
export function normalizeCode(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 32) return null;
  const code = input
    .toUpperCase()
    .replace(/[\s-]+/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (code.length !== JOIN_CODE_LENGTH) return null;
  for (const ch of code) if (!JOIN_CODE_ALPHABET.includes(ch)) return null;
  return code;
}
