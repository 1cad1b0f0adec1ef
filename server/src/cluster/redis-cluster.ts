/**
 * Signaling and lobbies across nodes on Redis. Each connected peer id has a presence entry
 * `<prefix>peer:<id>` = `<node> <sha256(token)>` with a TTL that its node's heartbeat renews, so
 * a dead node's peers vanish after `presenceTtlMs`. Claiming an id (before the WebSocket
 * handshake), releasing it (with a reservation `<prefix>resv:<id>` for its token, as on one node)
 * and routing are Lua scripts, atomic across nodes. Each node subscribes to its own channel
 * `<prefix>node:<id>`; a signaling message for an id that is not local is published there by
 * one script that looks the id up and publishes in the same step (in order, one round trip).
 * Pub/sub loses what is published while a node's subscriber is reconnecting: a lost OFFER
 * or CANDIDATE is retried by the peers' own connect timeouts, as on a lossy network.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import type { LimiterFactory } from '../limits/limiter.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import { guarded } from '../redis/connection.js';
import { LuaScript } from '../redis/lua.js';
import type { BusMessage, ClaimResult, Cluster, PeerLocation } from './cluster.js';
import { parseBusMessage } from './bus-message.js';
import { redisLimiters } from './redis-limiter.js';

/** Options of the Redis cluster. */
export interface RedisClusterOptions {
  /** Commands. */
  redis: Redis;
  /** A second connection, for subscribing. */
  subscriber: Redis;
  /** Key prefix. Default: 'hostmesh:'. */
  prefix?: string;
  /** This node's id. Default: random. */
  nodeId?: string;
  /** A presence entry lapses this long after its node's last heartbeat, ms. Default: 15000. */
  presenceTtlMs?: number;
  log: Logger;
  metrics?: ServerMetrics | undefined;
}

// KEYS: peer, resv. ARGV: node, token hash, ttl ms.
const CLAIM = new LuaScript(`
local cur = redis.call('GET', KEYS[1])
if cur then
  if string.sub(cur, -64) ~= ARGV[2] then return 'taken' end
else
  local r = redis.call('GET', KEYS[2])
  if r and r ~= ARGV[2] then return 'reserved' end
end
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. ARGV[2], 'PX', ARGV[3])
redis.call('DEL', KEYS[2])
return 'ok'`);

// KEYS: peer, resv. ARGV: node, token hash, reserve ms.
const RELEASE = new LuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] .. ' ' .. ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
if tonumber(ARGV[3]) > 0 then redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3]) end
return 1`);

// KEYS: peer... ARGV: node, ttl ms, token hash... Renews this node's entries; re-creates lapsed ones (a Redis restart).
const HEARTBEAT = new LuaScript(`
for i = 1, #KEYS do
  local mine = ARGV[1] .. ' ' .. ARGV[i + 2]
  local cur = redis.call('GET', KEYS[i])
  if not cur or cur == mine then redis.call('SET', KEYS[i], mine, 'PX', ARGV[2]) end
end
return 1`);

// KEYS: peer. ARGV: channel prefix, message. Publishes to the node holding the peer.
const ROUTE = new LuaScript(`
local cur = redis.call('GET', KEYS[1])
if not cur then return -1 end
local node = string.sub(cur, 1, #cur - 65)
return redis.call('PUBLISH', ARGV[1] .. node, ARGV[2])`);

/** Ids renewed per heartbeat script call. */
const HEARTBEAT_BATCH = 500;

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A Cluster on Redis. */
export class RedisCluster implements Cluster {
  readonly nodeId: string;
  readonly limiters: LimiterFactory;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly local = new Map<string, string>();
  private readonly handlers: ((message: BusMessage) => void)[] = [];
  private readonly timer: ReturnType<typeof setInterval>;
  private closed = false;

  constructor(private readonly options: RedisClusterOptions) {
    this.prefix = options.prefix ?? 'hostmesh:';
    this.nodeId = options.nodeId ?? randomBytes(6).toString('hex');
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(this.nodeId)) throw new RangeError(`Node id "${this.nodeId.slice(0, 80)}" must be 1 to 64 characters of A-Z, a-z, 0-9, _ . and -.`);
    this.ttlMs = options.presenceTtlMs ?? 15_000;
    this.limiters = redisLimiters(options.redis, this.prefix);
    this.timer = setInterval(() => { void this.heartbeat(); }, Math.max(100, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
    options.subscriber.on('messageBuffer', (_channel: Buffer, payload: Buffer) => this.receive(payload));
  }

  /** Subscribes to this node's channel; resolves once Redis confirmed. */
  async start(): Promise<void> {
    await guarded(() => this.options.subscriber.subscribe(this.channel(this.nodeId)));
  }

  async claim(id: string, token: string): Promise<ClaimResult> {
    try {
      const result = await this.timed('claim', () => CLAIM.run(this.options.redis, [this.peerKey(id), this.resvKey(id)], [this.nodeId, hashToken(token), this.ttlMs]));
      return result === 'taken' || result === 'reserved' || result === 'ok' ? result : 'unavailable';
    } catch {
      return 'unavailable';
    }
  }

  joined(id: string, token: string): void {
    this.local.set(id, hashToken(token));
  }

  left(id: string, token: string, reserveMs: number): void {
    this.local.delete(id);
    void this.timed('release', () => RELEASE.run(this.options.redis, [this.peerKey(id), this.resvKey(id)], [this.nodeId, hashToken(token), Math.max(0, Math.round(reserveMs))]))
      .catch((err: unknown) => this.options.log.warn(`presence of ${id} not released (it lapses in ${this.ttlMs} ms): ${(err as Error).message}`));
  }

  async locate(id: string): Promise<PeerLocation | undefined> {
    const value = await this.timed('locate', () => this.options.redis.get(this.peerKey(id)));
    if (value === null || value.length < 66) return undefined;
    return { node: value.slice(0, -65), tokenHash: value.slice(-64) };
  }

  async online(ids: readonly string[]): Promise<boolean[]> {
    if (ids.length === 0) return [];
    const values = await this.timed('online', () => this.options.redis.mget(...ids.map((id) => this.peerKey(id))));
    return values.map((v) => v !== null);
  }

  async route(dst: string, text: string): Promise<boolean> {
    const message = JSON.stringify({ kind: 'signal', dst, text } satisfies BusMessage);
    const receivers = Number(await this.timed('route', () => ROUTE.run(this.options.redis, [this.peerKey(dst)], [this.channel(''), message])));
    return receivers > 0;
  }

  async notifyHosted(host: string, code: string): Promise<void> {
    const message = JSON.stringify({ kind: 'hosted', host, code } satisfies BusMessage);
    await this.timed('route', () => ROUTE.run(this.options.redis, [this.peerKey(host)], [this.channel(''), message]));
  }

  onMessage(handler: (message: BusMessage) => void): void {
    this.handlers.push(handler);
  }

  async ready(): Promise<boolean> {
    try {
      return (await this.timed('ping', () => this.options.redis.ping())) === 'PONG' && this.options.subscriber.status === 'ready';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    const ids = [...this.local.entries()];
    this.local.clear();
    // Best effort: peers that reconnect elsewhere need not wait out their presence TTL.
    await Promise.all(ids.map(([id, hash]) => RELEASE.run(this.options.redis, [this.peerKey(id), this.resvKey(id)], [this.nodeId, hash, 0]).catch(() => {})));
    this.options.subscriber.disconnect();
    this.options.redis.disconnect();
  }

  /** Peers this node keeps presence for. */
  get localPeers(): number {
    return this.local.size;
  }

  private async heartbeat(): Promise<void> {
    const entries = [...this.local.entries()];
    for (let i = 0; i < entries.length && !this.closed; i += HEARTBEAT_BATCH) {
      const batch = entries.slice(i, i + HEARTBEAT_BATCH);
      try {
        await this.timed('heartbeat', () => HEARTBEAT.run(this.options.redis, batch.map(([id]) => this.peerKey(id)), [this.nodeId, this.ttlMs, ...batch.map(([, hash]) => hash)]));
      } catch {
        return; // Redis away: the next beat tries again (entries may lapse meanwhile; they are re-created)
      }
    }
  }

  private receive(payload: Buffer): void {
    const message = parseBusMessage(payload);
    if (message === undefined) {
      this.options.metrics?.signalingDropped.inc({ reason: 'bad_bus_message' });
      return;
    }
    for (const handler of this.handlers) {
      try {
        handler(message);
      } catch (err) {
        this.options.log.error(`bus message handler failed: ${(err as Error).message}`);
      }
    }
  }

  private async timed<T>(op: string, run: () => Promise<T>): Promise<T> {
    const end = this.options.metrics?.redisSeconds.startTimer({ op });
    try {
      return await guarded(run);
    } finally {
      end?.();
    }
  }

  private channel(node: string): string {
    return `${this.prefix}node:${node}`;
  }

  private peerKey(id: string): string {
    return `${this.prefix}peer:${id}`;
  }

  private resvKey(id: string): string {
    return `${this.prefix}resv:${id}`;
  }
}
