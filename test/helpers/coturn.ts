/** A real coturn TURN server on loopback for tests (Debian `coturn`), with a REST-API secret. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createSocket } from 'node:dgram';

/** Path of turnserver, or undefined when coturn is not installed. */
export const turnserverPath = ['/usr/bin/turnserver', '/usr/local/bin/turnserver'].find((p) => existsSync(p));

/** A running coturn. */
export interface Coturn {
  port: number;
  secret: string;
  stop(): Promise<void>;
}

async function freeUdpPort(): Promise<number> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const { port } = sock.address();
  await new Promise<void>((r) => sock.close(() => r()));
  return port;
}

/** Starts coturn on 127.0.0.1 (loopback peers allowed: tests only) and waits until it listens. */
export async function startCoturn(): Promise<Coturn> {
  const port = await freeUdpPort();
  const secret = `test-${Math.random().toString(36).slice(2)}`;
  const child: ChildProcess = spawn(turnserverPath!, [
    '-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${port}`,
    '--use-auth-secret', `--static-auth-secret=${secret}`, '--realm=hostmesh.test',
    '--allow-loopback-peers', '--no-tls', '--no-dtls', '--no-cli', '--log-file=stdout', '--simple-log',
    '--min-port=49152', '--max-port=65535',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
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
  return {
    port, secret,
    stop: () => new Promise<void>((r) => {
      if (child.exitCode !== null) { r(); return; }
      child.once('exit', () => r());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
    }),
  };
}
