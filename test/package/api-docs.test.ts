/**
 * The API reference (docs/api, typedoc + typedoc-plugin-markdown from the JSDoc): every public
 * export of every entry is documented (typedoc's validation fails the run otherwise), and the
 * committed pages are what the sources generate now. Fix either with `npm run docs:api`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/consumer-project.js';

const out = mkdtempSync(join(tmpdir(), 'hostmesh-api-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function files(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p); else found.set(relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return found;
}

describe('API reference', () => {
  it('documents every public export and matches docs/api (fix: npm run docs:api)', async () => {
    const typedoc = join(repoRoot, 'node_modules/typedoc/bin/typedoc');
    const run = await promisify(execFile)(process.execPath, [typedoc, '--out', out, '--logLevel', 'Warn'], { cwd: repoRoot })
      .then((r) => ({ ok: true, log: r.stdout + r.stderr }), (err: { stdout?: string; stderr?: string }) => ({ ok: false, log: `${err.stdout ?? ''}${err.stderr ?? ''}` }));
    expect(run.log.trim(), 'typedoc warnings (an undocumented export?)').toBe('');
    expect(run.ok).toBe(true);
    const fresh = files(out);
    const committed = files(join(repoRoot, 'docs/api'));
    expect([...committed.keys()].sort()).toEqual([...fresh.keys()].sort());
    const stale = [...fresh].filter(([path, text]) => committed.get(path) !== text).map(([path]) => path);
    expect(stale).toEqual([]);
  }, 60_000);
});
