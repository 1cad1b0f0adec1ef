/**
 * Seeded fuzzing of everything a remote peer's frames reach: a host's frame handling (link,
 * session routing, admission, relay, replication), a client's (membership from the host,
 * snapshots, relayed messages) and the snapshot decoder. Frames are random bytes, well-formed
 * frames of every type with random and near-valid bodies, bit-flipped and truncated copies of
 * valid frames, msgpackr reference cycles and deep nesting. After each batch of 1,000 the
 * session must be open, its roster what the host admitted, the honest member served, and no
 * frame may have taken long enough to stall a tick. `npm test` runs a 50,000-frame slice;
 * `npm run fuzz` (HOSTMESH_FUZZ=full) runs 1,000,000. HOSTMESH_FUZZ_SEED replays a run.
 */
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { HostmeshError } from '../../sdk/src/core/errors.js';
import type { Link } from '../../sdk/src/link/link.js';
import { isPlayerInfo } from '../../sdk/src/session/players.js';
import { SnapshotDecoder } from '../../sdk/src/snapshot/decoder.js';
import { SnapshotEncoder } from '../../sdk/src/snapshot/encoder.js';
import { encodeFrame } from '../../sdk/src/wire/codec.js';
import { MsgType } from '../../sdk/src/wire/protocol.js';
import { memoryClient, memoryHost, receive } from '../helpers/memory-session.js';

const full = process.env.HOSTMESH_FUZZ === 'full';
const SEED = Number(process.env.HOSTMESH_FUZZ_SEED ?? 20_261_201);
const FRAMES = full ? { host: 400_000, client: 300_000, decoder: 300_000 } : { host: 20_000, client: 15_000, decoder: 15_000 };
const BATCH = 1000;
/** A frame whose handling takes this long would stall a 30 Hz tick: never allowed (generous for GC pauses on a shared machine). */
const STALL_MS = 50;

const cloning = new Packr({ structuredClone: true });
const types = Object.values(MsgType);
const ids = fc.constantFrom('host', 'honest', 'f0', 'me', 'x', '', '__proto__', 'a'.repeat(300));
const value = fc.anything({ maxDepth: 4, maxKeys: 6, withNullPrototype: true, withTypedArray: true, withSparseArray: true, withBigInt: true, withDate: true });
const player = fc.record({ id: ids, name: fc.string({ maxLength: 40 }), isHost: fc.boolean(), seat: fc.oneof(fc.nat(100), fc.double()) }, { requiredKeys: [] });

/** Bodies shaped like each type's, with wrong or hostile field values. */
const shaped = fc.oneof(
  fc.record({ v: fc.oneof(fc.constant(1), value) }),
  fc.record({ s: fc.oneof(fc.integer(), value), t: fc.oneof(fc.double(), fc.string({ maxLength: 1200 })), h: value }, { requiredKeys: [] }),
  fc.record({ ticket: fc.oneof(fc.string({ maxLength: 200 }), value), name: fc.oneof(fc.string({ maxLength: 200 }), value) }, { requiredKeys: [] }),
  fc.record({ players: fc.array(player, { maxLength: 8 }), hostId: ids, tickRateHz: fc.oneof(fc.nat(200), value), schema: value }, { requiredKeys: [] }),
  fc.record({ player, id: ids, reason: value, code: fc.constantFrom('KICKED', 'RATE_LIMITED', 'X'), message: fc.string({ maxLength: 500 }) }, { requiredKeys: [] }),
  fc.record({ to: ids, f: ids, t: fc.oneof(fc.string({ maxLength: 80 }), value), d: value }, { requiredKeys: [] }),
  fc.record({ s: fc.oneof(fc.integer(), value), i: fc.oneof(fc.array(value, { maxLength: 40 }), value) }, { requiredKeys: [] }),
  fc.record({ k: fc.oneof(fc.integer(), fc.double(), value) }),
);

function safeEncode(type: number, body: unknown, reliable: boolean): Uint8Array {
  try { return encodeFrame(type, body, reliable); } catch { return Uint8Array.of(type); }
}

const typed = fc.tuple(fc.constantFrom(...types), fc.oneof(shaped, value), fc.boolean()).map(([t, b, r]) => ({ bytes: safeEncode(t, b, r), reliable: r }));
const mutated = fc.tuple(typed, fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 6 }), fc.nat()).map(([f, flips, cut]) => {
  const bytes = f.bytes.slice(0, Math.max(1, f.bytes.length - (cut % 4)));
  for (const [at, v] of flips) bytes[at % bytes.length] = v;
  return { bytes, reliable: f.reliable };
});
const cyclic = fc.tuple(fc.constantFrom(MsgType.RELAY, MsgType.USER, MsgType.INPUT, MsgType.JOIN), fc.nat(5)).map(([t, n]) => {
  const o: Record<string, unknown> = { to: 'honest', t: 'chat', s: 1 };
  o.d = o;
  o.i = [o, o];
  const shared = { s: 'x'.repeat(n * 20) };
  const packed = cloning.pack({ ...o, list: Array.from({ length: n + 2 }, () => shared) });
  const bytes = new Uint8Array(packed.length + 1);
  bytes[0] = t;
  bytes.set(packed, 1);
  return { bytes, reliable: true };
});
const deep = fc.tuple(fc.constantFrom(0x91, 0x81), fc.integer({ min: 30, max: 5000 }), fc.constantFrom(...types)).map(([b, n, t]) => {
  const bytes = new Uint8Array(1 + n * (b === 0x81 ? 2 : 1) + 1);
  bytes[0] = t;
  for (let i = 1; i < bytes.length - 1; i += b === 0x81 ? 2 : 1) { bytes[i] = b; if (b === 0x81) bytes[i + 1] = 0xa0; }
  return { bytes, reliable: true };
});
const random = fc.tuple(fc.uint8Array({ maxLength: 1500 }), fc.boolean()).map(([bytes, reliable]) => ({ bytes, reliable }));
const frames = fc.oneof({ arbitrary: typed, weight: 4 }, { arbitrary: mutated, weight: 3 }, { arbitrary: random, weight: 2 }, { arbitrary: cyclic, weight: 1 }, { arbitrary: deep, weight: 1 });

/** Frame handling times, for the figures. */
class Timing {
  worst = 0;
  count = 0;
  private readonly over100us: number[] = [];
  worstFrame = '';
  /** Frames that took past STALL_MS once but not when handled again (GC, the other processes on this machine). */
  noisy = 0;
  time(fn: () => void, bytes?: Uint8Array): void {
    const once = () => { const t0 = performance.now(); fn(); return performance.now() - t0; };
    let ms = once();
    // A pause from elsewhere does not repeat; a frame that is slow to handle is slow every time.
    if (ms >= STALL_MS) { const again = Math.min(once(), once()); if (again < STALL_MS) this.noisy++; ms = again; }
    this.count++;
    if (ms > this.worst) { this.worst = ms; this.worstFrame = bytes ? `type ${bytes[0]}, ${bytes.length} B` : ''; }
    if (ms > 0.1) this.over100us.push(ms);
  }
  report(what: string): string {
    return `[fuzz] ${what}: ${this.count} frames, worst ${this.worst.toFixed(2)} ms (${this.worstFrame}), ${this.over100us.length} over 0.1 ms, ${this.noisy} one-off pauses (seed ${SEED})`;
  }
}

const turn = () => new Promise((r) => setImmediate(r));

describe('fuzzing what peers send', () => {
  it(`host: ${FRAMES.host} frames from an admitted member never close the session, corrupt the roster or stall a tick`, async () => {
    const h = memoryHost();
    let ticks = 0;
    h.session.on('tick', (tick) => { ticks++; h.session.setState({ host: { x: tick % 100, y: 1 } }); });
    const honest = (await h.admit('honest', 'Hon'))!;
    let honestSnapshots = 0;
    honest.peerSide.on('message', (t) => { if (t === MsgType.SNAPSHOT) honestSnapshots++; });
    let n = 0;
    let fuzzer: Link = (await h.admit(`f${n}`))!.hostSide;
    const admitted = new Set(['host', 'honest', fuzzer.remoteId]);
    const timing = new Timing();
    const heap0 = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    for (let b = 0; timing.count < FRAMES.host; b++) {
      for (const f of fc.sample(frames, { seed: SEED + b, numRuns: BATCH })) {
        if (fuzzer.isClosed) { // a BYE (or a frame that made the host close it) ends that member; the next one joins
          admitted.delete(fuzzer.remoteId);
          fuzzer = (await h.admit(`f${++n}`))!.hostSide;
          admitted.add(fuzzer.remoteId);
        }
        timing.time(() => receive(fuzzer, f.bytes, f.reliable), f.bytes);
      }
      // Offers with hostile metadata: only a valid, unused ticket for the sender's own id passes.
      for (const meta of fc.sample(fc.oneof(value, fc.record({ kind: fc.constantFrom('join', 'mesh'), ticket: fc.oneof(fc.string(), fc.constant(h.ticket('zz'))) })), { seed: SEED - b, numRuns: 5 })) {
        expect(h.net.gate('intruder', meta)).toBe(false);
      }
      await turn();
      expect(h.session.isClosed).toBe(false);
      expect([...h.session.players.keys()].every((id) => admitted.has(id))).toBe(true);
      expect(h.session.players.has('honest')).toBe(true);
    }
    const elapsedS = (performance.now() - t0) / 1000;
    const before = honestSnapshots;
    await new Promise((r) => setTimeout(r, 200));
    expect(honestSnapshots).toBeGreaterThan(before); // still served after the run
    const heapMb = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
    console.log(`${timing.report('host')}; ${n} fuzzing members rejoined after a BYE; ${(ticks / elapsedS).toFixed(1)} ticks/s while fuzzing; heap ${heapMb >= 0 ? '+' : ''}${heapMb.toFixed(1)} MB`);
    expect(timing.worst).toBeLessThan(STALL_MS);
    expect(ticks / elapsedS).toBeGreaterThan(5); // the tick timer kept running between batches (a blocked loop gives ~0)
    await h.session.leave();
  }, full ? 900_000 : 60_000);

  it(`client: ${FRAMES.client} frames from the host and from mesh peers never close the session or grow it without bound`, async () => {
    const c = await memoryClient('me');
    const timing = new Timing();
    const noKick = frames.filter((f) => f.bytes[0] !== MsgType.REJECT && f.bytes[0] !== MsgType.BYE);
    let n = 0;
    let mesh = (await c.mesh(`m${n}`))!;
    for (let b = 0; timing.count < FRAMES.client; b++) {
      // Even batches come from the host, odd ones from a mesh peer (a new one whenever a BYE closed the last).
      const fromMesh = b % 2 === 1;
      for (const f of fc.sample(fromMesh ? frames : noKick, { seed: SEED + 7919 * b, numRuns: BATCH })) {
        if (fromMesh && mesh.isClosed) mesh = (await c.mesh(`m${++n}`))!;
        timing.time(() => receive(fromMesh ? mesh : c.hostLink, f.bytes, f.reliable), f.bytes);
      }
      await turn();
      expect(c.session.isClosed).toBe(false);
      expect(c.session.players.size).toBeLessThanOrEqual(64);
      expect([...c.session.players.values()].every(isPlayerInfo)).toBe(true);
      expect(c.session.players.get('me')).toBeDefined();
    }
    console.log(`${timing.report('client')}; ${n} mesh peers relinked after a BYE`);
    expect(timing.worst).toBeLessThan(STALL_MS);
    await c.session.leave();
  }, full ? 900_000 : 60_000);

  it(`snapshot decoder: ${FRAMES.decoder} hostile packets decode or fail with DECODE_FAILED, nothing else`, () => {
    const enc = new SnapshotEncoder({});
    const valid: Uint8Array[] = [];
    for (let t = 1; t <= 40; t++) {
      const state: Record<string, Record<string, number | string | boolean>> = {};
      for (let i = 0; i < 12; i++) state[`p${i}`] = { x: i * t, y: -t, angle: t / 7, hp: i, name: `n${i}`, alive: i % 2 === 0 };
      enc.commit(t, state);
      valid.push(...enc.encodeFor(t > 3 ? t - 3 : undefined));
    }
    const packets = fc.oneof(
      fc.tuple(fc.constantFrom(...valid), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 8 }), fc.nat(8)).map(([p, flips, cut]) => {
        const bytes = p.slice(0, Math.max(1, p.length - cut));
        for (const [at, v] of flips) bytes[at % bytes.length] = v;
        return bytes;
      }),
      fc.uint8Array({ maxLength: 1200 }),
    );
    const dec = new SnapshotDecoder({});
    const timing = new Timing();
    let decoded = 0;
    for (let b = 0; timing.count < FRAMES.decoder; b++) {
      const batch = fc.sample(packets, { seed: SEED + 104_729 * b, numRuns: BATCH });
      for (const p of batch) {
        timing.time(() => {
          try { dec.receive(p, b * 10); decoded++; } catch (err) {
            if (!(err instanceof HostmeshError) || err.code !== 'DECODE_FAILED') throw err;
          }
        }, p);
      }
      for (const p of valid.slice(0, 3)) { try { dec.receive(p, b * 10); } catch { /* stale or duplicate */ } }
    }
    console.log(`${timing.report('decoder')}; ${decoded} accepted`);
    expect(timing.worst).toBeLessThan(STALL_MS);
  }, full ? 900_000 : 60_000);
});
