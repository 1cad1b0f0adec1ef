// Installs npm dependencies when they are missing or older than package-lock.json, so that
// `npm start` and `npm test` work on a fresh clone with no separate install step.
import { existsSync, statSync } from 'node:fs';
import { execSync } from 'node:child_process';

const lock = 'package-lock.json';
const marker = 'node_modules/.package-lock.json';
const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs);
if (stale) {
  console.log('[hostmesh] installing npm dependencies (first run) ...');
  // `npm install`, not `npm ci`: it follows package-lock.json too, and does not refuse a lock
  // whose optional per-platform packages (e.g. msgpackr-extract for darwin) a mirror left out.
  execSync('npm install --no-audit --no-fund', { stdio: 'inherit' });
}
