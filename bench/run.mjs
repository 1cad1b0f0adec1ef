// Runs the hostmesh benchmarks: bundles each bench entry (TypeScript) with esbuild into
// node_modules/.cache/hostmesh-bench/, runs each in its own Node process, and writes
// bench/results/<name>.json + .md (+ .svg charts) and bench/results/summary.md.
// Usage: node bench/run.mjs [--quick|--full|--smoke] [--only=codec,echo-node,...] [--out=DIR]
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

const args = process.argv.slice(2);
const mode = args.includes('--full') ? 'full' : args.includes('--smoke') ? 'smoke' : 'quick';
const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const out = args.find((a) => a.startsWith('--out='))?.slice(6) ?? 'bench/results';

/** Bench entries in run order; `summary` reads the others' JSON. */
const ALL = ['codec', 'interest', 'bandwidth', 'echo-node', 'join-node', 'host-cost', 'chromium', 'loss', 'attacks', 'faults', 'migration', 'soak', 'transfer', 'signaling-load', 'summary'];
const selected = ALL.filter((n) => !only || only.includes(n));
const buildDir = resolve('node_modules/.cache/hostmesh-bench');
mkdirSync(buildDir, { recursive: true });

const started = Date.now();
const entries = Object.fromEntries([...selected, ...(selected.includes('loss') ? ['loss-child'] : []), ...(selected.includes('host-cost') ? ['host-cost-clients'] : []), ...(selected.includes('attacks') ? ['attacks-game'] : []), ...(selected.includes('faults') ? ['faults-child'] : []), ...(selected.includes('migration') ? ['migration-host'] : []), ...(selected.includes('soak') ? ['soak-child'] : []), ...(selected.includes('signaling-load') ? ['signaling-load-child', 'signaling-load-server'] : [])].map((n) => [n, `bench/${n}.ts`]));
await build({
  entryPoints: entries, outdir: buildDir, outExtension: { '.js': '.mjs' }, bundle: true, platform: 'node', format: 'esm',
  target: 'node20', packages: 'external', sourcemap: 'inline', logLevel: 'warning',
});
// The Chromium page: bench/pages/ plus a bundle of the page script (SDK source, PeerJS,
// msgpackr), in a public dir of our own so a concurrent `npm run build` cannot pull it away.
// The server serves it cross-origin isolated at /bench/.
const publicDir = `${buildDir}/public`;
if (selected.includes('chromium')) {
  rmSync(publicDir, { recursive: true, force: true });
  cpSync('bench/pages', `${publicDir}/bench`, { recursive: true });
  await build({ entryPoints: ['bench/browser/page.ts'], outfile: `${publicDir}/bench/page.js`, bundle: true, platform: 'browser', format: 'esm', target: 'es2022', minify: true, logLevel: 'warning' });
}

const limitsMs = { smoke: 120_000, quick: 300_000, full: 900_000 };
const failed = [];
for (const name of selected) {
  console.log(`\n[bench] === ${name} (${mode}) ===`);
  const t0 = Date.now();
  const code = await new Promise((res) => {
    const child = spawn(process.execPath, [`${buildDir}/${name}.mjs`], {
      stdio: 'inherit', env: { ...process.env, BENCH_MODE: mode, BENCH_OUT: out, BENCH_BUILD_DIR: buildDir, BENCH_PUBLIC_DIR: publicDir },
    });
    const stop = () => { child.kill('SIGTERM'); setTimeout(() => child.kill('SIGKILL'), 5000).unref(); };
    const timer = setTimeout(() => { console.error(`[bench] ${name} ran past ${limitsMs[mode] / 1000} s: stopping it`); stop(); }, limitsMs[mode]);
    process.once('SIGINT', stop);
    child.once('exit', (c, sig) => { clearTimeout(timer); process.off('SIGINT', stop); res(c ?? (sig ? 1 : 0)); });
  });
  console.log(`[bench] ${name} finished in ${((Date.now() - t0) / 1000).toFixed(1)} s${code ? ` with exit code ${code}` : ''}`);
  if (code) failed.push(name);
}
console.log(`\n[bench] ${mode} run done in ${((Date.now() - started) / 1000).toFixed(0)} s; results in ${out}/${failed.length ? `; FAILED: ${failed.join(', ')}` : ''}`);
process.exit(failed.length ? 1 : 0);
