/**
 * The deploy bundle stays true (issue 16, item 5): the coturn config carries every hardening
 * line of the tested recipe (test/helpers/coturn.ts, which the hardened TURN test runs) and
 * neither loopback relaying nor a real secret; deploy/nginx.conf passes `nginx -t` (its upstream
 * names pointed at loopback) and forwards WebSocket upgrades; every compose node shares Redis,
 * trusts the proxy and has its own id; the Dockerfile installs every package the built server
 * imports.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HARDENED_COTURN_LINES } from '../helpers/coturn.js';
import { nginxMissing, nginxPath } from '../helpers/nginx.js';
import { bundleServerEntry } from '../helpers/server-bundle.js';

const read = (p: string): string => readFileSync(p, 'utf8');

describe('deploy bundle', () => {
  it('coturn config: every hardening line, REST secret placeholder, no loopback peers', () => {
    const lines = read('deploy/turnserver.conf').split('\n').map((l) => l.trim());
    for (const line of HARDENED_COTURN_LINES) expect(lines, line).toContain(line);
    expect(lines).toContain('use-auth-secret');
    expect(lines).toContain('static-auth-secret=CHANGE_ME');
    expect(lines.some((l) => l.startsWith('allow-loopback-peers'))).toBe(false);
  });

  it.skipIf(nginxMissing !== undefined)('nginx config passes nginx -t and forwards WebSocket upgrades', () => {
    const conf = read('deploy/nginx.conf');
    for (const needle of ['proxy_set_header Upgrade $http_upgrade;', 'proxy_set_header Connection $connection_upgrade;', 'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;', 'proxy_http_version 1.1;']) {
      expect(conf).toContain(needle);
    }
    const dir = mkdtempSync(join(tmpdir(), 'hostmesh-nginx-t-'));
    try {
      const file = join(dir, 'nginx.conf');
      writeFileSync(file, conf.replace(/server node(\d):9000/g, 'server 127.0.0.1:900$1').replace('listen 80;', 'listen 127.0.0.1:1;'));
      const out = execFileSync(nginxPath!, ['-t', '-p', dir, '-c', file, '-g', `pid ${dir}/nginx.pid; error_log ${dir}/error.log;`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(out).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('compose: three nodes on one Redis, proxied, each with its own id; a shared LOBBY_KEY in the env file', () => {
    const compose = read('deploy/compose.yaml');
    expect(compose).toContain('REDIS_URL: redis://redis:6379');
    expect(compose).toContain('PROXIED: "1"');
    for (const n of [1, 2, 3]) expect(compose).toContain(`NODE_ID: node${n}`);
    expect(compose).toMatch(/env_file: \.env/);
    expect(read('deploy/env.example')).toMatch(/^LOBBY_KEY=$/m);
    expect(read('deploy/hostmesh-server.service')).toMatch(/^EnvironmentFile=\/etc\/hostmesh\/env$/m);
  });

  it('the Dockerfile installs every package the built server imports', async () => {
    const bundle = read(await bundleServerEntry('server/src/cli.ts', 'cli-deploy'));
    const imports = new Set([...bundle.matchAll(/from "([^".][^"]*)"/g)].map((m) => m[1]!).filter((s) => !s.startsWith('node:'))
      .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!)));
    expect(imports.size).toBeGreaterThan(5);
    const docker = read('Dockerfile');
    for (const pkg of imports) expect(docker, pkg).toMatch(new RegExp(` ${pkg.replace('/', '\\/')}@`));
  });
});
