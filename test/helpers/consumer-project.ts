/**
 * A fresh consumer project for the packed package: `npm pack` the repo, then install the tarball
 * into a temporary directory the way a user would, but offline. npm resolves versions only from a
 * lockfile or the registry, and a project installed from its lockfile never caches the registry's
 * version lists, so the consumer gets a lockfile holding every package of the repo's own lockfile
 * (same versions, same tarballs, already in the npm cache). npm installs only what the consumer's
 * dependencies need and drops the rest, so what lands in node_modules is what a user downloads.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, lstatSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root. */
export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** What `npm pack --json` reports about the tarball. */
export interface PackResult {
  /** Absolute path of the tarball. */
  tarball: string;
  /** Compressed size, bytes. */
  size: number;
  /** Size of the unpacked files, bytes. */
  unpackedSize: number;
  /** Paths inside the package. */
  files: string[];
}

interface LockEntry { version?: string; dev?: boolean; devOptional?: boolean; peer?: boolean; [key: string]: unknown }
interface Lockfile { packages: Record<string, LockEntry> }

/** Packs the repo (already built: `npm test` builds first; scripts are skipped so dist/ is not rebuilt under running tests). */
export async function packRepo(destination: string): Promise<PackResult> {
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', destination], { cwd: repoRoot });
  const [info] = JSON.parse(stdout) as Array<{ filename: string; size: number; unpackedSize: number; files: Array<{ path: string }> }>;
  if (!info) throw new Error('npm pack printed no result');
  return { tarball: join(destination, info.filename), size: info.size, unpackedSize: info.unpackedSize, files: info.files.map((f) => f.path) };
}

/** The version the repo's lockfile installs for `name` (to pin a consumer's extra dependency). */
export function lockedVersion(name: string): string {
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as Lockfile;
  const version = lock.packages[`node_modules/${name}`]?.version;
  if (version === undefined) throw new Error(`${name} is not in package-lock.json`);
  return version;
}

/** A temporary consumer project. */
export interface ConsumerProject {
  /** Its directory. */
  dir: string;
  /** Sets the dependencies (hostmesh from the tarball plus `extra`) and installs them offline. */
  install(extra?: Record<string, string>): Promise<void>;
  /** Package names directly under node_modules (scoped ones as `@scope/name`). */
  installed(): string[];
  /** Total size of node_modules, bytes. */
  installBytes(): number;
  /** Runs a command in the project; rejects with its output when it fails. */
  exec(file: string, args: string[]): Promise<string>;
  /** Deletes the directory. */
  remove(): void;
}

/** Creates a consumer project in a temp dir holding `fixtureDir`'s files, depending on `tarball`. */
export function consumerProject(tarball: string, fixtureDir: string): ConsumerProject {
  const dir = mkdtempSync(join(tmpdir(), 'hostmesh-consumer-'));
  cpSync(fixtureDir, dir, { recursive: true });
  const exec = async (file: string, args: string[]): Promise<string> => {
    try {
      const { stdout, stderr } = await run(file, args, { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
      return stdout + stderr;
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      throw new Error(`${file} ${args.join(' ')} failed in ${dir}:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
    }
  };
  return {
    dir,
    async install(extra = {}) {
      const dependencies = { hostmesh: `file:${tarball}`, ...extra };
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module', dependencies }, null, 2));
      const repoLock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as Lockfile;
      const packages: Record<string, LockEntry> = { '': { name: 'consumer', version: '1.0.0', dependencies } };
      for (const [path, entry] of Object.entries(repoLock.packages)) {
        // Only the repo's registry packages: not the repo itself, its workspaces or their links.
        if (!path.startsWith('node_modules/') || entry['link'] === true || path === 'node_modules/hostmesh') continue;
        const { dev: _dev, devOptional: _devOptional, peer: _peer, ...rest } = entry;
        packages[path] = rest;
      }
      writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2));
      const args = ['install', '--no-audit', '--no-fund', '--ignore-scripts'];
      try {
        await exec('npm', [...args, '--offline']);
      } catch (err) {
        // A cache emptied since the project's own install: fetch what is missing (same versions).
        if (!String(err).includes('ENOTCACHED')) throw err;
        await exec('npm', [...args, '--prefer-offline']);
      }
    },
    installed() {
      const root = join(dir, 'node_modules');
      return readdirSync(root).filter((n) => !n.startsWith('.')).flatMap((n) => (n.startsWith('@') ? readdirSync(join(root, n)).map((s) => `${n}/${s}`) : [n]));
    },
    installBytes() {
      return dirBytes(join(dir, 'node_modules'));
    },
    exec,
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function dirBytes(path: string): number {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((sum, name) => sum + dirBytes(join(path, name)), 0);
}
