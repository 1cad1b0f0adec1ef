/**
 * What a result was measured on: CPU model and count, memory, OS, Node and library versions,
 * the date, and the git commit. Written into every result file (STYLE.md rule 15).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';

/** The machine and software a run used. */
export interface MachineInfo {
  date: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  /** 1-minute load average when the bench started (the machine may be shared). */
  loadAvg1m: number;
  os: string;
  node: string;
  commit: string;
  versions: Record<string, string>;
  chromium?: string;
}

/** Load when this process started (before the bench loaded the machine itself). */
const startLoad = os.loadavg()[0] ?? 0;
const require = createRequire(`${process.cwd()}/package.json`);

/** Version of an installed package, or 'missing'. */
export function packageVersion(name: string): string {
  try {
    const main = require.resolve(name);
    let dir = main;
    for (let i = 0; i < 6; i++) {
      dir = dir.slice(0, dir.lastIndexOf('/'));
      try {
        const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name && pkg.version) return pkg.version;
      } catch { /* keep walking up */ }
    }
  } catch { /* not installed */ }
  return 'missing';
}

/** Collects machine and version info for the current process. */
export function machineInfo(): MachineInfo {
  let commit = 'unknown';
  try { commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { /* not a checkout */ }
  const hostmesh = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
  return {
    date: new Date().toISOString(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAvg1m: Math.round(startLoad * 100) / 100,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    commit,
    versions: {
      hostmesh,
      peerjs: packageVersion('peerjs'),
      'peerjs-js-binarypack': packageVersion('peerjs-js-binarypack'),
      '@roamhq/wrtc': packageVersion('@roamhq/wrtc'),
      msgpackr: packageVersion('msgpackr'),
      peer: packageVersion('peer'),
    },
  };
}

/** One line naming the machine, for printed tables and Markdown. */
export function machineLine(m: MachineInfo): string {
  const v = Object.entries(m.versions).map(([k, x]) => `${k} ${x}`).join(', ');
  return `${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}; load ${m.loadAvg1m}; Node ${m.node}${m.chromium ? `; Chromium ${m.chromium}` : ''}; ${v}; commit ${m.commit}; ${m.date}`;
}
