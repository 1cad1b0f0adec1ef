/**
 * Floods against the server running in its own process (so its memory can be read from /proc
 * apart from the attackers'), with its default limits. While each attack runs, two honest
 * peers ping each other through signaling and a third client polls /healthz; the test checks
 * that the server stays up, its memory growth stays bounded, and honest peers stay served,
 * and prints the figures (RSS growth, honest p99) for docs/server.md. Every attack is bounded
 * in time and sockets and stops by itself; every address is loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { httpFrom, loopback, percentile, startChildServer, type ChildServer } from '../helpers/server-attack.js';
import { bundleServerEntry, removeServerArtifacts, runNode } from '../helpers/server-bundle.js';
import { closeAll, connectRawPeer, openRawPeer, randomPeerId, type RawPeer } from '../helpers/server-raw-peer.js';

const full = process.env.HOSTMESH_FUZZ === 'full';
const ATTACK_MS = Number(process.env.HOSTMESH_FLOOD_MS ?? (full ? 15_000 : 4000));
const MB = 1024 * 1024;
const LIMIT = { timeout: ATTACK_MS + 40_000 };

/** Honest traffic during an attack: signaling round trips between two peers and /healthz polls. */
class HonestProbe {
  readonly rtts: number[] = [];
  readonly health: number[] = [];
  sent = 0;
  private readonly pending = new Map<string, number>();
  private timers: ReturnType<typeof setInterval>[] = [];
  healthFailures = 0;

  constructor(private readonly url: string, private readonly a: RawPeer, private readonly b: RawPeer) {
    b.ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { type: string; payload?: { probe?: string } };
      if (m.type === 'OFFER' && m.payload?.probe !== undefined) b.send({ type: 'ANSWER', dst: a.id, payload: { probe: m.payload.probe } });
    });
    a.ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { type: string; payload?: { probe?: string } };
      const t0 = m.type === 'ANSWER' && m.payload?.probe !== undefined ? this.pending.get(m.payload.probe) : undefined;
      if (t0 === undefined) return;
      this.pending.delete(m.payload!.probe!);
      this.rtts.push(performance.now() - t0);
    });
  }

  start(): void {
    this.timers.push(setInterval(() => {
      const probe = `p${++this.sent}`;
      this.pending.set(probe, performance.now());
      this.a.send({ type: 'OFFER', dst: this.b.id, payload: { probe } });
    }, 25));
    this.timers.push(setInterval(() => {
      const t0 = performance.now();
      httpFrom('127.0.0.60', this.url, 'GET', '/healthz').then(
        (res) => { if (res.status === 200) this.health.push(performance.now() - t0); else this.healthFailures++; },
        () => { this.healthFailures++; },
      );
    }, 50));
  }

  stop(): { p99: number; lost: number; healthP99: number } {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const lost = this.pending.size;
    this.pending.clear();
    return { p99: percentile(this.rtts, 99), lost, healthP99: percentile(this.health, 99) };
  }
}

/** Samples the server's RSS every 100 ms. */
function rssSampler(server: ChildServer): { stop(): number } {
  let peak = server.rss();
  const timer = setInterval(() => { peak = Math.max(peak, server.rss()); }, 100);
  return { stop: () => { clearInterval(timer); return Math.max(peak, server.rss()); } };
}

/** Runs test/helpers/server-attacker.ts in its own process; resolves with its counts. */
async function attacker(url: string, mode: 'stall' | 'big' | 'absent', victim = 'nobody'): Promise<{ opened: number; refused: number; frames: number; bytes: number }> {
  const file = await bundleServerEntry('test/helpers/server-attacker.ts', 'server-attacker');
  const child = runNode(file, [url, mode, String(ATTACK_MS), '50', '10', victim]);
  try {
    const [line] = await child.waitFor(/\{.*\}/, ATTACK_MS + 20_000);
    await child.exited;
    return JSON.parse(line!) as { opened: number; refused: number; frames: number; bytes: number };
  } finally {
    // Never leave an attacker running past its test.
    if (child.proc.exitCode === null) child.proc.kill('SIGKILL');
  }
}

/** Server CPU time so far, ms (Linux /proc). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

describe('floods against the server (own process, default limits)', () => {
  let server: ChildServer;
  let a: RawPeer;
  let b: RawPeer;

  beforeAll(async () => {
    server = await startChildServer({ log: false });
    a = await connectRawPeer(server.url, randomPeerId('honestA'), 'ta', { localAddress: '127.0.0.50' });
    b = await connectRawPeer(server.url, randomPeerId('honestB'), 'tb', { localAddress: '127.0.0.51' });
  });

  afterAll(async () => {
    await closeAll([a, b]);
    await server?.stop();
    removeServerArtifacts();
  });

  async function underAttack(name: string, attack: () => Promise<string>): Promise<void> {
    const probe = new HonestProbe(server.url, a, b);
    const before = server.rss();
    const cpu0 = cpuMs(server.pid);
    const t0 = Date.now();
    const rss = rssSampler(server);
    probe.start();
    const detail = await attack();
    const peak = rss.stop();
    const cpuShare = (cpuMs(server.pid) - cpu0) / (Date.now() - t0);
    await new Promise((r) => setTimeout(r, 300));
    const honest = probe.stop();
    const growth = (peak - before) / MB;
    console.log(`[floods] ${name}: ${detail}; server RSS ${(before / MB).toFixed(0)} MB -> peak ${(peak / MB).toFixed(0)} MB (growth ${growth.toFixed(1)} MB); honest signaling p99 ${honest.p99.toFixed(1)} ms over ${probe.rtts.length} round trips (${honest.lost} unanswered); /healthz p99 ${honest.healthP99.toFixed(1)} ms over ${probe.health.length} (${probe.healthFailures} failed); server CPU ${(cpuShare * 100).toFixed(0)}% of a core`);
    expect(server.child.proc.exitCode).toBeNull();
    expect(growth).toBeLessThan(64);
    expect(probe.rtts.length).toBeGreaterThan(ATTACK_MS / 25 / 4);
    expect(honest.lost).toBeLessThanOrEqual(2);
    expect(probe.healthFailures).toBe(0);
    expect((await httpFrom('127.0.0.61', server.url, 'GET', '/healthz')).status).toBe(200);
  }

  it('a receiver that stops reading while 50 senders fill it is dropped; memory stays bounded', LIMIT, async () => {
    await underAttack('stalled receiver + 50 senders', async () => {
      const victim = await connectRawPeer(server.url, randomPeerId('sink'), 'ts', { localAddress: '127.20.9.1' });
      (victim.ws as unknown as { _socket: Socket })._socket.pause();
      const counts = await attacker(server.url, 'stall', victim.id);
      (victim.ws as unknown as { _socket: Socket })._socket.resume();
      const closed = await Promise.race([victim.closed, new Promise<undefined>((r) => setTimeout(() => r(undefined), 5000))]);
      expect(closed, 'the server kept the non-reading socket').toBeDefined();
      return `${counts.frames} frames of 15 KB (${(counts.bytes / MB).toFixed(0)} MB) sent to a socket that did not read; it was dropped`;
    });
  });

  it('50 sockets sending 64 KiB frames as fast as they can are cut off by the byte budgets', LIMIT, async () => {
    await underAttack('64 KiB frame flood, 50 sockets', async () => {
      const counts = await attacker(server.url, 'big');
      expect(counts.refused + counts.opened).toBeGreaterThan(50);
      return `${counts.frames} frames of 64 KiB (${(counts.bytes / MB).toFixed(0)} MB written by the attacker) from ${counts.opened} sockets (reconnecting, ${counts.refused} refused)`;
    });
  });

  it('50 sockets within their budgets flooding absent ids fill only the capped queue', LIMIT, async () => {
    await underAttack('absent-id flood, 50 sockets', async () => {
      const counts = await attacker(server.url, 'absent');
      return `${counts.frames} frames of 15 KB (${(counts.bytes / MB).toFixed(0)} MB) to ids nobody holds`;
    });
  });

  it('an attacker holding every signaling place (5,120 sockets from 320 addresses) cannot keep honest newcomers out', LIMIT, async () => {
    const held: RawPeer[] = [];
    const before = server.rss();
    const open = async (i: number): Promise<void> => {
      try {
        const p = await openRawPeer(server.url, randomPeerId('hold'), 't', 'hostmesh', { localAddress: loopback(i % 320, 30) });
        held.push(p);
        await p.next(() => true, 5000).catch(() => undefined);
      } catch { /* refused at TCP */ }
    };
    for (let i = 0; i < 16 * 320; i += 128) await Promise.all(Array.from({ length: 128 }, (_, k) => open(i + k)));
    const holding = held.filter((p) => p.ws.readyState === p.ws.OPEN).length;
    let admitted = 0;
    const newcomers: RawPeer[] = [];
    for (let i = 0; i < 50; i++) {
      const p = await openRawPeer(server.url, randomPeerId('new'), 't', 'hostmesh', { localAddress: loopback(i, 40) });
      newcomers.push(p);
      if ((await p.next(() => true, 5000)).type === 'OPEN') admitted++;
    }
    const rss = server.rss();
    console.log(`[floods] attacker opened ${held.length} sockets from 320 addresses, ${holding} held open (limit 5000); honest newcomers admitted: ${admitted}/50; server RSS ${(before / MB).toFixed(0)} -> ${(rss / MB).toFixed(0)} MB with ~5,000 sockets`);
    expect(holding).toBeGreaterThanOrEqual(4900);
    expect(admitted).toBe(50);
    expect(a.ws.readyState).toBe(a.ws.OPEN);
    a.send({ type: 'OFFER', dst: b.id, payload: { sdp: 'while-full' } });
    await b.next((m) => m.type === 'OFFER' && (m.payload as { sdp?: string }).sdp === 'while-full');
    for (const p of [...held, ...newcomers]) p.ws.terminate();
  });
});
