/**
 * Operations of one server (issue 16, items 5 and 6): the built-in STUN server answers real
 * RFC 8489 binding requests on its UDP port with the client's own address (checked here on
 * the wire, with a hand-built request and a hand-parsed XOR-MAPPED-ADDRESS, independent of the
 * library the server uses) and `/api/config` lists it; garbage, responses, truncated headers and
 * a flood from one address are dropped and it keeps answering. `/metrics` is Prometheus text
 * with the server's counters; `/healthz` and `/readyz` answer; the CLI logs JSON lines with a
 * level and the node id.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/src/index.js';
import { startStun } from '../../server/src/ice/stun-server.js';
import { createLogger } from '../../server/src/log.js';
import { metricValue } from '../helpers/cluster.js';
import { bundleServerEntry, runNode } from '../helpers/server-bundle.js';
import { until } from '../helpers/wait.js';

const MAGIC = 0x2112a442;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function server(options: Parameters<typeof startServer>[0] = {}): Promise<RunningServer> {
  const s = await startServer({ port: 0, ...options });
  cleanup.push(() => s.close());
  return s;
}

async function udp(): Promise<Socket> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  cleanup.push(() => new Promise<void>((r) => sock.close(() => r())));
  return sock;
}

function bindingRequest(tid: Buffer): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt16BE(0x0001, 0);
  b.writeUInt16BE(0, 2);
  b.writeUInt32BE(MAGIC, 4);
  tid.copy(b, 8);
  return b;
}

/** The XOR-MAPPED-ADDRESS of a binding success response for `tid`, or undefined. */
function mappedAddress(msg: Buffer, tid: Buffer): { address: string; port: number } | undefined {
  if (msg.length < 20 || msg.readUInt16BE(0) !== 0x0101 || msg.readUInt32BE(4) !== MAGIC || !msg.subarray(8, 20).equals(tid)) return undefined;
  let at = 20;
  while (at + 4 <= msg.length) {
    const type = msg.readUInt16BE(at);
    const len = msg.readUInt16BE(at + 2);
    if (type === 0x0020 && msg[at + 5] === 0x01) {
      const port = msg.readUInt16BE(at + 6) ^ (MAGIC >>> 16);
      const ip = (msg.readUInt32BE(at + 8) ^ MAGIC) >>> 0;
      return { address: [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.'), port };
    }
    at += 4 + len + ((4 - (len % 4)) % 4);
  }
  return undefined;
}

function ask(sock: Socket, port: number, tid = randomBytes(12), timeoutMs = 2000): Promise<{ address: string; port: number } | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => { sock.off('message', onMessage); resolve(undefined); }, timeoutMs);
    const onMessage = (msg: Buffer): void => {
      const mapped = mappedAddress(msg, tid);
      if (mapped === undefined) return;
      clearTimeout(timer);
      sock.off('message', onMessage);
      resolve(mapped);
    };
    sock.on('message', onMessage);
    sock.send(bindingRequest(tid), port, '127.0.0.1');
  });
}

describe('built-in STUN server', () => {
  it('answers a binding request with the client\'s own address and port, and /api/config lists it', async () => {
    const srv = await server({ stunPort: 0 });
    expect(srv.stunPort).toBeGreaterThan(0);
    const sock = await udp();
    const mapped = await ask(sock, srv.stunPort!);
    expect(mapped).toEqual({ address: '127.0.0.1', port: sock.address().port });
    const config = await (await fetch(`${srv.url}/api/config`)).json() as { iceServers: { urls: string }[] };
    expect(config.iceServers).toContainEqual({ urls: `stun:127.0.0.1:${srv.stunPort}` });
    const advertised = await server({ stunPort: 0, stunAdvertise: 'stun.example.com:3478' });
    const other = await (await fetch(`${advertised.url}/api/config`)).json() as { iceServers: { urls: string }[] };
    expect(other.iceServers[0]).toEqual({ urls: 'stun:stun.example.com:3478' });
    const none = await server();
    expect(((await (await fetch(`${none.url}/api/config`)).json()) as { iceServers: unknown[] }).iceServers).toEqual([]);
  });

  it('drops garbage, responses, truncated headers and a flood from one address, and keeps answering', async () => {
    const stun = await startStun({ port: 0, host: '127.0.0.1', ratePerSecond: 20 }, createLogger(false));
    cleanup.push(() => stun.close());
    const sock = await udp();
    const tid = randomBytes(12);
    const response = bindingRequest(tid);
    response.writeUInt16BE(0x0101, 0);
    const badLength = bindingRequest(randomBytes(12));
    badLength.writeUInt16BE(400, 2); // claims 400 bytes of attributes, has none
    const badAttr = Buffer.concat([bindingRequest(randomBytes(12)), Buffer.from([0x00, 0x20, 0xff, 0xff, 1, 2])]);
    badAttr.writeUInt16BE(6, 2);
    for (const junk of [randomBytes(3), randomBytes(20), randomBytes(1200), response, badLength, badAttr, Buffer.alloc(0)]) sock.send(junk, stun.port, '127.0.0.1');
    expect(await ask(sock, stun.port)).toEqual({ address: '127.0.0.1', port: sock.address().port });
    expect(stun.counts.dropped).toBeGreaterThanOrEqual(1); // the response, at least, reached the handler and was dropped
    // 40 at once is the burst: past it, requests from this address are dropped, not answered.
    let answered = 0;
    sock.on('message', () => { answered++; });
    for (let i = 0; i < 200; i++) sock.send(bindingRequest(randomBytes(12)), stun.port, '127.0.0.1');
    await until(() => stun.counts.answered + stun.counts.dropped >= 200 + 1, 5000, 'every request handled');
    expect(answered).toBeLessThan(100);
    expect(stun.counts.dropped).toBeGreaterThanOrEqual(100);
    // Another address still gets its answer.
    const other = createSocket('udp4');
    await new Promise<void>((r) => other.bind(0, '127.0.0.2', r));
    cleanup.push(() => new Promise<void>((r) => other.close(() => r())));
    expect((await ask(other, stun.port))?.address).toBe('127.0.0.2');
  });
});

describe('metrics, health and logs', () => {
  it('GET /metrics is Prometheus text with sockets, peers, lobbies, requests and rejections by code', async () => {
    const srv = await server();
    expect((await fetch(`${srv.url}/api/lobbies/ABCDEFGH`)).status).toBe(404);
    const res = await fetch(`${srv.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    for (const name of ['hostmesh_signaling_sockets', 'hostmesh_peers', 'hostmesh_lobbies', 'hostmesh_process_resident_memory_bytes']) expect(text).toMatch(new RegExp(`^${name}\\{node="${srv.nodeId}"\\} \\d+`, 'm'));
    expect(metricValue(text, 'hostmesh_api_rejections_total', { route: 'lookup', code: 'LOBBY_NOT_FOUND' })).toBe(1);
    expect((await fetch(`${srv.url}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${srv.url}/healthz`)).json()).toEqual({ ok: true, node: srv.nodeId, lobbies: 0 });
    const off = await server({ metrics: false });
    expect((await fetch(`${off.url}/metrics`)).status).toBe(404);
  });

  it('the CLI logs JSON lines with a level, a message and the node id; warnings only at --log-level warn', async () => {
    const cli = await bundleServerEntry('server/src/cli.ts', 'cli-ops');
    const info = runNode(cli, ['--port', '0', '--host', '127.0.0.1', '--node-id', 'ops-1']);
    cleanup.push(async () => { info.proc.kill('SIGKILL'); await info.exited; });
    await info.waitFor(/listening on (http:\/\/\S+)/);
    await until(() => info.stderr().includes('\n'), 5000, 'a log line');
    const line = JSON.parse(info.stderr().split('\n')[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, node: 'ops-1', msg: expect.stringMatching(/bound to 127\.0\.0\.1/) });
    const warn = runNode(cli, ['--port', '0', '--host', '127.0.0.1', '--log-level', 'warn']);
    cleanup.push(async () => { warn.proc.kill('SIGKILL'); await warn.exited; });
    await warn.waitFor(/listening on/);
    expect(warn.stderr()).toBe('');
  });
});
