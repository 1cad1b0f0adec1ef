import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { clientConfig } from '../../server/src/ice/client-config.js';
import { turnCredentials } from '../../server/src/ice/turn-credentials.js';
import { PEER_KEY, PROTOCOL_VERSION } from '../../sdk/src/wire/protocol.js';

describe('TURN REST credentials', () => {
  const turn = { urls: ['turn:127.0.0.1:3478?transport=udp'], secret: 's3cret' };

  it('issues "<expiry>:<per-session user>" with base64(HMAC-SHA1(secret, username))', () => {
    const now = 1_700_000_000_123;
    const entry = turnCredentials(turn, now);
    expect(entry.urls).toEqual(turn.urls);
    expect(entry.username).toMatch(new RegExp(`^${1_700_000_000 + 3600}:hm[A-Za-z0-9_-]{22}$`));
    expect(turnCredentials(turn, now).username).not.toBe(entry.username);
    expect(turnCredentials(turn, now, 'u1').username).toBe(`${1_700_000_000 + 3600}:u1`);
    const expected = createHmac('sha1', 's3cret').update(entry.username!).digest('base64');
    expect(entry.credential).toBe(expected);
    expect(Buffer.from(entry.credential!, 'base64')).toHaveLength(20);
  });

  it('honours ttlSeconds', () => {
    const entry = turnCredentials({ ...turn, ttlSeconds: 60 }, 10_000, 'u');
    expect(entry.username).toBe('70:u');
  });

  it('client config adds TURN entries after the static list, never the secret', () => {
    const config = clientConfig({ iceServers: [{ urls: 'stun:stun.example.org:3478' }], turn }, 0);
    expect(config).toMatchObject({ protocolVersion: PROTOCOL_VERSION, peerPath: '/peerjs', peerKey: PEER_KEY });
    expect(config.iceServers).toHaveLength(2);
    expect(config.iceServers[0]).toEqual({ urls: 'stun:stun.example.org:3478' });
    expect(config.iceServers[1]?.username).toMatch(/^3600:hm/);
    expect(JSON.stringify(config)).not.toContain('s3cret');
    expect(clientConfig({ iceServers: [], turn: undefined }).iceServers).toEqual([]);
  });
});
