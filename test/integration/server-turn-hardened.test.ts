/**
 * The docs' hardened coturn recipe with a real coturn: a credential from the hostmesh server
 * gets an allocation, but no permission towards loopback (127.0.0.1), a private address
 * (10.0.0.1), link-local metadata (169.254.169.254), CGNAT or IPv4-mapped IPv6. The same
 * requests against the test config (loopback peers allowed) are granted, so the check can fail.
 * Nothing is ever sent to those addresses: CreatePermission only asks coturn.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/src/index.js';
import { startCoturn, turnserverPath, type Coturn } from '../helpers/coturn.js';
import { TurnClient } from '../helpers/server-turn-client.js';

const skip = !turnserverPath && !process.env.CI;

async function credentialFrom(server: RunningServer): Promise<{ username: string; credential: string }> {
  const config = await (await fetch(`${server.url}/api/config`)).json() as { iceServers: Array<{ username: string; credential: string }> };
  return config.iceServers[0]!;
}

describe.skipIf(skip)(`hardened coturn recipe${skip ? ' (skipped: Debian coturn not installed)' : ''}`, () => {
  let hardened: Coturn;
  let open: Coturn;
  let hServer: RunningServer;
  let oServer: RunningServer;
  beforeAll(async () => {
    hardened = await startCoturn({ hardened: true });
    open = await startCoturn();
    hServer = await startServer({ port: 0, turn: { urls: [`turn:127.0.0.1:${hardened.port}?transport=udp`], secret: hardened.secret } });
    oServer = await startServer({ port: 0, turn: { urls: [`turn:127.0.0.1:${open.port}?transport=udp`], secret: open.secret } });
  });
  afterAll(async () => {
    await hServer?.close();
    await oServer?.close();
    await hardened?.stop();
    await open?.stop();
  });

  it('issues a different TURN user per session', async () => {
    const a = await credentialFrom(hServer);
    const b = await credentialFrom(hServer);
    expect(a.username.split(':')[1]).not.toBe(b.username.split(':')[1]);
  });

  const denied = ['127.0.0.1', '10.0.0.1', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0'];

  it('refuses permissions towards loopback, private, link-local and CGNAT peers (403)', async () => {
    const { username, credential } = await credentialFrom(hServer);
    const client = new TurnClient({ host: '127.0.0.1', port: hardened.port }, username, credential, hardened.realm);
    try {
      const alloc = await client.allocate();
      expect(alloc, JSON.stringify(alloc)).toMatchObject({ ok: true });
      for (const ip of denied) {
        const answer = await client.createPermission(ip);
        expect(answer.ok, ip).toBe(false);
        expect(answer.code, `${ip}: ${answer.reason}`).toBe(403);
      }
      const mapped = await client.createPermission('::ffff:127.0.0.1');
      expect(mapped.ok).toBe(false);
    } finally {
      await client.close();
    }
  });

  it('the same credential check against the test config (loopback allowed) is granted, so the refusal above is the recipe', async () => {
    const { username, credential } = await credentialFrom(oServer);
    const client = new TurnClient({ host: '127.0.0.1', port: open.port }, username, credential, open.realm);
    try {
      expect((await client.allocate()).ok).toBe(true);
      expect((await client.createPermission('127.0.0.1')).ok).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('refuses an allocation with a forged credential (401)', async () => {
    const { username } = await credentialFrom(hServer);
    const client = new TurnClient({ host: '127.0.0.1', port: hardened.port }, username, 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=', hardened.realm);
    try {
      const answer = await client.allocate();
      expect(answer.ok).toBe(false);
      expect(answer.code).toBe(401);
    } finally {
      await client.close();
    }
  });
});
