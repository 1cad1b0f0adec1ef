/**
 * Several server nodes on one real Redis, for tests: a redis-server on a free port, N server
 * processes (test/helpers/server-child.ts, bundled like dist/) sharing it and a lobby key, and,
 * optionally, nginx in front. `stop()` ends every process it started, also after a test failed.
 */
import { startChildServer, type ChildServer } from './server-attack.js';
import { startNginx, type Nginx } from './nginx.js';
import { startRedis, type RedisProcess } from './redis.js';

/** A running cluster. */
export interface TestCluster {
  redis: RedisProcess;
  /** The nodes, in order; `nodeIds[i]` is node i's id. */
  nodes: ChildServer[];
  nodeIds: string[];
  /** The load balancer, when asked for. */
  lb: Nginx | undefined;
  stop(): Promise<void>;
}

/** Every node gets the same key: hosts re-register their codes on whichever node they reach. */
export const CLUSTER_LOBBY_KEY = 'cluster-test-lobby-key-0123456789';

/** Starts `nodes` server processes on one Redis with `options`, behind nginx when `lb`. */
export async function startCluster(nodes: number, options: Record<string, unknown> = {}, lb = false): Promise<TestCluster> {
  const redis = await startRedis();
  const started: ChildServer[] = [];
  let balancer: Nginx | undefined;
  const nodeIds = Array.from({ length: nodes }, (_, i) => `node-${i + 1}`);
  const stop = async (): Promise<void> => {
    await balancer?.stop();
    await Promise.all(started.map((n) => n.stop()));
    await redis.stop();
  };
  try {
    for (const nodeId of nodeIds) {
      started.push(await startChildServer({ redisUrl: redis.url, lobbyKey: CLUSTER_LOBBY_KEY, nodeId, proxied: lb, ...options }));
    }
    if (lb) balancer = await startNginx(started.map((n) => Number(new URL(n.url).port)));
  } catch (err) {
    await stop();
    throw err;
  }
  return { redis, nodes: started, nodeIds, lb: balancer, stop };
}

/** The value of metric `name` (with `labels` matching) in a Prometheus text answer, 0 when absent. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/** GET /metrics of `url`. */
export async function metricsOf(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}
