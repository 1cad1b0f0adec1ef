/**
 * A real redis-server for tests (Debian `redis-server`), on a free loopback port with no
 * persistence (`--save '' --appendonly no`), killed afterwards. `stop()` kills it (SIGKILL, as an
 * outage); `restart()` starts it again on the same port, empty.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

/** Path of redis-server, or undefined when it is not installed. */
export const redisServerPath = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));

/** Why Redis tests skip, or undefined when they can run. */
export const redisMissing = redisServerPath === undefined
  ? 'redis-server is not installed (scripts/setup-system.sh installs it as root: apt-get install redis-server)'
  : undefined;

/** A running redis-server. */
export interface RedisProcess {
  port: number;
  url: string;
  /** Kills it at once (SIGKILL). */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty). */
  restart(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export async function freeTcpPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const address = srv.address();
  await new Promise<void>((r) => srv.close(() => r()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

function launch(port: number): Promise<ChildProcess> {
  const child = spawn(redisServerPath!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`redis-server did not start in 10 s:\n${output}`)); }, 10_000);
    const onData = (d: Buffer): void => {
      output += d.toString();
      if (output.includes('Ready to accept connections')) { clearTimeout(timer); resolve(child); }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`redis-server exited (${code}):\n${output}`)); });
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) { r(); return; }
    child.once('exit', () => r());
    child.kill('SIGKILL');
  });
}

/** Starts redis-server on a free port and waits until it accepts connections. */
export async function startRedis(): Promise<RedisProcess> {
  const port = await freeTcpPort();
  let child = await launch(port);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: () => kill(child),
    restart: async () => {
      await kill(child);
      child = await launch(port);
    },
  };
}
