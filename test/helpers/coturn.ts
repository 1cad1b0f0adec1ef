/** A real coturn TURN server on loopback for tests (Debian `coturn`), with a REST-API secret. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSocket } from 'node:dgram';

/** Path of turnserver, or undefined when coturn is not installed. */
export const turnserverPath = ['/usr/bin/turnserver', '/usr/local/bin/turnserver'].find((p) => existsSync(p));

/**
 * The hardening lines of docs/server.md's coturn recipe, as turnserver.conf lines (keep the two
 * in step): no relaying to this host, private, link-local, CGNAT, reserved, multicast and
 * IPv4-mapped/translated IPv6 ranges; quotas; no TCP relay; no CLI.
 */
export const HARDENED_COTURN_LINES = [
  'no-multicast-peers',
  'no-tcp-relay',
  'no-cli',
  'user-quota=12',
  'total-quota=1200',
  'max-bps=1000000',
  'stale-nonce=600',
  'denied-peer-ip=0.0.0.0-0.255.255.255',
  'denied-peer-ip=10.0.0.0-10.255.255.255',
  'denied-peer-ip=100.64.0.0-100.127.255.255',
  'denied-peer-ip=127.0.0.0-127.255.255.255',
  'denied-peer-ip=169.254.0.0-169.254.255.255',
  'denied-peer-ip=172.16.0.0-172.31.255.255',
  'denied-peer-ip=192.0.0.0-192.0.0.255',
  'denied-peer-ip=192.0.2.0-192.0.2.255',
  'denied-peer-ip=192.88.99.0-192.88.99.255',
  'denied-peer-ip=192.168.0.0-192.168.255.255',
  'denied-peer-ip=198.18.0.0-198.19.255.255',
  'denied-peer-ip=198.51.100.0-198.51.100.255',
  'denied-peer-ip=203.0.113.0-203.0.113.255',
  'denied-peer-ip=224.0.0.0-255.255.255.255',
  'denied-peer-ip=::-::ffff',
  'denied-peer-ip=::ffff:0.0.0.0-::ffff:255.255.255.255',
  'denied-peer-ip=64:ff9b::-64:ff9b::ffff:ffff',
  'denied-peer-ip=64:ff9b:1::-64:ff9b:1:ffff:ffff:ffff:ffff:ffff',
  'denied-peer-ip=100::-100::ffff:ffff:ffff:ffff',
  'denied-peer-ip=2001::-2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff',
  'denied-peer-ip=2002::-2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
  'denied-peer-ip=fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
  'denied-peer-ip=fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
  'denied-peer-ip=ff00::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
] as const;

/** A running coturn. */
export interface Coturn {
  port: number;
  secret: string;
  realm: string;
  stop(): Promise<void>;
}

async function freeUdpPort(): Promise<number> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const { port } = sock.address();
  await new Promise<void>((r) => sock.close(() => r()));
  return port;
}

/**
 * Starts coturn on 127.0.0.1 and waits until it listens. By default loopback peers are allowed
 * (tests relay between local peers); `hardened` uses the recipe's lines instead (loopback and
 * private peers denied), from a config file as in production (the secret never on the
 * command line).
 */
export async function startCoturn(options: { hardened?: boolean } = {}): Promise<Coturn> {
  const port = await freeUdpPort();
  const secret = `test-${Math.random().toString(36).slice(2)}`;
  const realm = 'hostmesh.test';
  const dir = mkdtempSync(join(tmpdir(), 'hostmesh-coturn-'));
  const lines = [
    'listening-ip=127.0.0.1', 'relay-ip=127.0.0.1', `listening-port=${port}`,
    'use-auth-secret', `static-auth-secret=${secret}`, `realm=${realm}`,
    'no-tls', 'no-dtls', 'no-cli', 'log-file=stdout', 'simple-log', 'min-port=49152', 'max-port=65535',
    `pidfile=${join(dir, 'turnserver.pid')}`, `userdb=${join(dir, 'turndb')}`,
    ...(options.hardened === true ? HARDENED_COTURN_LINES : ['allow-loopback-peers']),
  ];
  const config = join(dir, 'turnserver.conf');
  writeFileSync(config, `${lines.join('\n')}\n`, { mode: 0o600 });
  const child: ChildProcess = spawn(turnserverPath!, ['-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`coturn did not start in 10 s:\n${output}`)), 10_000);
      const onData = (d: Buffer) => {
        output += d.toString();
        if (/Total General servers|IPv4\. UDP listener opened|listener opened on/.test(output)) { clearTimeout(timer); resolve(); }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`coturn exited (${code}):\n${output}`)); });
    });
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    port, secret, realm,
    stop: () => new Promise<void>((r) => {
      const done = (): void => { rmSync(dir, { recursive: true, force: true }); r(); };
      if (child.exitCode !== null) { done(); return; }
      child.once('exit', done);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
    }),
  };
}
