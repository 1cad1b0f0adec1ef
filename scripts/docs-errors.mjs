// Writes the README's error table from sdk/src/core/errors.ts (between the errors:start and
// errors:end markers), so the list cannot fall behind the codes. `npm run docs:errors`;
// test/unit/readme-errors.test.ts fails when the README and errors.ts disagree.
import { readFileSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

/** The README table for `advice` (code -> sentence). */
export function errorTable(advice) {
  const rows = Object.entries(advice).map(([code, text]) => `| \`${code}\` | ${text.replaceAll('|', '\\|')} |`);
  return ['| code | what it means, what to do |', '|---|---|', ...rows].join('\n');
}

/** `readme` with the table between the markers replaced by `table`. */
export function withErrorTable(readme, table) {
  const re = /(<!-- errors:start[^>]*-->\n)[\s\S]*?(<!-- errors:end -->)/;
  if (!re.test(readme)) throw new Error('README.md has no <!-- errors:start --> ... <!-- errors:end --> markers');
  return readme.replace(re, (_, start, end) => `${start}${table}\n${end}`);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const out = await build({ entryPoints: ['sdk/src/core/errors.ts'], bundle: true, format: 'esm', write: false, logLevel: 'silent' });
  const { ErrorAdvice } = await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
  const readme = readFileSync('README.md', 'utf8');
  const next = withErrorTable(readme, errorTable(ErrorAdvice));
  if (next !== readme) writeFileSync('README.md', next);
  console.log(`[hostmesh] README error table: ${Object.keys(ErrorAdvice).length} codes${next === readme ? ' (unchanged)' : ' (updated)'}`);
}
