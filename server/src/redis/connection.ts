/**
 * Connections to Redis (ioredis). Commands never queue while Redis is away
 * (`enableOfflineQueue: false`) and time out after `commandTimeoutMs`: a request that needs
 * Redis fails at once with StoreUnavailableError (503 SERVICE_UNAVAILABLE, retryable) instead
 * of hanging, while everything that does not need Redis (running games: their traffic is peer
 * to peer) carries on. ioredis reconnects by itself with back-off.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { StoreUnavailableError } from '../stores/store-unavailable.js';

/** How a connection behaves. */
export interface RedisConnectionOptions {
  /** `redis://[user:password@]host:port[/db]`. */
  url: string;
  /** A command fails after this long, ms. Default: 2000. */
  commandTimeoutMs?: number;
  /** Waiting for the first connection gives up after this long, ms. Default: 10000. */
  connectTimeoutMs?: number;
}

/** Opens a connection and waits until it is ready; throws StoreUnavailableError naming the URL's host when it cannot. */
export async function connectRedis(options: RedisConnectionOptions, log: Logger, name: string): Promise<Redis> {
  const redis = new Redis(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 2000,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    connectionName: name,
    // Back-off: 100 ms, 200 ms, ... at most 2 s between attempts, forever.
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
  });
  let lastLogMs = 0;
  redis.on('error', (err: Error) => {
    // One line per 10 s at most: an outage must not flood the log.
    const now = Date.now();
    if (now - lastLogMs < 10_000) return;
    lastLogMs = now;
    log.warn(`redis (${name}): ${err.message}`);
  });
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new StoreUnavailableError(`Cannot connect to Redis at ${safeUrl(options.url)} (${(err as Error).message}). Start Redis or fix REDIS_URL.`, { cause: err });
  }
  return redis;
}

/** The URL without its password, for messages. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable REDIS_URL)';
  }
}

/** Runs `op`; any Redis failure becomes StoreUnavailableError. */
export async function guarded<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (err instanceof StoreUnavailableError) throw err;
    throw new StoreUnavailableError(`Redis failed: ${(err as Error).message}`, { cause: err });
  }
}
