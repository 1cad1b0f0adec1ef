// Builds everything with esbuild: the SDK (browser + Node entries), the server and its CLI,
// and the demo game into dist/public, which the server serves at `/`; and, with tsc, the
// declarations (.d.ts + declaration maps) of every package entry into dist/types.
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, mkdirSync, rmSync } from 'node:fs';

const started = Date.now();
rmSync('dist', { recursive: true, force: true });
const common = { bundle: true, format: 'esm', sourcemap: true, target: 'es2022', logLevel: 'warning' };
const nodeCommon = { ...common, platform: 'node', packages: 'external' };

/** Emits dist/types with tsc (tsconfig.build.json); esbuild strips types and cannot. */
async function emitTypes() {
  try {
    await promisify(execFile)(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json']);
  } catch (err) {
    console.error(`[hostmesh] declaration build failed:\n${err.stdout ?? err.message}`);
    process.exit(1);
  }
}

await Promise.all([
  emitTypes(),
  // One build for every SDK entry, split into shared chunks: an app importing 'hostmesh' and
  // 'hostmesh/devtools' (or 'hostmesh/testing') gets one copy of Session, HostmeshError, ...
  build({
    ...common, platform: 'browser', packages: 'external', splitting: true, outdir: 'dist/sdk', chunkNames: 'chunks/[name]-[hash]',
    entryPoints: ['sdk/src/index.ts', 'sdk/src/node.ts', 'sdk/src/devtools.ts', 'sdk/src/testing.ts'],
  }),
  build({ ...nodeCommon, entryPoints: ['server/src/index.ts'], outfile: 'dist/server/index.js' }),
  build({ ...nodeCommon, entryPoints: ['server/src/cli.ts'], outfile: 'dist/server/cli.js'}),
  // The demo game and the SDK (for tests' pages) get one self-contained bundle each.
  build({
    ...common, platform: 'browser', entryPoints: { game: 'demo-game/src/main.ts', tictactoe: 'demo-game/src/tictactoe/main.ts', hostmesh: 'sdk/src/index.ts' },
    // the demo imports the SDK by its package names, as a user's game would
    alias: { 'hostmesh/devtools': './sdk/src/devtools.ts', hostmesh: './sdk/src/index.ts' },
    outdir: 'dist/public', minify: true, define: { 'process.env.NODE_ENV': '"production"' },
  }),
]);
mkdirSync('dist/public', { recursive: true });
cpSync('demo-game/public', 'dist/public', { recursive: true });
console.log(`[hostmesh] built dist/ in ${Date.now() - started} ms`);
