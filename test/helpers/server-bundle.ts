/**
 * Bundles a server entry the way the release build does (esbuild, ESM, packages external)
 * into test/artifacts, so tests run exactly what `dist/server` would hold, and spawns it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** This test process's scratch directory under test/artifacts (removed by removeServerArtifacts). */
export function serverArtifactsDir(): string {
  return join(root, 'test', 'artifacts', `server-${process.pid}`);
}

/** Removes this test process's scratch directory. */
export function removeServerArtifacts(): void {
  rmSync(serverArtifactsDir(), { recursive: true, force: true });
}

/** Bundles `entry` (relative to the repo root) to test/artifacts/<dir>/<name>.js; returns its path. */
export async function bundleServerEntry(entry: string, name: string): Promise<string> {
  const dir = serverArtifactsDir();
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, `${name}.js`);
  await build({
    entryPoints: [join(root, entry)], outfile, bundle: true, platform: 'node', format: 'esm',
    packages: 'external', target: 'node20', logLevel: 'silent',
  });
  return outfile;
}

/** A spawned node process with its collected output and exit. */
export interface Child {
  proc: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
  /** Resolves with the first stdout match of `re`. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

/** The exit code, or 'timeout' (and the child killed) when it has not exited within `ms`. */
export async function exitWithin(child: Child, ms: number): Promise<number | string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<string>((r) => { timer = setTimeout(() => { child.proc.kill('SIGKILL'); r('timeout'); }, ms); });
  try {
    return await Promise.race([child.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `node file ...args` with extra env. */
export function runNode(file: string, args: string[] = [], env: Record<string, string> = {}): Child {
  const proc = spawn(process.execPath, [file, ...args], { env: { ...process.env, ...env }, cwd: root });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  proc.stdout.on('data', (d: Buffer) => { out += d.toString(); for (const l of listeners) l(); });
  proc.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | string>((r) => proc.on('exit', (code, signal) => r(code ?? signal ?? -1)));
  return {
    proc, exited, stdout: () => out, stderr: () => err,
    waitFor(re, timeoutMs = 10_000) {
      return new Promise((resolvePromise, reject) => {
        const check = (): void => {
          const m = re.exec(out);
          if (m === null) return;
          done();
          resolvePromise(m);
        };
        const timer = setTimeout(() => { done(); reject(new Error(`no ${re} in output: ${out} ${err}`)); }, timeoutMs);
        const done = (): void => { clearTimeout(timer); listeners.delete(check); };
        void exited.then(() => { if (re.exec(out) === null) { done(); reject(new Error(`exited without ${re}: ${out} ${err}`)); } });
        listeners.add(check);
        check();
      });
    },
  };
}
