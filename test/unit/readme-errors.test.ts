/** The README's error table lists exactly the codes of errors.ts, in order, with their advice. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorAdvice } from '../../sdk/src/core/errors.js';

describe('README error table', () => {
  it('agrees with ErrorAdvice (fix: npm run docs:errors)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = /<!-- errors:start[^>]*-->\n([\s\S]*?)<!-- errors:end -->/.exec(readme)?.[1] ?? '';
    const rows = [...section.matchAll(/^\| `([A-Z_]+)` \| (.*) \|$/gm)].map((m) => [m[1], m[2]?.replaceAll('\\|', '|')]);
    expect(rows).toEqual(Object.entries(ErrorAdvice));
  });
});
