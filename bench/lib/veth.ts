/**
 * A network namespace behind a veth pair, for benchmarks that black-hole one peer: ours is
 * `<net>.1`, its is `<net>.2` with its default route via ours, and an empty nftables table
 * `inet hm` to add drop rules to. Needs root, iproute2 and nftables; null when this machine cannot.
 */
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';

/** Runs a command with /sbin and /usr/sbin on PATH (Debian keeps ip and nft there). */
export const sh = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` } });

/** A namespace named `<tag>-<pid>` on subnet 10.<second>.x.0/30; `remove()` is idempotent. */
export function vethNamespace(tag: string, second: number): { name: string; ours: string; remove(): void } | null {
  if (process.getuid?.() !== 0) return null;
  const name = `${tag}-${process.pid}`;
  const net = `10.${second}.${randomInt(1, 250)}`;
  const short = tag.replace(/[^a-z]/g, '').slice(0, 4);
  const [a, b] = [`${short}${process.pid % 100000}a`, `${short}${process.pid % 100000}b`];
  const remove = () => { try { sh('ip', ['netns', 'del', name]); } catch { /* gone */ } try { sh('ip', ['link', 'del', a]); } catch { /* gone */ } };
  try {
    sh('ip', ['netns', 'add', name]);
    const inNs = (...argv: string[]) => sh('ip', ['netns', 'exec', name, ...argv]);
    inNs('ip', 'link', 'set', 'lo', 'up');
    sh('ip', ['link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
    sh('ip', ['link', 'set', b, 'netns', name]);
    sh('ip', ['addr', 'add', `${net}.1/30`, 'dev', a]);
    sh('ip', ['link', 'set', a, 'up']);
    inNs('ip', 'addr', 'add', `${net}.2/30`, 'dev', b);
    inNs('ip', 'link', 'set', b, 'up');
    inNs('ip', 'route', 'add', 'default', 'via', `${net}.1`);
    inNs('nft', 'add table inet hm');
    return { name, ours: `${net}.1`, remove };
  } catch (err) {
    console.error(`[bench] no network namespace: ${String(err)}`);
    remove();
    return null;
  }
}

/** Drops every packet in and out of namespace `name` (loopback excepted) until `restore()`. */
export function blackHole(name: string): { restore(): void } {
  const nft = (cmd: string) => sh('ip', ['netns', 'exec', name, 'nft', cmd]);
  nft('add chain inet hm out { type filter hook output priority 0; }');
  nft('add chain inet hm in { type filter hook input priority 0; }');
  nft('add rule inet hm out oifname != "lo" drop');
  nft('add rule inet hm in iifname != "lo" drop');
  let done = false;
  return {
    restore() {
      if (done) return;
      done = true;
      try { nft('flush table inet hm'); nft('delete chain inet hm out'); nft('delete chain inet hm in'); } catch { /* already clear */ }
    },
  };
}
