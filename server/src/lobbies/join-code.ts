/**
 * Join codes: characters a human can read aloud and type, e.g. `K7M2QX4R` (8 by default;
 * people may type them with dashes or spaces, e.g. `K7M2-QX4R`).
 *
 * The alphabet is Crockford's base32 (digits and letters without I, L, O, U), so a code never
 * holds two look-alike characters. Codes come from `crypto.randomInt` (a CSPRNG). Eight
 * characters give 32^8, about 1.1 * 10^12 codes: with the server's guess limits (per address
 * and global, see docs/server.md), 100 addresses against 10,000 live lobbies expect about
 * 0.0005 hits an hour; six characters (1.07 * 10^9) would give about 0.56.
 * `normalizeCode` forgives what people do when they retype a code: lower case, spaces,
 * dashes, and the letters O, I, L read as the digits 0, 1, 1.
 * See https://www.crockford.com/base32.html.
 */
import { randomInt } from 'node:crypto';

/** The 32 symbols a join code is made of. */
export const JOIN_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Default length of a join code, characters. */
export const JOIN_CODE_LENGTH = 8;

/** A new random join code of `length` characters (uniqueness is the store's job: it refuses a code in use). */
export function generateJoinCode(length: number = JOIN_CODE_LENGTH): string {
  let code = '';
  for (let i = 0; i < length; i++) code += JOIN_CODE_ALPHABET[randomInt(JOIN_CODE_ALPHABET.length)];
  return code;
}

/** The canonical form of a typed code of `length` characters, or null when it cannot be one. */
export function normalizeCode(input: unknown, length: number = JOIN_CODE_LENGTH): string | null {
  if (typeof input !== 'string' || input.length > 32) return null;
  const code = input
    .toUpperCase()
    .replace(/[\s-]+/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (code.length !== length) return null;
  for (const ch of code) if (!JOIN_CODE_ALPHABET.includes(ch)) return null;
  return code;
}
