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

function bandwidth(ageTicks: number, ticks = 600): { bytesPerTick: number; kbps: number; fullBytes: number; fullPackets: number } {
  const scene = cubeScene(900);
  const enc = new SnapshotEncoder({ schema, historyTicks: 64 });
  const dec = new SnapshotDecoder({ schema, keepTicks: 64 });
  let bytes = 0, fullBytes = 0, fullPackets = 0;
  for (let t = 0; t < ticks + 60; t++) {
    enc.commit(t, scene(t));
    const packets = enc.encodeFor(t >= ageTicks ? t - ageTicks : undefined);
    if (t === 0) { fullPackets = packets.length; fullBytes = packets.reduce((a, p) => a + p.length, 0); }
    for (const p of packets) dec.receive(p, t * 16);
    if (t >= 60) bytes += packets.reduce((a, p) => a + p.length + 1, 0); // + 1 type byte
  }
  const bytesPerTick = bytes / ticks;
  return { bytesPerTick, kbps: (bytesPerTick * 8 * 60) / 1000, fullBytes, fullPackets };
}

function timeIt(fn: (i: number) => void, minMs = 400): number {
  for (let i = 0; i < 200; i++) fn(i);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) for (let k = 0; k < 50; k++) fn(n++);
  return ((performance.now() - t0) * 1000) / n; // µs per op
}

function codecTiming(n: number): { jsonUs: number; fullUs: number; deltaUs: number } {
  const scene = cubeScene(n, 100);
  const states = Array.from({ length: 64 }, (_, t) => scene(t));
  const jsonUs = timeIt((i) => JSON.parse(JSON.stringify(states[i % 64])));
  const fullUs = timeIt((i) => {
    const enc = new SnapshotEncoder({ schema, historyTicks: 4 });
    const dec = new SnapshotDecoder({ schema });
    enc.commit(i, states[i % 64]!);
    for (const p of enc.encodeFor()) dec.receive(p, 0);
  });
  const enc = new SnapshotEncoder({ schema, historyTicks: 8 });
  const dec = new SnapshotDecoder({ schema, keepTicks: 8 });
  let tick = 0;
  enc.commit(tick, states[0]!);
  for (const p of enc.encodeFor()) dec.receive(p, 0);
  const deltaUs = timeIt((i) => {
    tick++;
    enc.commit(tick, states[i % 64]!);
    for (const p of enc.encodeFor(dec.ackTick)) dec.receive(p, 0);
  });
  return { jsonUs, fullUs, deltaUs };
}

console.log(`hostmesh codec-quick — node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}`);
console.log('900 cubes (x,y,z step 0.01 + quat 9 bits), 10% moving, 60 Hz, 600 ticks, +1 type byte per packet:');
for (const age of [1, 3, 6, 10]) {
  const b = bandwidth(age);
  console.log(`  baseline ${String(age).padStart(2)} ticks old: ${b.bytesPerTick.toFixed(0)} B/tick = ${b.kbps.toFixed(1)} kbit/s   (full snapshot: ${b.fullBytes} B in ${b.fullPackets} packets)`);
}
console.log('encode+decode per snapshot (all entities moving), µs:');
for (const n of [16, 128, 900]) {
  const t = codecTiming(n);
  console.log(`  ${String(n).padStart(3)} entities: JSON ${t.jsonUs.toFixed(1)}  full ${t.fullUs.toFixed(1)} (${(t.jsonUs / t.fullUs).toFixed(1)}x)  delta ${t.deltaUs.toFixed(1)} (${(t.jsonUs / t.deltaUs).toFixed(1)}x)`);
}
