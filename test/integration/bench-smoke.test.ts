/**
 * Smoke run of the benchmark harness: a tiny configuration (a few samples, two paths, no
 * loss, no browser) of the codec and Node echo benches plus the summary, written to a
 * scratch directory. Asserts the result files exist and have the expected shape; never
 * asserts timings (those belong in bench/results, not in a test).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const out = mkdtempSync(join(tmpdir(), 'hostmesh-bench-smoke-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function read(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(out, `${name}.json`), 'utf8')) as Record<string, unknown>;
}

describe('bench harness (smoke)', () => {
  it('runs codec, Node echo and summary and writes valid JSON, Markdown and a chart', () => {
    const run = spawnSync(process.execPath, ['bench/run.mjs', '--smoke', '--only=codec,echo-node,summary', `--out=${out}`], {
      encoding: 'utf8', env: { ...process.env, BENCH_PATHS: 'raw,hostmesh-unreliable' }, timeout: 90_000,
    });
    expect(run.status, `bench/run.mjs failed:\n${run.stdout}\n${run.stderr}`).toBe(0);

    for (const name of ['codec', 'echo-node', 'summary']) {
      const r = read(name);
      expect(r).toMatchObject({ name, mode: 'smoke' });
      expect(r.machine).toMatchObject({ cores: expect.any(Number), cpuModel: expect.any(String), node: process.version });
      expect((r.machine as { versions: Record<string, string> }).versions).toHaveProperty('peerjs');
      expect(existsSync(join(out, `${name}.md`))).toBe(true);
    }

    const echo = read('echo-node').results as Record<string, Record<string, { rttMs: Record<string, number> }>>;
    expect(Object.keys(echo).sort()).toEqual(['hostmesh-unreliable', 'raw']);
    for (const path of Object.values(echo)) {
      for (const size of ['64', '1024']) {
        expect(path[size]!.rttMs).toEqual(expect.objectContaining({ n: expect.any(Number), p50: expect.any(Number), p99: expect.any(Number), p999: expect.any(Number), max: expect.any(Number) }));
        expect(path[size]!.rttMs.n).toBeGreaterThan(0);
      }
    }
    expect(readFileSync(join(out, 'echo-node.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);

    const codec = read('codec').results as Record<string, Record<string, { encodeUs: number; decodeUs: number; bytes: number }>>;
    expect(Object.keys(codec)).toEqual(['arena-16', 'cubes-16', 'cubes-128', 'cubes-900', 'nested-17']);
    for (const c of Object.values(codec)) {
      expect(Object.keys(c).sort()).toEqual(['binarypack', 'hostmesh-delta', 'hostmesh-delta-general', 'hostmesh-full', 'hostmesh-full-general', 'json', 'msgpackr']);
      for (const f of Object.values(c)) expect(f).toEqual(expect.objectContaining({ encodeUs: expect.any(Number), decodeUs: expect.any(Number), bytes: expect.any(Number) }));
    }
    expect(read('summary').results).toHaveProperty('goals');
  }, 90_000);
});
