/**
 * `startServer`: one Node HTTP server, one port, holding signaling (`/peerjs`), the lobby API
 * (`/api`), health (`/healthz`, `/readyz`), metrics (`/metrics`) and the built demo (`/`); with
 * `stunPort`, a STUN server on a UDP port; with `redisUrl`, lobbies, presence, signaling routes
 * and rate limits shared with the other nodes through Redis (cluster/). `close()` releases
 * everything: the listening sockets, open connections, signaling sockets, timers, Redis
 * connections and (if it made it) the store.
 */
import { createServer, type Server } from 'node:http';
import express from 'express';
import { ApiError, apiErrorHandler } from './http/api-error.js';
import { answerClientErrors } from './http/client-error.js';
import { ConnectionGate } from './http/connection-gate.js';
import { startStun, type RunningStun } from './ice/stun-server.js';
import { HostWatch } from './lobbies/host-watch.js';
import { LobbyService } from './lobbies/lobby-service.js';
import { lobbyRoutes } from './lobbies/lobby-routes.js';
import { localPeers, tokenHash, type PeerDirectory } from './lobbies/peer-directory.js';
import { createLogger, type Logger } from './log.js';
import { ServerMetrics } from './metrics/metrics.js';
import { resolveOptions, type ResolvedOptions, type ServerOptions } from './options.js';
import { mountSignaling } from './signaling/signaling.js';
import { staticSite } from './http/static-site.js';
import { connectRedis, safeUrl } from './redis/connection.js';
import { RedisCluster } from './cluster/redis-cluster.js';
import { RedisLobbyStore } from './stores/redis-store.js';

/** A running hostmesh server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:9000`. */
  url: string;
  /** The port listened on (the real one when `port: 0`). */
  port: number;
  /** This node's id (in logs, metrics and Redis). */
  nodeId: string;
  /** The UDP port of the built-in STUN server, when `stunPort` was given. */
  stunPort: number | undefined;
  /** Stops the server and releases every resource. Idempotent. */
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

function baseUrl(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return `http://127.0.0.1:${port}`;
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

/** Connects to Redis and swaps in the shared store, when `redisUrl` is set. */
async function joinCluster(opts: ResolvedOptions, log: Logger, metrics: ServerMetrics | undefined): Promise<{ opts: ResolvedOptions; cluster: RedisCluster | undefined }> {
  if (opts.redisUrl === undefined) return { opts, cluster: undefined };
  const url = opts.redisUrl;
  const redis = await connectRedis({ url }, log, `hostmesh-${opts.nodeId}`);
  let subscriber;
  try {
    subscriber = await connectRedis({ url }, log, `hostmesh-${opts.nodeId}-sub`);
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const cluster = new RedisCluster({ redis, subscriber, prefix: opts.redisPrefix, nodeId: opts.nodeId, presenceTtlMs: opts.presenceTtlMs, log, metrics });
  try {
    await cluster.start();
  } catch (err) {
    await cluster.close();
    throw err;
  }
  log(`node ${opts.nodeId} joined the cluster on ${safeUrl(url)} (prefix ${opts.redisPrefix})`);
  if (!opts.ownsStore) return { opts, cluster };
  await opts.store.close();
  return { opts: { ...opts, store: new RedisLobbyStore(redis, { prefix: opts.redisPrefix, ttlMs: opts.lobbyTtlMs }) }, cluster };
}

/** Where hosts are: this node's signaling, and with a cluster every node's presence entries. */
function peerDirectory(watch: HostWatch, cluster: RedisCluster | undefined): PeerDirectory {
  const local = localPeers((id) => watch.tokenOf(id));
  if (cluster === undefined) return local;
  return {
    tokenHash: async (id) => {
      const token = watch.tokenOf(id);
      return token === undefined ? (await cluster.locate(id))?.tokenHash : tokenHash(token);
    },
    online: async (ids) => {
      const remote = ids.filter((id) => !watch.isConnected(id));
      const found = await cluster.online(remote);
      const elsewhere = new Set(remote.filter((_, i) => found[i] === true));
      return ids.map((id) => watch.isConnected(id) || elsewhere.has(id));
    },
    isLocal: (id) => watch.isConnected(id),
  };
}

/** Starts a hostmesh server (signaling, lobbies, TURN credentials, STUN, demo files). */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const resolved = resolveOptions(options);
  const log = createLogger(resolved.log, { node: resolved.nodeId });
  let store = resolved.store;
  let sockets = (): number => 0;
  let peers = (): number => 0;
  const metrics = resolved.metrics ? new ServerMetrics({ sockets: () => sockets(), peers: () => peers(), lobbies: () => store.count() }, { node: resolved.nodeId }) : undefined;
  const { opts, cluster } = await joinCluster(resolved, log, metrics);
  store = opts.store;
  const app = express();
  app.disable('x-powered-by');
  const server = createServer({
    headersTimeout: opts.headersTimeoutMs,
    requestTimeout: opts.requestTimeoutMs,
    keepAliveTimeout: opts.keepAliveTimeoutMs,
    // Node checks the two timeouts above only this often (default 30 s).
    connectionsCheckingInterval: Math.min(1000, opts.headersTimeoutMs),
  }, app);
  answerClientErrors(server);
  new ConnectionGate(server, {
    maxPerAddress: opts.maxHttpConnectionsPerIp, maxTotal: opts.maxHttpConnections, proxied: opts.proxied,
  }, log);

  const watch = new HostWatch(opts.lobbyGraceMs, (id) => service.hosts(id), (id) => {
    service.hostGone(id).then(
      (codes) => {
        if (codes.length > 0) log(`host ${id} gone for ${opts.lobbyGraceMs} ms: deleted lobbies ${codes.join(', ')}`);
      },
      (err: unknown) => log.warn(`deleting lobbies of ${id} failed: ${String(err)}`),
    );
  });
  const service: LobbyService = new LobbyService({
    options: opts,
    peers: peerDirectory(watch, cluster),
    onHosted: (id) => watch.watch(id),
    // A host whose socket is on another node is taken as alive while its presence lives there.
    probe: (id) => (watch.isConnected(id) ? signaling.probe(id) : Promise.resolve(true)),
    ...(cluster === undefined ? {} : { handOff: (id: string, code: string) => cluster.notifyHosted(id, code), limiters: cluster.limiters }),
  });
  cluster?.onMessage((message) => {
    if (message.kind === 'hosted' && watch.isConnected(message.host)) service.adopt(message.host, message.code);
  });
  // With Redis, lobbies expire unless refreshed: this node keeps alive those whose host is here.
  const refresher = cluster === undefined ? undefined : setInterval(() => {
    const codes = service.codesOfConnectedHosts((id) => watch.isConnected(id));
    for (let i = 0; i < codes.length; i += 500) {
      store.refresh(codes.slice(i, i + 500)).catch((err: unknown) => log.warn(`refreshing lobbies failed (they lapse in ${opts.lobbyTtlMs} ms unless Redis is back): ${String(err)}`));
    }
  }, Math.max(250, Math.floor(opts.lobbyTtlMs / 4)));
  refresher?.unref();

  let stun: RunningStun | undefined;
  const stunUrl = opts.stunPort === undefined ? undefined : (req: express.Request): string => {
    if (opts.stunAdvertise !== undefined) return `stun:${opts.stunAdvertise}`;
    const host = req.hostname.includes(':') && !req.hostname.startsWith('[') ? `[${req.hostname}]` : req.hostname;
    return `stun:${host}:${stun!.port}`;
  };

  app.get('/healthz', (_req, res) => {
    // Liveness: this process answers. The lobby count is best effort (null while Redis is away).
    store.count().then((lobbies) => lobbies, () => null).then((lobbies) => res.set('Cache-Control', 'no-store').json({ ok: true, node: opts.nodeId, lobbies }));
  });
  app.get('/readyz', (_req, res) => {
    const ready = cluster === undefined ? Promise.resolve(true) : cluster.ready();
    void ready.then((ok) => {
      res.set('Cache-Control', 'no-store').status(ok ? 200 : 503).json(ok ? { ready: true, node: opts.nodeId }
        : { ready: false, node: opts.nodeId, reason: 'Redis does not answer: new lobbies and joins fail (503 SERVICE_UNAVAILABLE) until it is back; running games are not affected.' });
    });
  });
  if (metrics !== undefined) {
    app.get('/metrics', (_req, res, next) => {
      metrics.text().then((text) => res.set('Content-Type', metrics.contentType).set('Cache-Control', 'no-store').send(text), next);
    });
  }
  app.use('/api', lobbyRoutes(service, opts, log, { metrics, stunUrl }));
  const signaling = mountSignaling(app, server, opts, log, {
    connected: (id, token) => watch.peerConnected(id, token),
    disconnected: (id) => watch.peerDisconnected(id),
    reservationMs: (id) => (service.hosts(id) ? Math.max(opts.idReservationMs, opts.lobbyGraceMs + 5000) : opts.idReservationMs),
  }, { cluster, metrics });
  sockets = () => signaling.guard.connections;
  peers = () => signaling.guard.peers;
  app.use(staticSite(opts.publicDir));
  app.use((req, _res, next) => next(new ApiError(404, 'BAD_REQUEST', `Nothing at ${req.method} ${req.path}.`)));
  app.use(apiErrorHandler(log));

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (refresher !== undefined) clearInterval(refresher);
      stun?.close();
      signaling.close();
      watch.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (opts.ownsStore) await opts.store.close();
      await cluster?.close();
      log('server closed');
    })();
    return closing;
  };

  try {
    if (opts.stunPort !== undefined) stun = await startStun({ port: opts.stunPort, host: opts.host }, log);
    const port = await listen(server, opts.port, opts.host);
    const url = baseUrl(opts.host, port);
    log(`bound to ${opts.host}:${port}; demo served from ${opts.publicDir}${stun === undefined ? '' : `; STUN on udp ${stun.port}`}`); // the URL itself is the caller's to print
    return { url, port, nodeId: opts.nodeId, stunPort: stun?.port, close };
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
}
