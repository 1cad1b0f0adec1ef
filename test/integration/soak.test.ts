/**
 * A short slice of the 2%-loss soak (issue 12, item 4; the 10-minute run is `bench/soak.ts`,
 * `node bench/run.mjs --full --only=soak`): a host and three clients with default options play
 * for 30 s inside a network namespace dropping 2% of UDP packets. No false disconnect: no
 * playerDisconnect, playerLeave, reconnecting or close on anyone, no stalled link, every member in
 * every roster, every reliable message delivered once and in order. Runs the benchmark harness in
 * smoke mode into a scratch directory and checks its result file; timings are not asserted.
 * Needs root, iproute2 and nftables.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { netnsUnavailable } from '../helpers/netns.js';
import type { SoakResult } from '../../bench/soak-child.js';

const skip = netnsUnavailable();
const out = mkdtempSync(join(tmpdir(), 'hostmesh-soak-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.skipIf(skip)(`2% loss soak, 30 s slice${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('no false disconnect, everyone still in, every reliable message delivered in order', () => {
    const run = spawnSync(process.execPath, ['bench/run.mjs', '--smoke', '--only=soak', `--out=${out}`], { encoding: 'utf8', timeout: 110_000 });
    const file = JSON.parse(readFileSync(join(out, 'soak.json'), 'utf8')) as { results: SoakResult };
    const r = file.results;
    console.log(`[soak slice] ${JSON.stringify({ faults: r.faults, links: r.links, reliable: r.reliable, rttMs: r.rttMs.p99, heartbeatLoss: r.heartbeatLoss.p50 })}`);
    expect(r.faults).toEqual([]);
    expect(r.links.stalls).toBe(0);
    expect(r.rosters).toEqual([4, 4, 4, 4]);
    expect(r.reliable.outOfOrder).toBe(0);
    expect(r.reliable.received).toBe(r.reliable.sent);
    expect(r.reliable.sent).toBeGreaterThan(100);
    expect(r.snapshots.perClient.every((n) => n > 0)).toBe(true);
    expect(run.status, `bench/run.mjs failed:\n${run.stdout}\n${run.stderr}`).toBe(0);
  }, 120_000);
});
