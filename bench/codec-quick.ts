/**
 * Quick codec measurement: bandwidth of the 900-cube scene (Gaffer on Games' "901 cubes"
 * target: ≤ 256 kbit/s at 60 Hz) at several baseline ages, and encode+decode time of the
 * snapshot codec against JSON.stringify+JSON.parse for 16, 128 and 900 entities.
 * Run: npx esbuild bench/codec-quick.ts --bundle --platform=node --format=esm --outfile=/tmp/cq.mjs && node /tmp/cq.mjs
 */
import os from 'node:os';
import { SnapshotDecoder } from '../sdk/src/snapshot-decoder.js';
import { SnapshotEncoder } from '../sdk/src/snapshot-encoder.js';
import type { Entity, Schema, State } from '../sdk/src/schema.js';

const schema: Schema = {
  x: { type: 'float', step: 0.01 }, y: { type: 'float', step: 0.01 }, z: { type: 'float', step: 0.01 },
  q: { type: 'quat', fields: ['qx', 'qy', 'qz', 'qw'], bits: 9 },
};

/** Keeps results alive so the work cannot be optimized away. */
let sink: unknown;

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Cube { x: number; y: number; z: number; q: [number, number, number, number]; v: [number, number]; w: [number, number, number] }

/** n cubes on a grid; `movingPct`% of them (a set that drifts slowly) slide at 0.5-3 m/s and tumble at 0.5-3 rad/s. */
export function cubeScene(n: number, movingPct = 10, seed = 1): (tick: number) => State {
  const rand = rng(seed);
  const side = Math.ceil(Math.sqrt(n));
  const cubes: Cube[] = Array.from({ length: n }, (_, i) => {
    const speed = 0.5 + 2.5 * rand(), dir = rand() * 2 * Math.PI, spin = 0.5 + 2.5 * rand();
    const ax = [rand() - 0.5, rand() - 0.5, rand() - 0.5], len = Math.hypot(ax[0]!, ax[1]!, ax[2]!);
    return { x: (i % side) * 1.5, y: Math.floor(i / side) * 1.5, z: 0.5, q: [0, 0, 0, 1], v: [speed * Math.cos(dir), speed * Math.sin(dir)], w: [(spin * ax[0]!) / len, (spin * ax[1]!) / len, (spin * ax[2]!) / len] };
  });
  const moving = Math.round((n * movingPct) / 100);
  let last = 0;
  return (tick) => {
    for (; last < tick; last++) {
      const dt = 1 / 60, first = Math.floor(last / 30); // the moving window shifts by one cube every 30 ticks
      for (let j = 0; j < moving; j++) {
        const c = cubes[(first + j * Math.floor(n / moving)) % n]!;
        c.x += c.v[0] * dt; c.y += c.v[1] * dt;
        const [qx, qy, qz, qw] = c.q, [wx, wy, wz] = c.w;
        const h = dt / 2;
        const nq: [number, number, number, number] = [qx + h * (wx * qw + wy * qz - wz * qy), qy + h * (wy * qw + wz * qx - wx * qz), qz + h * (wz * qw + wx * qy - wy * qx), qw - h * (wx * qx + wy * qy + wz * qz)];
        const l = Math.hypot(...nq);
        c.q = [nq[0] / l, nq[1] / l, nq[2] / l, nq[3] / l];
      }
    }
    const s: State = {};
    cubes.forEach((c, i) => { s[`cube-${i}`] = { x: c.x, y: c.y, z: c.z, qx: c.q[0], qy: c.q[1], qz: c.q[2], qw: c.q[3] } satisfies Entity; });
    return s;
  };
}

function bandwidth(ageTicks: number, ticks = 600): { bytesPerTick: number; kbps: number; fullBytes: number; fullPackets: number; encodeUs: number; decodeUs: number } {
  const scene = cubeScene(900);
  const enc = new SnapshotEncoder({ schema, historyTicks: 64 });
  const dec = new SnapshotDecoder({ schema, keepTicks: 64 });
  let bytes = 0, fullBytes = 0, fullPackets = 0, encMs = 0, decMs = 0;
  for (let t = 0; t < ticks + 60; t++) {
    const state = scene(t);
    const t0 = performance.now();
    enc.commit(t, state);
    const packets = enc.encodeFor(t >= ageTicks ? t - ageTicks : undefined);
    const t1 = performance.now();
    if (t === 0) { fullPackets = packets.length; fullBytes = packets.reduce((a, p) => a + p.length, 0); }
    for (const p of packets) { const r = dec.receive(p, t * 16); if (r.complete) sink = r.state; }
    if (t >= 60) { encMs += t1 - t0; decMs += performance.now() - t1; }
    if (t >= 60) bytes += packets.reduce((a, p) => a + p.length + 1, 0); // + 1 type byte
  }
  const bytesPerTick = bytes / ticks;
  return { bytesPerTick, kbps: (bytesPerTick * 8 * 60) / 1000, fullBytes, fullPackets, encodeUs: (encMs * 1000) / ticks, decodeUs: (decMs * 1000) / ticks };
}

/** µs per call of `fn`, median of `rounds` timed rounds of ≥ `minMs` each. */
function timeIt(fn: (i: number) => void, rounds = 5, minMs = 150): number {
  let i = 0;
  for (let k = 0; k < 300; k++) fn(i++);
  const results: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < minMs) for (let k = 0; k < 20; k++, n++) fn(i++);
    results.push(((performance.now() - t0) * 1000) / n);
  }
  return results.sort((a, b) => a - b)[Math.floor(rounds / 2)] as number;
}

/** Encode+decode per tick, all entities moving: full snapshots, and deltas against the previous tick. */
function codecTiming(n: number): { jsonUs: number; fullUs: number; deltaUs: number; fullBytes: number; deltaBytes: number; jsonBytes: number } {
  const scene = cubeScene(n, 100);
  const states = Array.from({ length: 64 }, (_, t) => scene(t));
  const jsonUs = timeIt((i) => { sink = JSON.parse(JSON.stringify(states[i % 64])); });
  let tick = 0, fullBytes = 0, deltaBytes = 0;
  const fe = new SnapshotEncoder({ schema, historyTicks: 2 });
  const fd = new SnapshotDecoder({ schema, keepTicks: 2 });
  const fullUs = timeIt((i) => {
    fe.commit(++tick, states[i % 64]!);
    const packets = fe.encodeFor();
    fullBytes = packets.reduce((a, p) => a + p.length, 0);
    for (const p of packets) sink = fd.receive(p, 0).state;
  });
  const de = new SnapshotEncoder({ schema, historyTicks: 8 });
  const dd = new SnapshotDecoder({ schema, keepTicks: 8 });
  const deltaUs = timeIt((i) => {
    de.commit(++tick, states[i % 64]!);
    const packets = de.encodeFor(dd.ackTick);
    deltaBytes = packets.reduce((a, p) => a + p.length, 0);
    for (const p of packets) sink = dd.receive(p, 0).state;
  });
  return { jsonUs, fullUs, deltaUs, fullBytes, deltaBytes, jsonBytes: JSON.stringify(states[0]).length };
}

const results: Record<string, unknown> = { node: process.version, cpu: os.cpus()[0]?.model ?? 'cpu', cores: os.cpus().length };
console.log(`hostmesh codec-quick — node ${process.version}, ${results.cpu} x${results.cores}; timings are medians of 5 rounds`);
console.log('encode+decode per tick (all entities moving; delta = against the previous tick), µs:');
for (const n of [16, 128, 900]) {
  const t = codecTiming(n);
  results[`codec_${n}`] = t;
  console.log(`  ${String(n).padStart(3)} entities: JSON ${t.jsonUs.toFixed(1)} (${t.jsonBytes} B)  full ${t.fullUs.toFixed(1)} (${(t.jsonUs / t.fullUs).toFixed(2)}x, ${t.fullBytes} B)  delta ${t.deltaUs.toFixed(1)} (${(t.jsonUs / t.deltaUs).toFixed(2)}x, ${t.deltaBytes} B)`);
}
console.log('900 cubes (x,y,z step 0.01 + quat 9 bits), 10% moving, 60 Hz, 600 ticks, +1 type byte per packet:');
for (const age of [1, 3, 6, 10]) {
  const b = bandwidth(age);
  results[`bandwidth_age${age}`] = b;
  console.log(`  baseline ${String(age).padStart(2)} ticks old: ${b.bytesPerTick.toFixed(0)} B/tick = ${b.kbps.toFixed(1)} kbit/s   (full snapshot: ${b.fullBytes} B in ${b.fullPackets} packets); encode ${b.encodeUs.toFixed(0)} µs + decode ${b.decodeUs.toFixed(0)} µs per tick`);
}
console.log(JSON.stringify(results), typeof sink);
