/**
 * Finds the hostmesh package root from this module's location, so the default `publicDir`
 * works both from source (server/src, run by vitest or tsx) and from the bundle (dist/server):
 * walk up from this file to the first package.json named "hostmesh".
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function here(): string {
  try {
    return dirname(fileURLToPath(import.meta.url));
  } catch {
    return process.cwd();
  }
}

function isHostmeshPackage(dir: string): boolean {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'hostmesh';
  } catch {
    return false;
  }
}

/** The hostmesh package root directory (falls back to two levels above this file). */
export function packageRoot(): string {
  const start = here();
  for (let dir = start; ; dir = dirname(dir)) {
    if (isHostmeshPackage(dir)) return dir;
    if (dirname(dir) === dir) return resolve(start, '..', '..');
  }
}
