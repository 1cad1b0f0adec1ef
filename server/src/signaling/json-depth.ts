/**
 * The nesting depth of a JSON text, measured without parsing it.
 *
 * `JSON.parse` itself copes with deep nesting, but everything after it that walks the value
 * recursively (`JSON.stringify`, structured clone, our own checks) overflows the stack: one
 * 12 KB frame nested 6,000 deep once killed the server with `RangeError: Maximum call stack
 * size exceeded`. This scan runs first, in one pass over the characters with no recursion and
 * no allocation, counting `{` and `[` outside strings.
 */

/** True when `text`, read as JSON, nests objects/arrays deeper than `maxDepth`. */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}
