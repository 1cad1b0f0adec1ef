/**
 * Test helpers for network namespaces: a throwaway namespace with loopback up, an nftables
 * output chain to add packet-loss rules to, and removal. Needs root, `ip` (iproute2) and
 * `nft` (nftables); `netnsUnavailable()` says why not when they are missing.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** True when `cmd` is an executable on PATH (or in /sbin, /usr/sbin, where Debian puts ip and nft). */
export function hasCommand(cmd: string): boolean {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  return dirs.some((dir) => {
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` } });
}

/** Why namespaces cannot be used here, or undefined when they can (probes by creating one). */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces and nftables need root (run as root, e.g. in CI)';
  const missing = ['ip', 'nft'].filter((c) => !hasCommand(c));
  if (missing.length > 0) return `missing ${missing.join(' and ')}: run \`sudo bash scripts/setup-system.sh\` (installs iproute2 and nftables)`;
  const probe = new NetNamespace('hm-probe');
  try {
    probe.create();
    probe.nft('add table inet probe');
    return undefined;
  } catch (err) {
    return `cannot create a network namespace with nftables here (${String((err as { stderr?: unknown }).stderr ?? err).trim()})`;
  } finally {
    probe.remove();
  }
}

/** A network namespace with a unique name; `remove()` is safe to call any number of times. */
export class NetNamespace {
  /** The namespace name (`<prefix>-<pid>-<random>`). */
  readonly name: string;
  private created = false;

  constructor(prefix: string) {
    this.name = `${prefix}-${process.pid}-${randomBytes(3).toString('hex')}`;
  }

  /** Creates the namespace, brings loopback up and adds an empty nftables output chain `inet hm out`. */
  create(): void {
    run('ip', ['netns', 'add', this.name]);
    this.created = true;
    this.exec('ip', ['link', 'set', 'lo', 'up']);
  }

  /** Runs `cmd args` inside the namespace and returns its stdout. */
  exec(cmd: string, args: string[]): string {
    return run('ip', ['netns', 'exec', this.name, cmd, ...args]);
  }

  /** Runs one nft command inside the namespace. */
  nft(command: string): string {
    return this.exec('nft', [command]);
  }

  /** Drops `percent`% of UDP packets leaving any socket in the namespace (each direction, on loopback). */
  dropUdp(percent: number): void {
    this.nft('add table inet hm');
    this.nft('add chain inet hm out { type filter hook output priority 0; }');
    this.nft(`add rule inet hm out meta l4proto udp numgen random mod 100 < ${percent} drop`);
  }

  /** Removes the loss rules (the `inet hm` table). */
  clearRules(): void {
    try { this.nft('delete table inet hm'); } catch { /* not there */ }
  }

  /** Deletes the namespace (and with it every rule and socket binding in it). */
  remove(): void {
    if (!this.created) return;
    this.created = false;
    try { run('ip', ['netns', 'del', this.name]); } catch { /* already gone */ }
  }
}
