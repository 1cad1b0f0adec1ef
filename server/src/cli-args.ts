/**
 * Command-line and environment parsing for `hostmesh-server` (flags win over env).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isLogLevel } from './log.js';
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
                      across restarts so hosts get their lobby codes back (default: random);
                      required with --redis, the same on every node
  --redis <url>       share lobbies, signaling and rate limits with every node on this Redis,
                      e.g. redis://127.0.0.1:6379                (env REDIS_URL)
  --redis-prefix <p>  prefix of every Redis key                 (env REDIS_PREFIX, default hostmesh:)
  --node-id <id>      this node's name in logs, metrics, Redis  (env NODE_ID, default random)
  --stun-port <n>     answer STUN binding requests on this UDP port and list it in /api/config
                                                               (env STUN_PORT)
  --stun-advertise <host:port>
                      the STUN address clients should use       (env STUN_ADVERTISE,
                                                               default: the host they reached)
  --log-level <l>     debug, info, warn or error; JSON lines on stderr (env LOG_LEVEL, default info)
  --no-metrics        no GET /metrics                            (env METRICS=off)
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
      redis: { type: 'string' },
      'redis-prefix': { type: 'string' },
      'node-id': { type: 'string' },
      'stun-port': { type: 'string' },
      'stun-advertise': { type: 'string' },
      'log-level': { type: 'string' },
      'no-metrics': { type: 'boolean' },
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
  const level = values['log-level'] ?? env.LOG_LEVEL;
  if (level !== undefined && level !== '' && !isLogLevel(level)) throw new Error(`--log-level must be debug, info, warn or error (got "${level.slice(0, 20)}").`);
  const options: ServerOptions = {
    port,
    host: values.host ?? env.HOST ?? '0.0.0.0',
    iceServers: list(values.ice, env.ICE_SERVERS),
    proxied: values.proxied ?? (env.PROXIED === '1' || env.PROXIED === 'true'),
    log: values.quiet === true ? false : isLogLevel(level) && level !== 'info' ? level : true,
  };
  if (env.LOBBY_KEY !== undefined && env.LOBBY_KEY !== '') {
    if (env.LOBBY_KEY.length < 16) throw new Error('LOBBY_KEY must be at least 16 characters (e.g. `openssl rand -base64 32`).');
    options.lobbyKey = env.LOBBY_KEY;
  }
  const redis = values.redis ?? env.REDIS_URL;
  if (redis !== undefined && redis !== '') {
    if (!/^rediss?:\/\//.test(redis)) throw new Error(`--redis must be a redis:// or rediss:// URL (e.g. redis://127.0.0.1:6379).`);
    if (options.lobbyKey === undefined) {
      throw new Error('With --redis (REDIS_URL), set LOBBY_KEY to the same value on every node (e.g. `openssl rand -base64 32`): a lobby made through one node is re-registered and claimed through another.');
    }
    options.redisUrl = redis;
  }
  const prefix = values['redis-prefix'] ?? env.REDIS_PREFIX;
  if (prefix !== undefined && prefix !== '') options.redisPrefix = prefix;
  const nodeId = values['node-id'] ?? env.NODE_ID;
  if (nodeId !== undefined && nodeId !== '') {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(nodeId)) throw new Error('--node-id must be 1 to 64 characters of A-Z, a-z, 0-9, _ . and -.');
    options.nodeId = nodeId;
  }
  const stunText = values['stun-port'] ?? env.STUN_PORT;
  if (stunText !== undefined && stunText !== '') {
    if (!/^\d+$/.test(stunText) || Number(stunText) > 65535) throw new Error(`--stun-port must be a number from 0 to 65535 (got "${stunText.slice(0, 20)}").`);
    options.stunPort = Number(stunText);
  }
  const advertise = values['stun-advertise'] ?? env.STUN_ADVERTISE;
  if (advertise !== undefined && advertise !== '') {
    if (!/^[A-Za-z0-9.:[\]-]{1,255}:\d{1,5}$/.test(advertise)) throw new Error('--stun-advertise must be host:port, e.g. stun.example.com:3478.');
    options.stunAdvertise = advertise;
  }
  if (values['no-metrics'] === true || env.METRICS === 'off' || env.METRICS === '0') options.metrics = false;
  const publicDir = values['public-dir'] ?? env.PUBLIC_DIR;
  if (publicDir !== undefined) options.publicDir = publicDir;
  if (turnSecret !== undefined && turnSecret !== '') options.turn = { urls: turnUrls, secret: turnSecret };
  return { help: false, options };
}
