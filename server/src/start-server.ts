/**
 * `startServer`: one Node HTTP server, one port, holding signaling (`/peerjs`), the lobby API
 * (`/api`), health (`/healthz`) and the built demo (`/`). `close()` releases everything: the
 * listening socket, open connections, signaling sockets, timers and (if it made it) the store.
 */
import { createServer, type Server } from 'node:http';
import express from 'express';
import { ApiError, apiErrorHandler } from './http/api-error.js';
import { answerClientErrors } from './http/client-error.js';
import { ConnectionGate } from './http/connection-gate.js';
import { HostWatch } from './lobbies/host-watch.js';
import { LobbyService } from './lobbies/lobby-service.js';
import { lobbyRoutes } from './lobbies/lobby-routes.js';
import { createLogger } from './log.js';
import { resolveOptions, type ServerOptions } from './options.js';
import { mountSignaling } from './signaling/signaling.js';
import { staticSite } from './http/static-site.js';

/** A running hostmesh server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:9000`. */
  url: string;
  /** The port listened on (the real one when `port: 0`). */
  port: number;
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

/** Starts a hostmesh server (signaling, lobbies, TURN credentials, demo files). */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const opts = resolveOptions(options);
  const log = createLogger(opts.log);
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
      (err: unknown) => log(`deleting lobbies of ${id} failed: ${String(err)}`),
    );
  });
  const service: LobbyService = new LobbyService({
    options: opts,
    peerToken: (id) => watch.tokenOf(id),
    onHosted: (id) => watch.watch(id),
    probe: (id) => signaling.probe(id),
  });

  app.get('/healthz', (_req, res, next) => {
    opts.store.count().then((lobbies) => res.set('Cache-Control', 'no-store').json({ ok: true, lobbies }), next);
  });
  app.use('/api', lobbyRoutes(service, opts, log));
  const signaling = mountSignaling(app, server, opts, log, {
    connected: (id, token) => { watch.peerConnected(id, token); service.hostBack(id); },
    disconnected: (id) => { watch.peerDisconnected(id); service.hostAway(id); },
    reservationMs: (id) => (service.hosts(id) ? Math.max(opts.idReservationMs, opts.lobbyGraceMs + 5000) : opts.idReservationMs),
  });
  app.use(staticSite(opts.publicDir));
  app.use((req, _res, next) => next(new ApiError(404, 'BAD_REQUEST', `Nothing at ${req.method} ${req.path}.`)));
  app.use(apiErrorHandler(log));

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      signaling.close();
      watch.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (opts.ownsStore) await opts.store.close();
      log('server closed');
    })();
    return closing;
  };

  try {
    const port = await listen(server, opts.port, opts.host);
    const url = baseUrl(opts.host, port);
    log(`bound to ${opts.host}:${port}; demo served from ${opts.publicDir}`); // the URL itself is the caller's to print
    return { url, port, close };
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
}
