/**
 * A file under real packet loss: inside a fresh network namespace whose nftables drop 10% of
 * UDP packets, a real server and two real Node peers (test/helpers/file-loss-run.mjs) send
 * 4 MB with sendFile; it arrives byte-identical (SCTP retransmits under the file connection; the
 * chunk and file checks see nothing amiss). The time is printed, never asserted. Needs root, ip, nft.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetNamespace, netnsUnavailable } from '../helpers/netns.js';

const skipReason = netnsUnavailable();
let ns: NetNamespace | undefined;
let child: ChildProcess | undefined;

describe.skipIf(skipReason !== undefined)(`file transfer under 10% UDP loss${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  beforeAll(() => {
    if (!existsSync('dist/server/index.js') || !existsSync('dist/sdk/node.js')) execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
    ns = new NetNamespace('hm-fileloss');
    ns.create();
    ns.dropUdp(10);
  });
  afterAll(() => {
    child?.kill('SIGKILL');
    ns?.remove();
  });

  it('4 MB arrive byte-identical', async () => {
    const line = await new Promise<string>((resolve, reject) => {
      const proc = spawn('ip', ['netns', 'exec', ns!.name, process.execPath, 'test/helpers/file-loss-run.mjs', '4'], {
        stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` },
      });
      child = proc;
      let out = '', err = '';
      proc.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      proc.stderr.on('data', (d: Buffer) => { err += d.toString(); });
      proc.once('error', reject);
      proc.once('exit', (code) => {
        child = undefined;
        const l = out.trim().split('\n').filter((x) => x.startsWith('{')).pop();
        if (l) resolve(l); else reject(new Error(`file-loss-run exited ${code}: ${out} ${err}`));
      });
    });
    console.log(`[file-transfer-loss] ${line}`);
    const r = JSON.parse(line) as { error?: string; bytes: number; same: boolean; ms: number; resumes: number };
    expect(r.error).toBeUndefined();
    expect(r).toMatchObject({ bytes: 4 * 1024 * 1024, same: true });
  }, 120_000);
});
