/**
 * Serves the built demo from `publicDir` at `/` (express.static: content types, index.html,
 * no directory traversal), cross-origin isolated (COOP/COEP) so benchmark pages get 5 µs
 * `performance.now()` resolution. Without a build, `/` explains how to make one.
 */
import { existsSync, statSync } from 'node:fs';
import express, { type Request, type Response, type Router } from 'express';

/** Headers that make a page cross-origin isolated. */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hostmesh server</title></head>
<body><h1>hostmesh server is running</h1>
<p>The demo game is not built yet: build the demo with <code>npm run build</code>, then reload this page.</p>
<p>API: <a href="/api/config">/api/config</a>, <a href="/api/lobbies">/api/lobbies</a>, <a href="/healthz">/healthz</a>.</p>
</body></html>
`;

function isDirectory(dir: string): boolean {
  return existsSync(dir) && statSync(dir).isDirectory();
}

/** A router serving `publicDir`, or the "build it first" page when it does not exist. */
export function staticSite(publicDir: string): Router {
  const router = express.Router();
  if (isDirectory(publicDir)) {
    router.use(express.static(publicDir, {
      index: 'index.html',
      dotfiles: 'ignore',
      setHeaders: (res) => {
        for (const [name, value] of Object.entries(ISOLATION_HEADERS)) res.setHeader(name, value);
      },
    }));
  } else {
    router.get('/', (_req: Request, res: Response) => {
      res.status(200).type('html').send(NOT_BUILT_PAGE);
    });
  }
  return router;
}
