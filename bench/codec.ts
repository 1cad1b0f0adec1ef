/**
 * Codec: encode and decode time and bytes of one world state, for the demo arena (8 players,
 * 16 entities, default schema) and the cube scene (16, 128, 900 cubes, 10% moving):
 * hostmesh's snapshot codec, full and delta (baseline 3 ticks old: what a client ~50 ms away
 * has acked at 60 Hz), against JSON, plain msgpackr (records off, as hostmesh's own frames)
 * and PeerJS's BinaryPack (its default serialization). Decoding hostmesh includes building the
 * plain state object, as JSON.parse does. Each sample is one state, made just before it is timed
 * (the same seeded sequence for every codec); figures are medians.
 */
import { Packr } from 'msgpackr';
import { pack as bpPack, unpack as bpUnpack } from 'peerjs-js-binarypack';
import { disableCodegen } from '../sdk/src/snapshot/compiled/codegen.js';
import { SnapshotDecoder } from '../sdk/src/snapshot/decoder.js';
import { SnapshotEncoder } from '../sdk/src/snapshot/encoder.js';
import { SNAPSHOT_PACKET_BUDGET } from '../sdk/src/wire/snapshot-frame.js';
import type { Schema, State } from '../sdk/src/snapshot/schema.js';
import { benchMode, mdTable, writeResult, type Goal } from './lib/report.js';
import { arenaScene, cubeScene, cubeSchema, nestedScene, type Scene } from './lib/scenes.js';
import { forEachRef } from '../sdk/src/snapshot/value-store.js';
import { median, percentile, ratio } from './lib/stats.js';

const mode = benchMode();
const ACK_LAG_TICKS = 3;
let sink: unknown;

interface CodecFigures { encodeUs: number; decodeUs: number; totalUs: number; meanTotalUs: number; encodeP99Us: number; decodeP99Us: number; bytes: number; packets?: number }
interface Case { name: string; entities: number; make: () => Scene; schema?: Schema; iters: number }

const it = (q: number, f: number) => (mode === 'smoke' ? 10 : mode === 'quick' ? q : f);
const cases: Case[] = [
  { name: 'arena-16', entities: 16, make: () => arenaScene(8), iters: it(1500, 6000) },
  { name: 'cubes-16', entities: 16, make: () => cubeScene(16), schema: cubeSchema, iters: it(1500, 6000) },
  { name: 'cubes-128', entities: 128, make: () => cubeScene(128), schema: cubeSchema, iters: it(300, 1500) },
  { name: 'cubes-900', entities: 900, make: () => cubeScene(900), schema: cubeSchema, iters: it(60, 300) },
  { name: 'nested-17', entities: 17, make: () => nestedScene(16), iters: it(1500, 6000) },
];

function figures(enc: number[], dec: number[], bytes: number[], packets?: number[]): CodecFigures {
  const e = [...enc].sort((a, b) => a - b), d = [...dec].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 1000 * 100) / 100; // ms -> µs, 2 decimals
  return {
    encodeUs: r(median(e)), decodeUs: r(median(d)), totalUs: r(median(e) + median(d)),
    // The mean includes the garbage-collection pauses that land inside timed calls; medians leave them out.
    meanTotalUs: r((e.reduce((a, x) => a + x, 0) + d.reduce((a, x) => a + x, 0)) / Math.max(1, e.length)),
    encodeP99Us: r(percentile(e, 99)), decodeP99Us: r(percentile(d, 99)), bytes: median(bytes),
    ...(packets ? { packets: median(packets) } : {}),
  };
}

/** Times a stateless codec over `count` states of a fresh `scene` (the first `warm` not recorded). */
function timeCodec(scene: Scene, count: number, warm: number, encode: (s: State) => unknown, decode: (b: unknown) => unknown, size: (b: unknown) => number): CodecFigures {
  const enc: number[] = [], dec: number[] = [], bytes: number[] = [];
  for (let i = 0; i < count; i++) {
    const state = scene.next();
    const t0 = performance.now();
    const b = encode(state);
    const t1 = performance.now();
    sink = decode(b);
    const t2 = performance.now();
    if (i < warm) continue;
    enc.push(t1 - t0); dec.push(t2 - t1); bytes.push(size(b));
  }
  return figures(enc, dec, bytes);
}

/** Times hostmesh's codec: commit + encodeFor (full, or against the tick acked `lag` ticks ago), then decode + build the state. */
function timeHostmesh(scene: Scene, count: number, warm: number, schema: Schema | undefined, lag: number | undefined): CodecFigures {
  const s = schema ? { schema } : {};
  const encoder = new SnapshotEncoder({ ...s, budgetBytes: SNAPSHOT_PACKET_BUDGET });
  const decoder = new SnapshotDecoder(s);
  const enc: number[] = [], dec: number[] = [], bytes: number[] = [], packets: number[] = [];
  const sentRefs = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const state = scene.next();
    const t0 = performance.now();
    encoder.commit(i, state);
    const ps = encoder.encodeFor(lag !== undefined && i >= lag ? i - lag : undefined);
    // Values sent by reference go once per version over the reliable channel: counted in this tick's bytes.
    let refBytes = 0;
    const fresh: [string, string, number, Uint8Array][] = [];
    forEachRef(encoder.quantizedAt(i)!, (id, field, p) => {
      const key = `${id}.${field}`;
      if (sentRefs.get(key) === p.ref) return;
      sentRefs.set(key, p.ref);
      refBytes += p.bytes.length + id.length + field.length + 12; // + the STATE_VALUE frame's header
      fresh.push([id, field, p.ref, p.bytes]);
    });
    const t1 = performance.now();
    for (const [id, field, version, b] of fresh) decoder.values.put(id, field, version, b); // the client's side of STATE_VALUE
    let got: State | undefined;
    for (const p of ps) { const r = decoder.receive(p, i); if (r.complete) got = r.state; }
    sink = got && Object.keys(got).length;
    const t2 = performance.now();
    if (!got) throw new Error(`tick ${i} did not complete`);
    if (i < warm) continue;
    enc.push(t1 - t0); dec.push(t2 - t1); bytes.push(ps.reduce((a, p) => a + p.length, 0) + refBytes); packets.push(ps.length);
  }
  return figures(enc, dec, bytes, packets);
}

/** Runs `fn` with run-time code generation off (the codec's general paths), then turns it back on. */
function withoutCodegen<T>(fn: () => T): T {
  disableCodegen(true);
  try {
    return fn();
  } finally {
    disableCodegen(false);
  }
}

const packr = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true });
const textEncoder = new TextEncoder();
const results: Record<string, Record<string, CodecFigures>> = {};

/** Ticks to run for a case: untimed warm-up (about 16,000 entities, so the JIT has settled) plus the timed ones. */
function ticksOf(c: Case): { warm: number; n: number } {
  const warm = Math.max(ACK_LAG_TICKS + 2, Math.floor(c.iters / 10), Math.ceil(16_000 / c.entities));
  return { warm, n: warm + c.iters };
}

for (const c of cases) {
  // Every codec sees the same sequence of states (a fresh scene with the same seed), each made
  // just before it is timed, as a host makes one per tick.
  const { warm, n } = ticksOf(c);
  results[c.name] = {
    'hostmesh-full': timeHostmesh(c.make(), n, warm, c.schema, undefined),
    'hostmesh-delta': timeHostmesh(c.make(), n, warm, c.schema, ACK_LAG_TICKS),
    json: timeCodec(c.make(), n, warm, (s) => JSON.stringify(s), (b) => JSON.parse(b as string), (b) => textEncoder.encode(b as string).length),
    msgpackr: timeCodec(c.make(), n, warm, (s) => packr.pack(s), (b) => packr.unpack(b as Uint8Array), (b) => (b as Uint8Array).length),
    binarypack: timeCodec(c.make(), n, warm, (s) => bpPack(s as never) as ArrayBuffer, (b) => bpUnpack(b as ArrayBuffer), (b) => (b as ArrayBuffer).byteLength),
  };
  console.log(`[codec] ${c.name}: ${JSON.stringify(results[c.name])}`);
}
// What a page whose Content Security Policy forbids eval gets: the general code paths. Timed
// after everything else, so their type feedback cannot slow the compiled paths above.
for (const c of cases) {
  const { warm, n } = ticksOf(c);
  const r = results[c.name]!;
  r['hostmesh-full-general'] = withoutCodegen(() => timeHostmesh(c.make(), n, warm, c.schema, undefined));
  r['hostmesh-delta-general'] = withoutCodegen(() => timeHostmesh(c.make(), n, warm, c.schema, ACK_LAG_TICKS));
  console.log(`[codec] ${c.name} general paths: ${JSON.stringify({ full: r['hostmesh-full-general'], delta: r['hostmesh-delta-general'] })}`);
}
void sink;

const codecs = ['hostmesh-full', 'hostmesh-delta', 'hostmesh-full-general', 'hostmesh-delta-general', 'json', 'msgpackr', 'binarypack'];
const rows = cases.flatMap((c) => codecs.map((k) => {
  const f = results[c.name]![k]!;
  const hm = results[c.name]!['hostmesh-full']!;
  return [c.name, k, f.encodeUs, f.decodeUs, f.totalUs, f.meanTotalUs, f.bytes, f.packets ?? null, ratio(f.totalUs, hm.totalUs), ratio(f.bytes, hm.bytes)];
}));
const goals: Goal[] = [];
// Both kinds of snapshot are held to the goals: the per-tick one a client gets (a delta against
// the tick it acked) and the full one (its first snapshot, or after a long loss).
const kinds = [['hostmesh-delta', 'per-tick snapshot, a delta against the acked tick'], ['hostmesh-full', 'full snapshot']] as const;
for (const name of ['cubes-16', 'arena-16']) {
  const r = results[name]!;
  for (const [key, what] of kinds) {
    const hm = r[key]!.totalUs;
    goals.push({
      goal: `codec at least 5× faster than JSON on 16 entities (${name}, encode + decode, ${what})`,
      met: r.json!.totalUs / hm >= 5,
      detail: `hostmesh ${hm} µs vs JSON ${r.json!.totalUs} µs: ×${ratio(r.json!.totalUs, hm)} (means, GC pauses included: ${r[key]!.meanTotalUs} vs ${r.json!.meanTotalUs} µs, ×${ratio(r.json!.meanTotalUs, r[key]!.meanTotalUs)})`,
    });
    goals.push({
      goal: `codec at least 50× faster than BinaryPack on 16 entities (${name}, encode + decode, ${what})`,
      met: r.binarypack!.totalUs / hm >= 50,
      detail: `hostmesh ${hm} µs vs BinaryPack ${r.binarypack!.totalUs} µs: ×${ratio(r.binarypack!.totalUs, hm)}`,
    });
  }
}
writeResult('codec', {
  config: { cases: cases.map(({ name, entities, iters }) => ({ name, entities, iters })), ackLagTicks: ACK_LAG_TICKS, packetBudgetBytes: SNAPSHOT_PACKET_BUDGET, timing: 'performance.now() around each encode and each decode; medians' },
  results, goals,
  notes: [
    'hostmesh encode = commit (quantize) + encodeFor; decode = every packet through SnapshotDecoder.receive + building the plain state object.',
    '"× time" and "× bytes" are relative to hostmesh-full of the same state (higher = hostmesh smaller/faster).',
    'arena-16 is the demo game shape: 8 players (x, y, angle, score, name, color), 7 pickups, 1 game entity; default schema.',
    'nested-17 (issue 13) is a board entity (8x8 nested cell arrays, turn, the last 24 moves: sent by reference) and 16 players with inventories (arrays of objects), changed in place each tick; hostmesh bytes include the values sent by reference over the reliable channel (once per new version, with their frame header).',
    'hostmesh-*-general: the same codec with run-time code generation off (what a page whose Content Security Policy forbids eval gets): same bytes, general code paths.',
  ],
}, `## Encode + decode per state (µs, medians) and bytes\n\n${mdTable(['state', 'codec', 'encode µs', 'decode µs', 'total µs', 'mean total µs', 'bytes', 'packets', '× time', '× bytes'], rows)}`);
process.exit(0);
