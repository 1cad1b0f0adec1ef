/**
 * Helpers for attacking the server in tests: HTTP from a chosen loopback source address,
 * loopback address ranges, percentiles, and the server run as a child process (bundled like
 * dist/) so that its memory can be read from /proc without the attackers' own buffers.
 * Every address here is in 127.0.0.0/8: nothing leaves the machine.
 */
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { bundleServerEntry, runNode, type Child } from './server-bundle.js';

/** The `n`-th loopback source address of a block, e.g. loopback(3, 2) = '127.0.2.3'. */
export function loopback(n: number, block = 1): string {
  return `127.${block}.${Math.floor(n / 250)}.${(n % 250) + 1}`;
}

/** An HTTP answer. */
export interface Answer {
  status: number;
  body: any;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

/** One HTTP request from `localAddress` (default: the kernel's choice), JSON body when given. */
export function httpFrom(localAddress: string | undefined, baseUrl: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const url = new URL(path, baseUrl);
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request({
      host: url.hostname, port: url.port, path: url.pathname + url.search, method, agent: false,
      ...(localAddress === undefined ? {} : { localAddress }),
      headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }), connection: 'close', ...headers },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => {
        let parsed: unknown;
        try { parsed = text === '' ? undefined : JSON.parse(text); } catch { parsed = undefined; }
        resolve({ status: res.statusCode ?? 0, body: parsed, text, headers: res.headers });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(15_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.end(payload);
  });
}

/** The p-th percentile (0..100) of `values`. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Resident memory of process `pid`, bytes (Linux /proc). */
export function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? Number.NaN : Number(m[1]) * 1024;
}

/** A server running in a child process. */
export interface ChildServer {
  url: string;
  pid: number;
  child: Child;
  /** Its resident memory now, bytes. */
  rss(): number;
  stop(): Promise<void>;
}

/** Starts the server (test/helpers/server-child.ts, bundled) in a child process with `options`. */
export async function startChildServer(options: Record<string, unknown> = {}): Promise<ChildServer> {
  const file = await bundleServerEntry('test/helpers/server-child.ts', 'server-child');
  const child = runNode(file, [], { HOSTMESH_TEST_OPTIONS: JSON.stringify(options) });
  const [, url] = await child.waitFor(/listening (http:\/\/\S+)/);
  const pid = child.proc.pid!;
  return {
    url: url!, pid, child,
    rss: () => rssOf(pid),
    stop: async () => {
      if (child.proc.exitCode === null) child.proc.kill('SIGTERM');
      const timer = setTimeout(() => child.proc.kill('SIGKILL'), 5000);
      await child.exited;
      clearTimeout(timer);
    },
  };
}
