import { describe, expect, it } from 'vitest';
import { parseCli } from '../../server/src/cli-args.js';
import { resolveOptions } from '../../server/src/options.js';

describe('hostmesh-server arguments', () => {
  it('defaults to port 9000 on 0.0.0.0 with logging', () => {
    expect(parseCli([], {})).toEqual({ help: false, options: { port: 9000, host: '0.0.0.0', iceServers: [], proxied: false, log: true } });
  });

  it('reads env, and flags win over env', () => {
    const env = { PORT: '8080', HOST: '127.0.0.1', ICE_SERVERS: 'stun:a:3478, stun:b:3478', TURN_SECRET: 'sec', TURN_URLS: 'turn:t:3478', PUBLIC_DIR: '/srv' };
    const fromEnv = parseCli([], env);
    expect(fromEnv).toEqual({ help: false, options: {
      port: 8080, host: '127.0.0.1', iceServers: ['stun:a:3478', 'stun:b:3478'], proxied: false, log: true,
      publicDir: '/srv', turn: { urls: ['turn:t:3478'], secret: 'sec' },
    } });
    const fromFlags = parseCli(['--port', '0', '--host', '::', '--ice', 'stun:x', '--ice', 'stun:y', '--quiet', '--proxied'], env);
    expect(fromFlags.help).toBe(false);
    if (!fromFlags.help) {
      expect(fromFlags.options).toMatchObject({ port: 0, host: '::', iceServers: ['stun:x', 'stun:y'], log: false, proxied: true });
    }
  });

  it('reads the multi-node, STUN, logging and metrics settings; Redis needs a shared LOBBY_KEY', () => {
    const key = 'k'.repeat(32);
    const fromEnv = parseCli([], { REDIS_URL: 'redis://r:6379', LOBBY_KEY: key, REDIS_PREFIX: 'game:', NODE_ID: 'eu-1', STUN_PORT: '3478', STUN_ADVERTISE: 'stun.example.com:3478', LOG_LEVEL: 'warn', METRICS: 'off' });
    expect(fromEnv.help === false && fromEnv.options).toMatchObject({
      redisUrl: 'redis://r:6379', lobbyKey: key, redisPrefix: 'game:', nodeId: 'eu-1', stunPort: 3478, stunAdvertise: 'stun.example.com:3478', log: 'warn', metrics: false,
    });
    const fromFlags = parseCli(['--redis', 'redis://x:1', '--node-id', 'n2', '--stun-port', '0', '--log-level', 'debug'], { LOBBY_KEY: key, REDIS_URL: 'redis://r:6379' });
    expect(fromFlags.help === false && fromFlags.options).toMatchObject({ redisUrl: 'redis://x:1', nodeId: 'n2', stunPort: 0, log: 'debug' });
    expect(parseCli([], {}).help === false && (parseCli([], {}) as { options: { metrics?: boolean } }).options.metrics).toBe(undefined);
    expect(() => parseCli(['--redis', 'redis://r:6379'], {})).toThrow(/LOBBY_KEY to the same value on every node/);
    expect(() => parseCli(['--redis', 'http://r'], { LOBBY_KEY: key })).toThrow(/redis:\/\//);
    expect(() => parseCli(['--stun-port', '99999'], {})).toThrow(/--stun-port/);
    expect(() => parseCli(['--log-level', 'loud'], {})).toThrow(/--log-level/);
    expect(() => parseCli(['--node-id', 'a b'], {})).toThrow(/--node-id/);
    expect(() => resolveOptions({ redisUrl: 'redis://r:6379' })).toThrow(/lobbyKey/);
  });

  it('asks for help and refuses bad input with a sentence', () => {
    expect(parseCli(['-h'], {})).toEqual({ help: true });
    expect(() => parseCli(['--port', 'abc'], {})).toThrow(/--port must be a number/);
    expect(() => parseCli(['--port', '70000'], {})).toThrow(/--port/);
    expect(() => parseCli(['--turn-secret', 'x', '--turn-url', 'turn:t'], {})).toThrow(/--turn-secret-file/);
    expect(() => parseCli(['--turn-secret=x'], {})).toThrow(/ps, \/proc/);
    expect(() => parseCli([], { TURN_SECRET: 'x' })).toThrow(/TURN needs both/);
  });

  it('reads the TURN secret from a file (flag or env), trimmed', () => {
    const files: Record<string, string> = { '/run/secret': '  s3cret\n', '/run/empty': '\n' };
    const read = (p: string) => { const v = files[p]; if (v === undefined) throw new Error('ENOENT'); return v; };
    const a = parseCli(['--turn-secret-file', '/run/secret', '--turn-url', 'turn:t:3478'], {}, read);
    expect(a.help === false && a.options.turn).toEqual({ urls: ['turn:t:3478'], secret: 's3cret' });
    const b = parseCli([], { TURN_SECRET_FILE: '/run/secret', TURN_URLS: 'turn:t:3478' }, read);
    expect(b.help === false && b.options.turn?.secret).toBe('s3cret');
    expect(() => parseCli(['--turn-secret-file', '/run/empty', '--turn-url', 'turn:t'], {}, read)).toThrow(/empty/);
    expect(() => parseCli(['--turn-secret-file', '/nope', '--turn-url', 'turn:t'], {}, read)).toThrow(/cannot read/);
    expect(() => parseCli(['--bogus'], {})).toThrow();
  });

  it('resolveOptions fills defaults and names a bad option', () => {
    const o = resolveOptions({ port: 0 });
    expect(o).toMatchObject({ host: '127.0.0.1', lobbyGraceMs: 15_000, maxPlayersLimit: 64, maxConnectionsPerIp: 16, ticketTtlMs: 60_000 });
    expect(o.publicDir).toMatch(/dist[/\\]public$/);
    expect(resolveOptions({ iceServers: ['stun:x'] }).iceServers).toEqual([{ urls: 'stun:x' }]);
    expect(() => resolveOptions({ port: -1 })).toThrow(/"port"/);
    expect(() => resolveOptions({ maxPlayersLimit: 1 })).toThrow(/"maxPlayersLimit"/);
    expect(() => resolveOptions({ turn: { urls: [], secret: 'x' } })).toThrow(/"turn"/);
    expect(() => resolveOptions({ joinCodeLength: 3 })).toThrow(/"joinCodeLength"/);
  });

  it('per-address limits follow maxConnectionsPerIp and the join/create rates unless set', () => {
    expect(resolveOptions({})).toMatchObject({ signalingConnectsPerMinute: 120, signalingConnectBurst: 32, maxHttpConnectionsPerIp: 64, configRatePerMinute: 120, maxSignalingBytesPerSecondPerIp: 262_144 });
    const bench = resolveOptions({ maxConnectionsPerIp: 10_000, joinRatePerMinute: 100_000, createRatePerMinute: 100_000 });
    expect(bench).toMatchObject({ signalingConnectsPerMinute: 400_000, signalingConnectBurst: 20_000, maxHttpConnectionsPerIp: 40_000, configRatePerMinute: 400_000 });
    expect(resolveOptions({ maxConnectionsPerIp: 10_000, signalingConnectBurst: 5 }).signalingConnectBurst).toBe(5);
  });
});
