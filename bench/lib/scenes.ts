/**
 * Deterministic worlds for the codec, bandwidth and host-cost benchmarks:
 * - `cubeScene(n)`: Gaffer on Games' "901 cubes" shape: n cubes with a position and a rotation
 *   quaternion, `movingPct`% of them sliding and tumbling each tick, the rest at rest.
 * - `arenaScene(players)`: the demo game's state shape (demo-game/src/sim/arena.ts): one
 *   `player` entity per player (x, y, angle, score, name, color), up to 7 `pickup`s and the
 *   `game` entity; every player runs at 260 px/s, turning now and then.
 */
import type { Schema, State } from '../../sdk/src/snapshot/schema.js';

/** The schema for the cube scene: centimetre positions, 9-bit smallest-three quaternions. */
export const cubeSchema: Schema = {
  x: { type: 'float', step: 0.01 }, y: { type: 'float', step: 0.01 }, z: { type: 'float', step: 0.01 },
  q: { type: 'quat', fields: ['qx', 'qy', 'qz', 'qw'], bits: 9 },
};

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A scene: `next()` advances one tick of `dtS` seconds and returns a fresh State object. */
export interface Scene {
  next(): State;
}

/** n cubes on a 1.5 m grid; `movingPct`% slide at 0.5-3 m/s and tumble at 0.5-3 rad/s. */
export function cubeScene(n: number, movingPct = 10, dtS = 1 / 60, seed = 1): Scene {
  const rand = rng(seed);
  const side = Math.ceil(Math.sqrt(n));
  const cubes = Array.from({ length: n }, (_, i) => {
    const a = [rand() - 0.5, rand() - 0.5, rand() - 0.5], len = Math.hypot(a[0]!, a[1]!, a[2]!), spin = 0.5 + 2.5 * rand();
    const speed = 0.5 + 2.5 * rand(), dir = rand() * 2 * Math.PI;
    return { x: (i % side) * 1.5, y: Math.floor(i / side) * 1.5, z: 0.5, q: [0, 0, 0, 1], vx: speed * Math.cos(dir), vy: speed * Math.sin(dir), w: a.map((c) => (c / len) * spin) };
  });
  const ids = cubes.map((_, i) => `c${i}`);
  const moving = Math.max(1, Math.round((n * movingPct) / 100));
  const stride = Math.max(1, Math.floor(n / moving));
  let tick = 0;
  return {
    next() {
      const first = Math.floor(tick++ / 30); // the moving set drifts by one cube every 30 ticks
      for (let j = 0; j < moving; j++) {
        const c = cubes[(first + j * stride) % n]!;
        c.x += c.vx * dtS; c.y += c.vy * dtS;
        const [qx, qy, qz, qw] = c.q as [number, number, number, number], [wx, wy, wz] = c.w as [number, number, number], h = dtS / 2;
        const nq = [qx + h * (wx * qw + wy * qz - wz * qy), qy + h * (wy * qw + wz * qx - wx * qz), qz + h * (wz * qw + wx * qy - wy * qx), qw - h * (wx * qx + wy * qy + wz * qz)];
        const l = Math.hypot(...nq);
        c.q = nq.map((v) => v / l);
      }
      const s: State = {};
      for (let i = 0; i < n; i++) {
        const c = cubes[i]!;
        s[ids[i]!] = { x: c.x, y: c.y, z: c.z, qx: c.q[0]!, qy: c.q[1]!, qz: c.q[2]!, qw: c.q[3]! };
      }
      return s;
    },
  };
}

/** The demo arena with `players` players running around (new objects every tick, like the demo's host). */
export function arenaScene(players: number, dtS = 1 / 60, seed = 2): Scene & { ids: string[] } {
  const rand = rng(seed);
  const W = 960, H = 600, SPEED = 260;
  const ps = Array.from({ length: players }, (_, i) => ({ id: `player-${i.toString(36)}-${Math.floor(rand() * 1e9).toString(36)}`, x: 100 + rand() * (W - 200), y: 100 + rand() * (H - 200), angle: rand() * 2 * Math.PI, score: 0, name: `Player ${i + 1}`, color: 0xf6c343 + i * 977 }));
  const pickups = Array.from({ length: 7 }, (_, i) => ({ id: `k${i + 1}`, x: Math.round(rand() * W), y: Math.round(rand() * H), value: 1 + (i % 3) }));
  let tick = 0;
  return {
    ids: ps.map((p) => p.id),
    next() {
      tick++;
      for (const p of ps) {
        if (rand() < 0.03) p.angle = rand() * 2 * Math.PI;
        p.x += Math.cos(p.angle) * SPEED * dtS; p.y += Math.sin(p.angle) * SPEED * dtS;
        if (p.x < 18 || p.x > W - 18) { p.angle = Math.PI - p.angle; p.x = Math.min(W - 18, Math.max(18, p.x)); }
        if (p.y < 18 || p.y > H - 18) { p.angle = -p.angle; p.y = Math.min(H - 18, Math.max(18, p.y)); }
      }
      if (tick % 90 === 0) { // a pickup is collected and respawns elsewhere every 1.5 s
        const k = pickups[(tick / 90) % pickups.length]!;
        k.x = Math.round(rand() * W); k.y = Math.round(rand() * H);
        ps[(tick / 90) % ps.length]!.score++;
      }
      const s: State = { game: { kind: 'game', phase: 'play', lateJoin: true } };
      for (const p of ps) s[p.id] = { kind: 'player', x: p.x, y: p.y, angle: p.angle, score: p.score, name: p.name, color: p.color };
      for (const k of pickups) s[k.id] = { kind: 'pickup', x: k.x, y: k.y, value: k.value };
      return s;
    },
  };
}

/**
 * A nested, turn-based world (issue 13): a `board` entity (an 8x8 grid of cells as nested arrays,
 * whose turn it is, the last 24 moves as objects: over one packet, so sent by reference) and 16
 * players with a position, a name and an inventory (an array of 3-8 `{ item, n, tags }` objects).
 * Each tick two players move, one player's inventory changes one count (in place), and every 10th
 * tick a move is played (a cell changes, the move list grows, the turn passes). The world is
 * changed in place, as a game would: the codec must notice changes inside nested values itself.
 */
export function nestedScene(players = 16, seed = 3): Scene {
  const rand = rng(seed);
  const ids = Array.from({ length: players }, (_, i) => `p${i}`);
  const items = ['sword', 'shield', 'potion', 'arrow', 'gem', 'key', 'map', 'torch'];
  const world: State = {
    board: { cells: Array.from({ length: 8 }, () => Array.from({ length: 8 }, () => 0)), turn: ids[0]!, moves: [] as { by: string; at: [number, number]; t: number }[] },
  };
  for (let i = 0; i < players; i++) {
    world[ids[i]!] = {
      x: Math.round(rand() * 96000) / 100, y: Math.round(rand() * 60000) / 100, name: `Player ${i + 1}`, hp: 100,
      inventory: Array.from({ length: 3 + (i % 6) }, (_, k) => ({ item: items[(i + k) % items.length]!, n: 1 + Math.floor(rand() * 9), tags: k % 2 ? ['rare'] : [] })),
    };
  }
  let tick = 0;
  return {
    next() {
      tick++;
      for (let j = 0; j < 2; j++) {
        const p = world[ids[(tick * 2 + j) % players]!] as { x: number; y: number };
        p.x = Math.round((p.x + (rand() - 0.5) * 8) * 100) / 100;
        p.y = Math.round((p.y + (rand() - 0.5) * 8) * 100) / 100;
      }
      const inv = (world[ids[tick % players]!] as { inventory: { n: number }[] }).inventory;
      inv[tick % inv.length]!.n = 1 + Math.floor(rand() * 9);
      if (tick % 10 === 0) {
        const b = world.board as { cells: number[][]; turn: string; moves: { by: string; at: [number, number]; t: number }[] };
        const r = Math.floor(rand() * 8), c = Math.floor(rand() * 8);
        b.cells[r]![c] = 1 + (tick % 2);
        b.moves.push({ by: b.turn, at: [r, c], t: tick });
        if (b.moves.length > 24) b.moves.shift();
        b.turn = ids[(ids.indexOf(b.turn) + 1) % players]!;
      }
      return world;
    },
  };
}
