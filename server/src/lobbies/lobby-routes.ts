/**
 * The `/api` router: lobby routes and client config over LobbyService. JSON bodies are capped
 * at 8 KiB; every error is `{ error: { code, message } }`; unknown routes answer 404 JSON.
 * CORS is open (`*`): the API uses bearer secrets, not cookies, so any game page may call it.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { ApiError, apiErrorHandler } from '../http/api-error.js';
import { clientIp } from '../http/client-ip.js';
import { clientConfig } from '../ice/client-config.js';
import type { LobbyService } from './lobby-service.js';
import type { Logger } from '../log.js';
import type { ResolvedOptions } from '../options.js';

/** Largest accepted JSON body. */
export const MAX_BODY_BYTES = 8 * 1024;

type Handler = (req: Request, res: Response) => Promise<void>;

function route(handler: Handler) {
  return (req: Request, res: Response, next: NextFunction): void => {
    handler(req, res).catch(next);
  };
}

function codeParam(req: Request): string {
  return String(req.params.code ?? '');
}

/** Builds the `/api` router. */
export function lobbyRoutes(service: LobbyService, options: ResolvedOptions, log: Logger): Router {
  const router = express.Router();
  const ip = (req: Request): string => clientIp(req, options.proxied);

  router.use((req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Authorization');
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PATCH, DELETE, OPTIONS');
    if (req.method === 'OPTIONS') res.status(204).end();
    else next();
  });
  router.use(express.json({ limit: MAX_BODY_BYTES }));

  router.get('/config', route(async (_req, res) => {
    res.json(clientConfig(options));
  }));
  router.get('/lobbies', route(async (_req, res) => {
    res.json({ lobbies: await service.list() });
  }));
  router.post('/lobbies', route(async (req, res) => {
    res.status(201).json(await service.create(ip(req), req.body));
  }));
  router.get('/lobbies/:code', route(async (req, res) => {
    res.json({ lobby: await service.get(ip(req), codeParam(req)) });
  }));
  router.post('/lobbies/:code/join', route(async (req, res) => {
    res.json(await service.join(ip(req), codeParam(req), req.body));
  }));
  router.patch('/lobbies/:code', route(async (req, res) => {
    res.json({ lobby: await service.update(codeParam(req), req.headers.authorization, req.body) });
  }));
  router.delete('/lobbies/:code', route(async (req, res) => {
    await service.remove(codeParam(req), req.headers.authorization);
    res.status(204).end();
  }));

  router.use((req, _res, next) => {
    next(new ApiError(404, 'BAD_REQUEST', `No API route ${req.method} ${req.baseUrl}${req.path}. See docs/server.md for the routes.`));
  });
  router.use(apiErrorHandler(log));
  return router;
}
