/**
 * A throwaway network namespace for the loss benchmark (needs root, iproute2, nftables):
 * loopback up, an nftables output chain that counts every UDP byte sent (named counter `udpbytes`)
 * and then drops N% of UDP packets. Signaling (TCP) is untouched. `remove()` is idempotent.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const env = { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` };
function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env });
}

/** Why the loss benchmark cannot run here, or undefined. */
export function lossUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'creating a network namespace with nftables rules needs root; run the benchmark as root (e.g. in CI or a container)';
  const ns = new Netns();
  try {
    ns.create();
    ns.setLoss(0);
    return undefined;
  } catch (err) {
    return `cannot create a network namespace with nftables here (${String((err as { stderr?: unknown }).stderr ?? err).trim()}); install iproute2 and nftables (sudo bash scripts/setup-system.sh)`;
  } finally {
    ns.remove();
  }
}

/** A network namespace with a UDP byte counter and a loss rule. */
export class Netns {
  readonly name = `hmb-${process.pid}-${randomBytes(3).toString('hex')}`;
  private created = false;

  create(): void {
    run('ip', ['netns', 'add', this.name]);
    this.created = true;
    this.exec(['ip', 'link', 'set', 'lo', 'up']);
  }

  /** Runs a command inside the namespace. */
  exec(argv: string[]): string {
    return run('ip', ['netns', 'exec', this.name, ...argv]);
  }

  /** Replaces the rules: count all UDP bytes sent, then drop `percent`% of UDP packets. */
  setLoss(percent: number): void {
    try { this.exec(['nft', 'delete table inet hmb']); } catch { /* first time */ }
    this.exec(['nft', 'add table inet hmb']);
    this.exec(['nft', 'add counter inet hmb udpbytes']);
    this.exec(['nft', 'add chain inet hmb out { type filter hook output priority 0; }']);
    this.exec(['nft', 'add rule inet hmb out meta l4proto udp counter name udpbytes']);
    if (percent > 0) this.exec(['nft', `add rule inet hmb out meta l4proto udp numgen random mod 100 < ${percent} drop`]);
  }

  /** Argv prefix that runs a command inside the namespace. */
  prefix(): string[] {
    return ['ip', 'netns', 'exec', this.name];
  }

  remove(): void {
    if (!this.created) return;
    this.created = false;
    try { run('ip', ['netns', 'del', this.name]); } catch { /* already gone */ }
  }
}

/** Bytes counted so far by the `udpbytes` counter of the namespace this process runs in (or undefined outside one). */
export function udpBytesSent(): number | undefined {
  try {
    const out = run('nft', ['-j', 'list', 'counter', 'inet', 'hmb', 'udpbytes']);
    const j = JSON.parse(out) as { nftables: { counter?: { bytes: number } }[] };
    return j.nftables.find((x) => x.counter)?.counter?.bytes;
  } catch {
    return undefined;
  }
}
