/**
 * Run-time code generation for the snapshot codec's hot paths (layout.ts,
 * records.ts): one place that knows whether `new Function` is allowed here.
 *
 * Generated functions are specializations of general code that stays in place: a Content
 * Security Policy without 'unsafe-eval' makes `new Function` throw, and then every caller uses
 * the general path, with the same results. Generated source only ever embeds numbers and
 * JSON-quoted strings, never raw input.
 * Read more: msgpackr's record readers (same technique, same fallback).
 */

let enabled = probe();

function probe(): boolean {
  try {
    return new Function('return 1')() === 1;
  } catch {
    return false;
  }
}

/** True when generated code may be used. */
export function codegenEnabled(): boolean {
  return enabled;
}

/** Turns run-time compilation off (true) or back on where allowed (false); for tests of the general paths. */
export function disableCodegen(off: boolean): void {
  enabled = off ? false : probe();
}

/** Compiles `body` as a strict-mode function `name` (an identifier) of `params`, closing over `deps` (name to value). */
export function compileFunction<F>(name: string, deps: Readonly<Record<string, unknown>>, params: string, body: string): F {
  const names = Object.keys(deps);
  const make = new Function(...names, `'use strict';\nreturn function ${name}(${params}) {\n${body}};`) as (...args: unknown[]) => F;
  return make(...names.map((n) => deps[n]));
}

/** `s` as a JavaScript string literal. */
export const literal = (s: string): string => JSON.stringify(s);
