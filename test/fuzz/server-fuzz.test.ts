/**
 * Seeded fuzzing of everything a remote client can send the server: signaling frames through
 * the frame filter (in process, most of the volume) and through real WebSockets, lobby API
 * inputs through LobbyService (in process) and through real HTTP routes. Properties: nothing
 * throws out of the filter; its verdicts are stable and within bounds; every API failure is a
 * typed 4xx ApiError with a sentence, never a 500; the server stays up and serves an honest
 * pair at the end. `npm test` runs a 50,000-input slice; `npm run fuzz` (HOSTMESH_FUZZ=full)
 * runs 1,000,000. Reproduce with HOSTMESH_FUZZ_SEED=<printed seed>.
 */
import { request, Agent } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/src/index.js';
import { ApiError } from '../../server/src/http/api-error.js';
import { LobbyService } from '../../server/src/lobbies/lobby-service.js';
import { localPeers } from '../../server/src/lobbies/peer-directory.js';
import { resolveOptions } from '../../server/src/options.js';
import { CLIENT_MESSAGE_TYPES, MAX_FRAME_DEPTH, checkSignalingFrame } from '../../server/src/signaling/signaling-frames.js';
import { nestsDeeperThan } from '../../server/src/signaling/json-depth.js';
import { closeAll, connectRawPeer, openRawPeer, randomPeerId, type RawPeer } from '../helpers/server-raw-peer.js';

const full = process.env.HOSTMESH_FUZZ === 'full';
const SEED = Number(process.env.HOSTMESH_FUZZ_SEED ?? 20_261_201);
const COUNTS = full
  ? { frames: 940_000, service: 40_000, http: 15_000, ws: 5000 }
  : { frames: 45_000, service: 2500, http: 2000, ws: 500 };
const TOTAL = COUNTS.frames + COUNTS.service + COUNTS.http + COUNTS.ws;
const figures: string[] = [];
/** Per-test time limit: the full run takes minutes on a 2-core machine. */
const LIMIT = { timeout: full ? 900_000 : 60_000 };

console.log(`[fuzz] seed ${SEED}, ${full ? 'full' : 'slice'}: ${TOTAL.toLocaleString('en')} inputs (${JSON.stringify(COUNTS)})`);

const peerId = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const anyType = fc.oneof(fc.constantFrom('HEARTBEAT', 'OFFER', 'ANSWER', 'CANDIDATE', 'LEAVE', 'EXPIRE', 'OPEN', 'ID-TAKEN', 'ERROR'), fc.string({ maxLength: 12 }));
const json = fc.jsonValue({ maxDepth: 6 });
const nested = fc.tuple(fc.integer({ min: 1, max: 3000 }), fc.constantFrom('[', '{"a":', '{"type":'), fc.boolean()).map(([n, open, closeIt]) => {
  const close = open === '[' ? ']' : '}';
  return open.repeat(n) + (open === '[' ? '' : '1') + (closeIt ? close.repeat(n) : '');
});
const messageText = fc.record({ type: anyType, dst: fc.oneof(peerId, json), payload: json, src: fc.string() }, { requiredKeys: [] }).map((m) => JSON.stringify(m));
const mutated = fc.tuple(messageText, fc.array(fc.tuple(fc.nat(), fc.string({ maxLength: 3, unit: 'binary' })), { maxLength: 4 })).map(([text, edits]) => {
  let t = text;
  for (const [at, s] of edits) { const i = at % (t.length + 1); t = t.slice(0, i) + s + t.slice(i + 1); }
  return t;
});
const deepFrame = fc.tuple(fc.constantFrom('OFFER', 'CANDIDATE'), peerId, nested).map(([type, dst, body]) => `{"type":"${type}","dst":"${dst}","payload":${body}}`);
/** Any frame text a hostile client might send. */
const frameText = fc.oneof(
  { weight: 4, arbitrary: messageText },
  { weight: 3, arbitrary: mutated },
  { weight: 2, arbitrary: deepFrame },
  { weight: 1, arbitrary: nested },
  { weight: 1, arbitrary: json.map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
);
const frame = fc.tuple(frameText, fc.nat({ max: 19 })).map(([text, r]) => ({ text, binary: r === 0 }));

describe('fuzz: signaling frame filter (in process)', () => {
  it(`${COUNTS.frames.toLocaleString('en')} frames: total, stable, bounded`, LIMIT, () => {
    let accepted = 0;
    const t0 = performance.now();
    fc.assert(fc.property(frame, ({ text, binary }) => {
      const verdict = checkSignalingFrame(Buffer.from(text), binary);
      if (!verdict.ok) {
        expect(verdict.reason.length).toBeGreaterThan(10);
        return;
      }
      accepted++;
      const out = JSON.parse(verdict.text) as { type: string; dst?: unknown };
      expect(CLIENT_MESSAGE_TYPES.has(out.type)).toBe(true);
      expect(nestsDeeperThan(verdict.text, MAX_FRAME_DEPTH)).toBe(false);
      expect(out.type === 'HEARTBEAT' || typeof out.dst === 'string').toBe(true);
      // Idempotent: what we forward passes again unchanged.
      expect(checkSignalingFrame(Buffer.from(verdict.text), false)).toEqual(verdict);
    }), { seed: SEED, numRuns: COUNTS.frames });
    const ms = performance.now() - t0;
    figures.push(`frame filter: ${COUNTS.frames.toLocaleString('en')} frames (${accepted.toLocaleString('en')} accepted), 0 throws, ${(ms / 1000).toFixed(1)} s`);
  });
});

describe('fuzz: lobby service (in process)', () => {
  it(`${COUNTS.service.toLocaleString('en')} API inputs: every failure is a typed 4xx ApiError`, LIMIT, async () => {
    const options = resolveOptions({ port: 0, maxLobbiesPerHost: 50, createRatePerMinute: 1e6, joinRatePerMinute: 1e6, lookupRatePerMinute: 1e6, listRatePerMinute: 1e6, codeMissesPerMinute: 1e6, globalCodeMissesPerMinute: 1e6 });
    const tokens = new Map([['host1', 'tok1'], ['host2', 'tok2']]);
    const service = new LobbyService({ options, peers: localPeers((id) => tokens.get(id)), onHosted: () => {} });
    const codes: string[] = [];
    const secrets: string[] = [];
    let ok = 0;
    const counts: Record<string, number> = {};
    const createBody = fc.record({
      name: fc.oneof(fc.string({ maxLength: 50, unit: 'binary' }), json), maxPlayers: fc.oneof(fc.integer({ min: -5, max: 80 }), json),
      public: fc.oneof(fc.boolean(), json), password: fc.oneof(fc.constant(undefined), fc.constant('pw'), json),
      meta: fc.oneof(fc.dictionary(fc.string({ maxLength: 40, unit: 'binary' }), fc.oneof(fc.string({ maxLength: 70, unit: 'binary' }), fc.double(), fc.boolean(), json), { maxKeys: 20 }), json),
      hostPeerId: fc.oneof(fc.constantFrom('host1', 'host2', 'nobody'), json), hostPeerToken: fc.oneof(fc.constantFrom('tok1', 'tok2', 'bad'), json),
    }, { requiredKeys: [] });
    const code = fc.oneof(fc.nat().map((i) => codes[i % Math.max(1, codes.length)] ?? 'ABCDEFGH'), fc.string({ maxLength: 40, unit: 'binary' }));
    const auth = fc.oneof(fc.constant(undefined), fc.nat().map((i) => `Bearer ${secrets[i % Math.max(1, secrets.length)] ?? 'x'}`), fc.string({ maxLength: 60 }));
    const validCreate = fc.record({
      name: fc.string({ minLength: 1, maxLength: 40 }), maxPlayers: fc.integer({ min: 2, max: 64 }), public: fc.boolean(),
      password: fc.oneof(fc.constant(undefined), fc.constant(undefined), fc.constant(undefined), fc.constant('pw')),
      hostPeerId: fc.constantFrom('host1', 'host2'), meta: fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.oneof(fc.integer(), fc.boolean()), { maxKeys: 4 }),
    }).map((b) => ({ ...b, hostPeerToken: b.hostPeerId === 'host1' ? 'tok1' : 'tok2' }));
    const op = fc.oneof(
      fc.record({ kind: fc.constant('create' as const), body: fc.oneof(createBody, json, validCreate, validCreate) }),
      fc.record({ kind: fc.constant('join' as const), code, body: fc.oneof(fc.record({ peerId: fc.oneof(peerId, json), password: fc.oneof(fc.constant('pw'), json) }, { requiredKeys: [] }), json) }),
      fc.record({ kind: fc.constant('get' as const), code }),
      fc.record({ kind: fc.constant('update' as const), code, auth, body: fc.oneof(fc.record({ players: json, open: json, name: json, meta: json }, { requiredKeys: [] }), json) }),
      fc.record({ kind: fc.constant('remove' as const), code, auth }),
      fc.record({ kind: fc.constant('list' as const), cursor: fc.oneof(fc.constant(undefined), fc.nat().map(String)), limit: fc.integer({ min: 1, max: 100 }) }),
    );
    const ip = fc.constantFrom('10.1.0.1', '10.1.0.2', '2001:db8::1');
    await fc.assert(fc.asyncProperty(op, ip, async (o, from) => {
      try {
        switch (o.kind) {
          case 'create': {
            const r = await service.create(from, o.body);
            codes.push(r.lobby.code);
            secrets.push(r.hostSecret);
            break;
          }
          case 'join': await service.join(from, o.code, o.body); break;
          case 'get': await service.get(from, o.code); break;
          case 'update': await service.update(from, o.code, o.auth, o.body); break;
          case 'remove': await service.remove(from, o.code, o.auth); break;
          case 'list': await service.list(from, o.cursor, o.limit); break;
        }
        ok++;
      } catch (err) {
        expect(err, String(err)).toBeInstanceOf(ApiError);
        const e = err as ApiError;
        expect(e.status >= 400 && e.status < 500, `${e.status} ${e.message}`).toBe(true);
        expect(e.message.length).toBeGreaterThan(10);
        counts[e.code] = (counts[e.code] ?? 0) + 1;
      }
    }), { seed: SEED, numRuns: COUNTS.service });
    figures.push(`lobby service: ${COUNTS.service.toLocaleString('en')} inputs, ${ok} succeeded, errors ${JSON.stringify(counts)}`);
    expect(await options.store.count()).toBeLessThanOrEqual(100);
  });
});

describe('fuzz: real server (HTTP routes and signaling sockets)', () => {
  let srv: RunningServer;
  let host: RawPeer;
  beforeAll(async () => {
    srv = await startServer({
      port: 0, signalingConnectsPerMinute: 1e9, signalingConnectBurst: 1e9, maxConnectionsPerIp: 10_000, maxHttpConnectionsPerIp: 10_000,
      createRatePerMinute: 600, maxLobbiesPerHost: 100,
    });
    host = await connectRawPeer(srv.url);
  });
  afterAll(async () => {
    await closeAll([host]);
    await srv.close();
    console.log(`[fuzz] seed ${SEED}\n${figures.map((f) => `[fuzz] ${f}`).join('\n')}`);
  });

  it(`${COUNTS.http.toLocaleString('en')} HTTP requests: never a 500, API errors are JSON with a sentence`, LIMIT, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const statuses: Record<number, number> = {};
    let clientRefused = 0;
    const segment = fc.oneof(fc.constantFrom('api', 'lobbies', 'join', 'config', 'healthz', 'peerjs', 'hostmesh', 'id', '..', '%2e%2e', '%E0%A4%A', '%00', 'ABCDEFGH'), fc.stringMatching(/^[A-Za-z0-9%._~-]{0,12}$/));
    const path = fc.oneof(
      fc.constantFrom('/api/lobbies', '/api/config', '/healthz', '/api/lobbies/ABCDEFGH', '/api/lobbies/ABCDEFGH/join', '/peerjs/hostmesh/id', '/'),
      fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => `/${s.join('/')}`),
    );
    const query = fc.oneof(fc.constant(''), fc.stringMatching(/^\?[A-Za-z0-9=&%[\]._-]{0,40}$/));
    const body = fc.oneof(
      fc.constant(undefined),
      json.map((v) => JSON.stringify(v)),
      fc.record({ name: json, maxPlayers: json, public: json, hostPeerId: fc.constant(host?.id ?? 'x'), hostPeerToken: fc.constant(host?.token ?? 'x'), meta: json }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
      nested,
      fc.string({ maxLength: 100 }),
      fc.nat({ max: 3 }).map((n) => 'x'.repeat(4000 * (n + 1))),
    );
    const req = fc.record({
      method: fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS', 'PUT', 'HEAD'), path, query, body,
      type: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', ''),
      auth: fc.oneof(fc.constant(''), fc.string({ maxLength: 50 }).map((s) => `Bearer ${s}`)),
    });
    await fc.assert(fc.asyncProperty(req, async (r) => {
      const answer = await new Promise<{ status: number; text: string } | undefined>((resolve) => {
        let sent;
        try {
          const headers: Record<string, string> = {};
          if (r.type !== '') headers['content-type'] = r.type;
          if (r.auth !== '') headers.authorization = r.auth;
          sent = request(`${srv.url}${r.path}${r.query}`, { method: r.method, agent, headers }, (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => { text += d; });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
            res.on('error', () => resolve(undefined));
          });
        } catch {
          clientRefused++;
          resolve(undefined);
          return;
        }
        sent.on('error', () => { clientRefused++; resolve(undefined); });
        sent.end(r.body);
      });
      if (answer === undefined) return;
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      expect(answer.status, `${r.method} ${r.path}${r.query} -> ${answer.status} ${answer.text.slice(0, 200)}`).toBeLessThan(500);
      if ((r.path.startsWith('/api') || answer.status === 400) && answer.status >= 400 && r.method !== 'HEAD') {
        let message = '';
        try { message = (JSON.parse(answer.text) as { error: { message: string } }).error.message; } catch { /* not JSON */ }
        expect(message.length, `${r.method} ${r.path}${r.query} -> ${answer.status} ${answer.text.slice(0, 200)}`).toBeGreaterThan(10);
      }
    }), { seed: SEED, numRuns: COUNTS.http });
    agent.destroy();
    figures.push(`HTTP routes: ${COUNTS.http.toLocaleString('en')} requests, statuses ${JSON.stringify(statuses)}, ${clientRefused} not sendable by the client`);
    expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
  });

  it(`${COUNTS.ws.toLocaleString('en')} frames through real signaling sockets: the server stays up and relays for honest peers`, LIMIT, async () => {
    let socket: RawPeer | undefined;
    let reconnects = 0;
    await fc.assert(fc.asyncProperty(frame, async ({ text, binary }) => {
      if (socket === undefined || socket.ws.readyState !== socket.ws.OPEN) {
        socket?.ws.terminate();
        socket = await openRawPeer(srv.url, randomPeerId('fz'), 't');
        await socket.next((m) => m.type === 'OPEN', 2000);
        reconnects++;
      }
      socket.ws.send(binary ? Buffer.from(text) : text);
      await new Promise((r) => setImmediate(r));
    }), { seed: SEED, numRuns: COUNTS.ws });
    socket?.ws.terminate();
    const a = await connectRawPeer(srv.url);
    const b = await connectRawPeer(srv.url);
    a.send({ type: 'OFFER', dst: b.id, payload: { sdp: 'after-fuzz' } });
    await b.next((m) => m.type === 'OFFER' && m.src === a.id);
    await closeAll([a, b]);
    figures.push(`signaling sockets: ${COUNTS.ws.toLocaleString('en')} frames over ${reconnects} sockets; server up, honest relay works`);
  });
});
