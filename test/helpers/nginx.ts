/**
 * A real nginx (Debian `nginx`) as the load balancer in front of server nodes, for tests: its
 * config is generated into a temp dir (round robin over the upstream ports, WebSocket upgrade
 * headers, X-Forwarded-For), and it runs in the foreground on a free loopback port
 * (`-p <dir> -c <conf> -g 'daemon off; master_process off;'`: one process, so killing it leaves
 * no orphaned worker holding the port). `stop()` kills it and removes the dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort } from './redis.js';

/** Path of nginx, or undefined when it is not installed. */
export const nginxPath = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));

/** Why load-balancer tests skip, or undefined when they can run. */
export const nginxMissing = nginxPath === undefined
  ? 'nginx is not installed (scripts/setup-system.sh installs it as root: apt-get install nginx)'
  : undefined;

/** A running nginx. */
export interface Nginx {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** The config: the same proxy rules as deploy/nginx.conf, with test paths and ports. */
export function nginxConfig(dir: string, port: number, upstreams: readonly number[]): string {
  return `pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
${process.getuid?.() === 0 ? 'user root;' : ''}
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  upstream hostmesh {
${upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join('\n')}
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://hostmesh;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_connect_timeout 2s;
      proxy_read_timeout 1h;
      proxy_next_upstream error timeout http_502;
    }
  }
}
`;
}

/** Starts nginx balancing over `upstreams` (ports on 127.0.0.1); resolves once it accepts connections. */
export async function startNginx(upstreams: readonly number[]): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'hostmesh-nginx-'));
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub));
  const port = await freeTcpPort();
  writeFileSync(join(dir, 'nginx.conf'), nginxConfig(dir, port, upstreams));
  const child: ChildProcess = spawn(nginxPath!, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off; master_process off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`nginx exited (${child.exitCode}): ${output}`);
    }
    const up = await fetch(`${url}/healthz`).then(() => true, () => false);
    if (up) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`nginx did not answer in 10 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url, port,
    stop: () => new Promise<void>((resolve) => {
      const done = (): void => { rmSync(dir, { recursive: true, force: true }); resolve(); };
      if (child.exitCode !== null || child.signalCode !== null) { done(); return; }
      child.once('exit', done);
      child.kill('SIGKILL');
    }),
  };
}
