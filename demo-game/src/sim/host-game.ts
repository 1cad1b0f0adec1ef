/**
 * The host's authoritative game: players, their inputs, pickups and scores. Pure of any
 * networking or rendering: the net layer feeds it joins, leaves, inputs and the time, and
 * publishes `state` after each change. Every update builds new objects (never mutates a
 * published state), so the snapshot history can keep references.
 */
import type { State } from 'hostmesh';
import { ARENA, asPlayer, GAME_ID, MAX_PICKUPS, PICKUP_EVERY_MS, PLAYER_COLORS, type Phase, type PlayerEntity } from './arena.js';
import { applyInput } from './movement.js';
import { countPickups, findCollections, seededRandom, spawnPickup } from './pickups.js';
import { TAG_COOLDOWN_MS, tagTarget } from './tag.js';

/** Options of HostGame. */
export interface HostGameOptions {
  /** Seed of the pickup positions. Default: 1. */
  seed?: number;
  /** Whether players may join after the start. Default: true. */
  lateJoin?: boolean;
  /** Carry on a game another host ran: its newest state and checkpoint (after a host migration). */
  resume?: { state: State; checkpoint: unknown };
}

/** What the replicated state lacks and a successor needs: where the pickup RNG stands. */
export interface GameCheckpoint {
  seed: number;
  /** Numbers drawn from the RNG so far. */
  draws: number;
  /** Id number of the next pickup. */
  nextPickup: number;
}

/** `value` as a GameCheckpoint, if it is one. */
function asCheckpoint(value: unknown): GameCheckpoint | undefined {
  const c = value as Partial<GameCheckpoint> | null;
  return typeof c === 'object' && c !== null && Number.isSafeInteger(c.seed) && Number.isSafeInteger(c.draws) && Number.isSafeInteger(c.nextPickup)
    ? { seed: c.seed!, draws: Math.min(c.draws!, 1e6), nextPickup: c.nextPickup! } : undefined;
}

/** The authoritative arena game, run by the host. */
export class HostGame {
  private current: State;
  private readonly random: () => number;
  private readonly seed: number;
  private draws = 0;
  private nextPickup = 1;
  private lastSpawnMs = -Infinity;
  private readonly lastTagMs = new Map<string, number>();

  constructor(options: HostGameOptions = {}) {
    const resumed = asCheckpoint(options.resume?.checkpoint);
    this.seed = resumed?.seed ?? options.seed ?? 1;
    const rng = seededRandom(this.seed);
    this.random = () => { this.draws++; return rng(); };
    this.current = options.resume ? { ...options.resume.state } : { [GAME_ID]: { kind: 'game', phase: 'lobby', lateJoin: options.lateJoin ?? true } };
    if (resumed) {
      for (let i = 0; i < resumed.draws; i++) this.random();
      this.nextPickup = resumed.nextPickup;
    }
    // Pickups the last checkpoint did not count yet: never reuse their ids.
    for (const id of Object.keys(this.current)) {
      const n = /^k(\d+)$/.exec(id);
      if (n) this.nextPickup = Math.max(this.nextPickup, Number(n[1]) + 1);
    }
  }

  /** Where the RNG stands, for a successor (session.setCheckpoint). */
  get checkpoint(): GameCheckpoint {
    return { seed: this.seed, draws: this.draws, nextPickup: this.nextPickup };
  }

  /** True when a player has an avatar. */
  hasPlayer(id: string): boolean {
    return asPlayer(this.current[id]) !== undefined;
  }

  /** The current authoritative state. */
  get state(): State {
    return this.current;
  }

  /** The current phase. */
  get phase(): Phase {
    return this.current[GAME_ID]?.phase === 'play' ? 'play' : 'lobby';
  }

  /** Whether players may join after the start. */
  get lateJoin(): boolean {
    return this.current[GAME_ID]?.lateJoin !== false;
  }

  /** Adds a player avatar at a spawn point chosen by seat. */
  addPlayer(id: string, name: string, seat: number): void {
    const angle = (seat * 2 * Math.PI) / 8 + Math.PI / 8;
    const player: PlayerEntity = {
      kind: 'player', name, score: 0, angle: angle + Math.PI,
      x: Math.round(ARENA.width / 2 + Math.cos(angle) * 180),
      y: Math.round(ARENA.height / 2 + Math.sin(angle) * 180),
      color: PLAYER_COLORS[seat % PLAYER_COLORS.length] ?? 0xffffff,
    };
    this.current = { ...this.current, [id]: player };
  }

  /** Removes a player's avatar. */
  removePlayer(id: string): void {
    if (!(id in this.current)) return;
    const next = { ...this.current };
    delete next[id];
    this.current = next;
  }

  /** Starts play (scores reset); `lateJoin` says whether newcomers may still join. */
  start(lateJoin: boolean): void {
    const next: State = { ...this.current, [GAME_ID]: { kind: 'game', phase: 'play', lateJoin } };
    for (const [id, e] of Object.entries(next)) if (asPlayer(e)) next[id] = { ...e, score: 0 };
    this.current = next;
  }

  /** Lets newcomers join during play again, or stops them. */
  setLateJoin(lateJoin: boolean): void {
    const game = this.current[GAME_ID];
    if (game) this.current = { ...this.current, [GAME_ID]: { ...game, lateJoin } };
  }

  /** Applies one input of player `id` (ignored before the start); true when something changed. */
  input(id: string, raw: unknown): boolean {
    const before = asPlayer(this.current[id]);
    if (this.phase !== 'play' || !before) return false;
    const after = applyInput(before, raw);
    if (after === before) return false;
    this.current = { ...this.current, [id]: after };
    this.collect();
    return true;
  }

  /** Player `id` tags, judged against `seen` (the world as it saw it: `session.stateAt(id)`); true when it reached someone. */
  tag(id: string, seen: State | undefined, nowMs: number): boolean {
    const me = asPlayer(this.current[id]);
    if (this.phase !== 'play' || !me || !seen || nowMs - (this.lastTagMs.get(id) ?? -Infinity) < TAG_COOLDOWN_MS) return false;
    this.lastTagMs.set(id, nowMs);
    const hit = tagTarget(seen, id, me);
    const victim = hit === undefined ? undefined : asPlayer(this.current[hit]);
    if (!hit || !victim) return false;
    const stolen = victim.score > 0 ? 1 : 0;
    this.current = { ...this.current, [id]: { ...me, score: me.score + stolen }, [hit]: { ...victim, score: victim.score - stolen } };
    const game = this.current[GAME_ID];
    if (game) this.current = { ...this.current, [GAME_ID]: { ...game, lastTag: { by: id, hit, atMs: Math.round(nowMs) } } };
    return true;
  }

  /** Advances time-driven rules (pickup spawns) to `nowMs`; true when something changed. */
  step(nowMs: number): boolean {
    if (this.phase !== 'play') return false;
    if (nowMs - this.lastSpawnMs < PICKUP_EVERY_MS || countPickups(this.current) >= MAX_PICKUPS) return false;
    this.lastSpawnMs = nowMs;
    this.current = { ...this.current, [`k${this.nextPickup++}`]: spawnPickup(this.random) };
    this.collect();
    return true;
  }

  private collect(): void {
    const taken = findCollections(this.current);
    if (taken.length === 0) return;
    const next = { ...this.current };
    for (const { playerId, pickupId, value } of taken) {
      const p = asPlayer(next[playerId]);
      if (p) next[playerId] = { ...p, score: p.score + value };
      delete next[pickupId];
    }
    this.current = next;
  }
}
