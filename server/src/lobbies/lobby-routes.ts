/**
 * The `/api` router: lobby routes and client config over LobbyService. JSON bodies are capped
 * at 8 KiB; every error is `{ error: { code, message } }`; unknown routes answer 404 JSON.
 * CORS is open (`*`): the API uses bearer secrets, not cookies, so any game page may call it.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { ApiError, answerCode, apiErrorHandler, badRequest } from '../http/api-error.js';
import { addressKey, clientIp } from '../http/client-ip.js';
import { clientConfig } from '../ice/client-config.js';
import { RateLimiter } from '../limits/rate-limiter.js';
import { limited, type LobbyService } from './lobby-service.js';
import type { Logger } from '../log.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import type { ResolvedOptions } from '../options.js';

/** Largest accepted JSON body. */
export const MAX_BODY_BYTES = 8 * 1024;

/** Lobbies per page of `GET /api/lobbies`: default and most. */
export const LIST_PAGE = { default: 50, max: 100 } as const;

function one(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badRequest(`Pass "${name}" once, as a plain value.`);
  return value;
}

/** `?limit=&cursor=` of the lobby list, validated. */
export function listQuery(query: Request['query']): { cursor: string | undefined; limit: number } {
  const limitText = one(query.limit, 'limit');
  const cursor = one(query.cursor, 'cursor');
  const limit = limitText === undefined ? LIST_PAGE.default : Number(limitText);
  if (limitText !== undefined && (!/^\d{1,3}$/.test(limitText) || limit < 1 || limit > LIST_PAGE.max)) {
    throw badRequest(`"limit" must be a whole number from 1 to ${LIST_PAGE.max}.`);
  }
  if (cursor !== undefined && !/^\d{1,15}$/.test(cursor)) throw badRequest('"cursor" must be the "next" value of the previous page.');
  return { cursor, limit };
}

type Handler = (req: Request, res: Response) => Promise<void>;

/** Optional extras of the router: metrics, and the STUN server's `host:port` for `/config`. */
export interface RouteDeps {
  metrics?: ServerMetrics | undefined;
  /** The STUN url for a request, when the server runs one. */
  stunUrl?: ((req: Request) => string) | undefined;
}

function codeParam(req: Request): string {
  return String(req.params.code ?? '');
}

/** Builds the `/api` router. */
export function lobbyRoutes(service: LobbyService, options: ResolvedOptions, log: Logger, deps: RouteDeps = {}): Router {
  const router = express.Router();
  const route = (name: string, handler: Handler) => (req: Request, res: Response, next: NextFunction): void => {
    handler(req, res).then(
      () => deps.metrics?.apiRequests.inc({ route: name }),
      (err: unknown) => {
        deps.metrics?.apiRejections.inc({ route: name, code: answerCode(err) });
        next(err);
      },
    );
  };
  const ip = (req: Request): string => addressKey(clientIp(req, options.proxied));

  router.use((req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Authorization');
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
    if (req.method === 'OPTIONS') res.status(204).end();
    else next();
  });
  router.use(express.json({ limit: MAX_BODY_BYTES }));

  const configLimiter = new RateLimiter(options.configRatePerMinute);
  router.get('/config', route('config', async (req, res) => {
    limited(configLimiter.take(ip(req)), 'config requests');
    const config = clientConfig(options);
    if (deps.stunUrl !== undefined) config.iceServers.unshift({ urls: deps.stunUrl(req) });
    res.json(config);
  }));
  router.get('/lobbies', route('list', async (req, res) => {
    const { cursor, limit } = listQuery(req.query);
    res.json(await service.list(ip(req), cursor, limit));
  }));
  router.post('/lobbies', route('create', async (req, res) => {
    res.status(201).json(await service.create(ip(req), req.body));
  }));
  router.get('/lobbies/:code', route('lookup', async (req, res) => {
    res.json({ lobby: await service.get(ip(req), codeParam(req)) });
  }));
  router.post('/lobbies/:code/join', route('join', async (req, res) => {
    res.json(await service.join(ip(req), codeParam(req), req.body));
  }));
  router.get('/lobbies/:code/host', route('host', async (req, res) => {
    res.json(await service.hostStatus(ip(req), codeParam(req), req.headers.authorization));
  }));
  router.post('/lobbies/:code/claim', route('claim', async (req, res) => {
    res.json(await service.claim(ip(req), codeParam(req), req.headers.authorization, req.body));
  }));
  router.post('/lobbies/:code/release', route('release', async (req, res) => {
    await service.release(ip(req), codeParam(req), req.headers.authorization);
    res.status(204).end();
  }));
  router.patch('/lobbies/:code', route('update', async (req, res) => {
    res.json({ lobby: await service.update(ip(req), codeParam(req), req.headers.authorization, req.body) });
  }));
  router.put('/lobbies/:code', route('restore', async (req, res) => {
    res.json({ lobby: await service.restore(ip(req), codeParam(req), req.headers.authorization, req.body) });
  }));
  router.delete('/lobbies/:code', route('delete', async (req, res) => {
    await service.remove(ip(req), codeParam(req), req.headers.authorization);
    res.status(204).end();
  }));

  router.use((req, _res, next) => {
    next(new ApiError(404, 'BAD_REQUEST', `No API route ${req.method} ${req.baseUrl}${req.path}. See docs/server.md for the routes.`));
  });
  router.use(apiErrorHandler(log));
  return router;
}
