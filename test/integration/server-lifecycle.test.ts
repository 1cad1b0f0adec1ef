import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/src/index.js';
import { bundleServerEntry, exitWithin, removeServerArtifacts, runNode, serverArtifactsDir } from '../helpers/server-bundle.js';
import { http } from '../helpers/server-http.js';
import { connectRawPeer } from '../helpers/server-raw-peer.js';

function rawGet(url: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/`, { path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

afterAll(() => removeServerArtifacts());

describe('startServer lifecycle', () => {
  it('reports its url and port; close() is idempotent and closes sockets', async () => {
    const srv = await startServer({ port: 0 });
    expect(srv.url).toBe(`http://127.0.0.1:${srv.port}`);
    expect(srv.port).toBeGreaterThan(0);
    const peer = await connectRawPeer(srv.url);
    await Promise.all([srv.close(), srv.close()]);
    await srv.close();
    await peer.closed;
    await expect(fetch(`${srv.url}/healthz`)).rejects.toThrow();
  });

  it('uses the given host in its url unless it is a wildcard', async () => {
    const any = await startServer({ port: 0, host: '0.0.0.0' });
    expect(any.url).toBe(`http://127.0.0.1:${any.port}`);
    expect((await http(any.url, 'GET', '/healthz')).status).toBe(200);
    await any.close();
  });

  it('rejects with EADDRINUSE when the port is taken', async () => {
    const first = await startServer({ port: 0 });
    await expect(startServer({ port: first.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await first.close();
  });

  it('leaves no open handles after close(): the process exits by itself (bundled like dist/)', async () => {
    const file = await bundleServerEntry('test/helpers/server-close-child.ts', 'close-child');
    const child = runNode(file);
    expect(await exitWithin(child, 10_000), child.stderr()).toBe(0);
    expect(child.stdout()).toContain('closed');
  });
});

describe('static files', () => {
  let srv: RunningServer;
  let missing: RunningServer;

  beforeAll(async () => {
    const dir = join(serverArtifactsDir(), 'public');
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>demo</title>');
    writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(dir, 'assets', 'style.css'), 'body{}');
    srv = await startServer({ port: 0, publicDir: dir });
    missing = await startServer({ port: 0, publicDir: join(dir, 'does-not-exist') });
  });

  afterAll(async () => {
    await srv.close();
    await missing.close();
  });

  it('serves index.html and assets with content types and cross-origin isolation headers', async () => {
    for (const [path, type] of [['/', 'text/html'], ['/?join=K7M2QX', 'text/html'], ['/assets/app.js', 'javascript'], ['/assets/style.css', 'text/css']] as const) {
      const res = await http(srv.url, 'GET', path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
      expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    }
  });

  it('does not serve files outside publicDir', async () => {
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/assets/..%2f..%2fpackage.json', '/%2e%2e%5cpackage.json']) {
      const res = await rawGet(srv.url, path);
      expect(res.body, path).not.toContain('"name": "hostmesh"');
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
    }
  });

  it('explains how to build the demo when publicDir is missing', async () => {
    const res = await http(missing.url, 'GET', '/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.text).toContain('npm run build');
  });
});

describe('hostmesh-server CLI (bundled like dist/server/cli.js)', () => {
  let cli: string;

  beforeAll(async () => {
    cli = await bundleServerEntry('server/src/cli.ts', 'cli');
  });

  it('prints help', async () => {
    const child = runNode(cli, ['--help']);
    expect(await child.exited).toBe(0);
    expect(child.stdout()).toMatch(/Usage: hostmesh-server/);
  });

  it('starts, prints its URL, serves, and stops cleanly on SIGTERM', async () => {
    const child = runNode(cli, ['--port', '0', '--quiet'], { HOST: '127.0.0.1' });
    const [, url] = await child.waitFor(/hostmesh server listening on (http:\/\/127\.0\.0\.1:\d+)/);
    expect((await http(url!, 'GET', '/healthz')).body).toMatchObject({ ok: true, lobbies: 0 });
    child.proc.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    expect(child.stdout().trim().split('\n')).toEqual([`hostmesh server listening on ${url}`]); // --quiet: the URL line only
    expect(child.stderr()).toBe('');
  });

  it('lists LAN URLs when listening on all interfaces, and prints the URL once', async () => {
    const child = runNode(cli, ['--port', '0']);
    const [, port] = await child.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
    const lan = Object.values(networkInterfaces()).flat().find((a) => a !== undefined && !a.internal && a.family === 'IPv4');
    if (lan !== undefined) await child.waitFor(new RegExp(`on your network: http://${lan.address.replace(/\./g, '\\.')}:${port}/`));
    child.proc.kill('SIGINT');
    expect(await child.exited).toBe(0);
    const all = child.stdout() + child.stderr();
    expect(all.split(`http://127.0.0.1:${port}`).length - 1).toBe(1);
  });

  it('says which port is in use and how to pick another, without a stack trace', async () => {
    const taken = await startServer({ port: 0 });
    const child = runNode(cli, ['--port', String(taken.port), '--host', '127.0.0.1']);
    expect(await child.exited).toBe(1);
    expect(child.stderr()).toContain(`port ${taken.port} is already in use`);
    expect(child.stderr()).toMatch(/--port \d+/);
    expect(child.stderr()).not.toMatch(/\n\s+at /);
    await taken.close();
  });

  it('refuses a bad flag with a hint', async () => {
    const child = runNode(cli, ['--port', 'abc']);
    expect(await child.exited).toBe(2);
    expect(child.stderr()).toMatch(/--port must be a number.*\n.*--help/);
  });
});
