/**
 * The package as a user gets it: `npm pack`, install the tarball into a fresh project (offline),
 * and build on it. A browser-only install must not pull in native WebRTC or the server stack;
 * the emitted declarations must typecheck under strict consumer settings (bundler, node16,
 * nodenext; a Node-only `lib`; TypeScript 5.4 and the repo's 5.x); a browser entry must bundle
 * with esbuild; and a Node script must start the server, host, join, replicate and close.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerProject, lockedVersion, packRepo, repoRoot, type ConsumerProject, type PackResult } from '../helpers/consumer-project.js';

/** The TypeScript compilers a consumer may use: the repo's and the oldest supported (a workspace). */
const compilers = {
  'current 5.x': join(repoRoot, 'node_modules/typescript/bin/tsc'),
  '5.4': join(repoRoot, 'test/package/typescript-5.4/node_modules/typescript/bin/tsc'),
};
/** Heavy packages only Node bots and servers need. */
const nodeOnly = ['@roamhq/wrtc', 'ws', 'express', 'peer', 'ioredis', 'pino', 'prom-client', '@msimerson/stun'];
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

let scratch: string;
let pack: PackResult;
let consumer: ConsumerProject;

beforeAll(async () => {
  if (!existsSync(join(repoRoot, 'dist/types/sdk/src/index.d.ts'))) throw new Error('dist/ is not built: run `npm run build` (npm test does it first)');
  scratch = mkdtempSync(join(tmpdir(), 'hostmesh-pack-'));
  pack = await packRepo(scratch);
  consumer = consumerProject(pack.tarball, join(repoRoot, 'test/package/consumer'));
}, 60_000);

afterAll(() => {
  consumer?.remove();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function typecheck(config: string): Promise<void> {
  for (const [version, tsc] of Object.entries(compilers)) {
    const out = await consumer.exec(process.execPath, [tsc, '-p', config]).catch((err: unknown) => String(err));
    expect(out.trim(), `tsc ${version} -p ${config}`).toBe('');
  }
}

describe('the packed package', () => {
  it('holds the bundles, their declarations and docs; no tests, benchmarks, demo sources or demo source maps', () => {
    console.log(`[package] ${pack.files.length} files, ${mb(pack.size)} packed, ${mb(pack.unpackedSize)} unpacked`);
    for (const file of ['dist/sdk/index.js', 'dist/sdk/node.js', 'dist/server/index.js', 'dist/server/cli.js', 'dist/public/index.html', 'dist/public/game.js',
      'dist/sdk/devtools.js', 'dist/sdk/testing.js', 'dist/types/sdk/src/index.d.ts', 'dist/types/sdk/src/index.d.ts.map', 'dist/types/sdk/src/node.d.ts',
      'dist/types/sdk/src/devtools.d.ts', 'dist/types/sdk/src/testing.d.ts', 'dist/types/server/src/index.d.ts', 'README.md', 'LICENSE', 'package.json']) {
      expect(pack.files, file).toContain(file);
    }
    const stray = pack.files.filter((f) => /^(test|bench|demo-game|\.ci|scripts)\//.test(f) || /^dist\/public\/.*\.map$/.test(f));
    expect(stray).toEqual([]);
    expect(pack.unpackedSize).toBeLessThan(6e6);
  });

  it('installs for a browser game without native WebRTC or the server stack', async () => {
    await consumer.install();
    const installed = consumer.installed();
    console.log(`[package] browser-only install: ${installed.length} packages, ${mb(consumer.installBytes())}`);
    expect(installed).toContain('hostmesh');
    expect(installed).toEqual(expect.arrayContaining(['peerjs', 'msgpackr']));
    expect(installed.filter((n) => nodeOnly.includes(n) || n.startsWith('@types/'))).toEqual([]);
  }, 60_000);

  it('typechecks a strict browser entry (moduleResolution bundler, TypeScript 5.4 and current)', async () => {
    await typecheck('tsconfig.bundler.json');
  }, 60_000);

  it('bundles a browser entry with esbuild, with nothing from Node in it', async () => {
    const result = await build({
      absWorkingDir: consumer.dir, entryPoints: ['src/browser.ts'], bundle: true, platform: 'browser', format: 'esm',
      write: false, logLevel: 'silent', metafile: true,
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((p) => p.includes('node_modules/hostmesh/dist/sdk/index.js'))).toBe(true);
    expect(inputs.some((p) => p.includes('node_modules/hostmesh/dist/sdk/devtools.js'))).toBe(true);
    expect(inputs.filter((p) => /roamhq|node_modules\/(ws|express|peer)\//.test(p))).toEqual([]);
  });

  it('tells a Node project which optional packages hostmesh/node needs', async () => {
    const out = await consumer.exec(process.execPath, ['-e', "import('hostmesh/node').then(() => console.log('loaded'), (e) => console.log(e.message))"]);
    expect(out).toContain('npm install @roamhq/wrtc ws');
  });

  it('typechecks a Node-only project (lib es2023, no DOM) importing hostmesh/server and hostmesh/node under node16 and nodenext', async () => {
    await consumer.install(Object.fromEntries([...nodeOnly, '@types/node'].map((n) => [n, lockedVersion(n)])));
    await typecheck('tsconfig.node16.json');
    await typecheck('tsconfig.nodenext.json');
    // The declarations stand alone: no types of express, ws, peer, PeerJS or wrtc are read
    // (@types/express does get installed, but only because `peer` depends on it).
    const read = (await consumer.exec(process.execPath, [compilers['current 5.x'], '-p', 'tsconfig.node16.json', '--listFilesOnly'])).split('\n');
    const foreign = read.filter((f) => f.includes('/node_modules/') && !/\/node_modules\/(hostmesh|@types\/node|undici-types|typescript)\//.test(f));
    expect(foreign).toEqual([]);
  }, 120_000);

  it('runs a Node script that starts the server, hosts, joins, replicates and closes', async () => {
    await consumer.exec(process.execPath, [compilers['current 5.x'], '-p', 'tsconfig.nodenext.json', '--noEmit', 'false', '--outDir', 'out']);
    const out = await consumer.exec(process.execPath, ['out/node-app.js']);
    const result = JSON.parse(out.trim().split('\n').at(-1) ?? '') as { sameErrorClass: boolean; demoStatus: number; players: string[]; crate: unknown };
    expect(result).toEqual({ sameErrorClass: true, demoStatus: 200, players: ['Ann', 'Bob'], crate: { x: 12.5, y: -3, alive: true } });
    expect(await consumer.exec(join(consumer.dir, 'node_modules/.bin/hostmesh-server'), ['--help'])).toContain('--port');
  }, 60_000);
});
