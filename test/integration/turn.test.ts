/**
 * TURN relay with a real coturn: the server hands out short-lived REST credentials (never the
 * secret); two Node peers forced to relay-only ICE still form a session and exchange messages,
 * which can only happen through the relay. Wrong credentials fail with PEER/HOST_UNREACHABLE.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, HostmeshError, type Session } from '../../sdk/src/node.js';
import { startServer } from '../../server/src/index.js';
import { startCoturn, turnserverPath, type Coturn } from '../helpers/coturn.js';
import { until } from '../helpers/wait.js';

const skip = !turnserverPath && !process.env.CI;

describe.skipIf(skip)(`TURN relay through coturn${skip ? ' (skipped: Debian coturn not installed; run scripts/setup-system.sh as root)' : ''}`, () => {
  let turn: Coturn;
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    turn = await startCoturn();
    server = await startServer({ port: 0, turn: { urls: [`turn:127.0.0.1:${turn.port}?transport=udp`], secret: turn.secret, ttlSeconds: 600 } });
  });
  afterAll(async () => {
    await server?.close();
    await turn?.stop();
  });

  it('hands out credentials, not the secret', async () => {
    const config = await (await fetch(`${server.url}/api/config`)).json() as { iceServers: { urls: string[]; username: string; credential: string }[] };
    const entry = config.iceServers[0]!;
    expect(entry.username).toMatch(/^\d+:/);
    expect(JSON.stringify(config)).not.toContain(turn.secret);
  });

  it('relay-only peers form a session and exchange messages through the relay', async () => {
    const opts = { server: server.url, iceTransportPolicy: 'relay' as const, connectTimeoutMs: 15_000 };
    const host = await connect(opts).host({ maxPlayers: 2 });
    let client: Session | undefined;
    try {
      client = await connect(opts).join(host.code);
      const got: unknown[] = [];
      host.onMessage('hi', (d) => got.push(d));
      client.send('hi', { via: 'relay' });
      await until(() => {
        client!.send('hi', { via: 'relay-unreliable' }, { reliable: false });
        return got.length >= 2;
      }, 5000, 'messages through TURN');
      expect(got[0]).toEqual({ via: 'relay' });
      const rtt = client.stats()[host.selfId]!.rttMs;
      console.log(`[turn] relay session up; heartbeat RTT ${Number.isNaN(rtt) ? 'n/a yet' : `${rtt.toFixed(2)} ms`}`);
    } finally {
      await client?.leave();
      await host.leave();
    }
  });

  it('relay-only peers with a TURN server that rejects them fail with a typed error', async () => {
    const bad = await startServer({ port: 0, turn: { urls: [`turn:127.0.0.1:${turn.port}?transport=udp`], secret: 'not-the-secret' } });
    try {
      const opts = { server: bad.url, iceTransportPolicy: 'relay' as const, connectTimeoutMs: 4000 };
      const host = await connect(opts).host({ maxPlayers: 2 });
      const err = await connect(opts).join(host.code).then(() => undefined, (e: unknown) => e as HostmeshError);
      await host.leave();
      expect(err).toBeInstanceOf(HostmeshError);
      expect(err!.code).toBe('HOST_UNREACHABLE');
    } finally {
      await bad.close();
    }
  });
});
