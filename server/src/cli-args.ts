/**
 * Command-line and environment parsing for `hostmesh-server` (flags win over env).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ServerOptions } from './options.js';

/** Usage text printed by `--help`. */
export const USAGE = `Usage: hostmesh-server [options]

Runs the hostmesh server: signaling (/peerjs), lobbies (/api), TURN credentials and the demo (/).

Options:
  --port <n>          port to listen on, 0 for any free port   (env PORT, default 9000)
  --host <addr>       interface to listen on                   (env HOST, default 0.0.0.0)
  --public-dir <dir>  static files served at /                 (env PUBLIC_DIR, default dist/public)
  --ice <url>         STUN/TURN url handed to clients, repeatable
                                                               (env ICE_SERVERS, comma separated)
  --turn-url <url>    TURN url for short-lived credentials, repeatable
                                                               (env TURN_URLS, comma separated)
  --turn-secret-file <path>
                      file holding the coturn static-auth-secret (env TURN_SECRET_FILE,
                      or the secret itself in env TURN_SECRET; never on the command line)
  --proxied           behind a reverse proxy: trust X-Forwarded-For (env PROXIED=1)
                      env LOBBY_KEY: key host secrets are issued under (16+ characters); keep it
                      across restarts so hosts get their lobby codes back (default: random)
  --quiet             no log lines
  -h, --help          show this help
`;

/** What the CLI should do. */
export type CliCommand = { help: true } | { help: false; options: ServerOptions };

function list(values: string[] | undefined, env: string | undefined): string[] {
  if (values !== undefined && values.length > 0) return values;
  return (env ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** Parses argv (without node and script) and env; throws an Error with a usage hint when invalid. */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): CliCommand {
  if (argv.some((a) => a === '--turn-secret' || a.startsWith('--turn-secret='))) {
    throw new Error('--turn-secret would show the secret to every user of this machine (ps, /proc). Put it in a file readable only by the server and pass --turn-secret-file <path>, or set TURN_SECRET in its environment.');
  }
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'public-dir': { type: 'string' },
      ice: { type: 'string', multiple: true },
      'turn-url': { type: 'string', multiple: true },
      'turn-secret-file': { type: 'string' },
      proxied: { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) return { help: true };
  const portText = values.port ?? env.PORT ?? '9000';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new Error(`--port must be a number from 0 to 65535 (got "${portText}").`);
  const turnUrls = list(values['turn-url'], env.TURN_URLS);
  const secretFile = values['turn-secret-file'] ?? env.TURN_SECRET_FILE;
  let turnSecret = env.TURN_SECRET;
  if (secretFile !== undefined && secretFile !== '') {
    try {
      turnSecret = readFile(secretFile).trim();
    } catch (err) {
      throw new Error(`cannot read the TURN secret file ${secretFile}: ${(err as Error).message}`);
    }
    if (turnSecret === '') throw new Error(`the TURN secret file ${secretFile} is empty.`);
  }
  if ((turnSecret !== undefined && turnSecret !== '') !== turnUrls.length > 0) {
    throw new Error('TURN needs both --turn-url (or TURN_URLS) and a secret: --turn-secret-file (or TURN_SECRET_FILE, or TURN_SECRET).');
  }
  const options: ServerOptions = {
    port,
    host: values.host ?? env.HOST ?? '0.0.0.0',
    iceServers: list(values.ice, env.ICE_SERVERS),
    proxied: values.proxied ?? (env.PROXIED === '1' || env.PROXIED === 'true'),
    log: values.quiet !== true,
  };
  if (env.LOBBY_KEY !== undefined && env.LOBBY_KEY !== '') {
    if (env.LOBBY_KEY.length < 16) throw new Error('LOBBY_KEY must be at least 16 characters (e.g. `openssl rand -base64 32`).');
    options.lobbyKey = env.LOBBY_KEY;
  }
  const publicDir = values['public-dir'] ?? env.PUBLIC_DIR;
  if (publicDir !== undefined) options.publicDir = publicDir;
  if (turnSecret !== undefined && turnSecret !== '') options.turn = { urls: turnUrls, secret: turnSecret };
  return { help: false, options };
}
