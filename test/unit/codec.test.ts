/**
 * Frame codec: every message type round-trips on both channel kinds, SNAPSHOT bodies stay raw
 * bytes, and hostile frames fail fast with DECODE_FAILED instead of hanging, allocating or
 * polluting prototypes.
 */
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from '../../sdk/src/wire/codec.js';
import { HostmeshError } from '../../sdk/src/core/errors.js';
import { MAX_RELIABLE_BYTES, MAX_UNRELIABLE_BYTES, MsgType, PROTOCOL_VERSION, type MsgTypeCode } from '../../sdk/src/wire/protocol.js';

const player = { id: 'p-1', name: 'Ann', isHost: true, seat: 0 };
const bodies: Record<keyof typeof MsgType, unknown> = {
  HELLO: { v: PROTOCOL_VERSION },
  PING: { s: 7, t: 1234.5 },
  PONG: { s: 7, t: 1234.5, h: 99.25 },
  BYE: { r: 'local' },
  JOIN: { ticket: '1700000000000.abc-_', name: 'Bob' },
  WELCOME: { players: [player, { ...player, id: 'p-2', isHost: false, seat: 1 }], hostId: 'p-1' },
  REJECT: { code: 'LOBBY_FULL', message: 'full' },
  PLAYER_JOIN: { player },
  PLAYER_LEAVE: { id: 'p-2', reason: 'left' },
  REJOIN: { seat: '0123456789abcdef0123456789abcdef' },
  PLAYER_DISCONNECT: { id: 'p-2' },
  PLAYER_RECONNECT: { id: 'p-2' },
  USER: { t: 'chat', d: { text: 'héllo ✓', n: [1, -2, 3.5, null, true], nested: { deep: [{}] } } },
  RELAY: { to: 'p-3', t: 'chat', d: { text: 'via host' } },
  RELAYED: { f: 'p-2', t: 'chat', d: { text: 'via host' } },
  INPUT: { s: 42, i: [{ x: 1, y: -1 }, { x: 0, y: 0 }] },
  SNAPSHOT: Uint8Array.from([0, 1, 2, 250, 255]),
  SNAPSHOT_ACK: { k: 1001 },
  STATE_VALUE: { i: 'board', f: 'cells', k: 12, d: Uint8Array.from([0x92, 1, 2]) },
  HOST_STATE: { succession: { claimSecret: 'a.b', epoch: 2, bans: ['p-9'], nextSeat: 4, maxInputsPerSecond: 120, settings: { name: 'Arena', maxPlayers: 8, public: true, open: true } } },
  CHECKPOINT: { d: { seed: 12345, deck: [3, 1, 2] }, k: 77 },
  HANDOVER: { epoch: 0 },
  HOST_CHANGE: { epoch: 1, players: [player], hostId: 'p-1', tickRateHz: 30, seat: '0123456789abcdef0123456789abcdef' },
};

/** Expects `fn` to throw a DECODE_FAILED HostmeshError within `maxMs`. */
function expectDecodeFailed(fn: () => unknown, maxMs = 100): HostmeshError {
  const started = performance.now();
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(performance.now() - started).toBeLessThan(maxMs);
  expect(caught).toBeInstanceOf(HostmeshError);
  expect((caught as HostmeshError).code).toBe('DECODE_FAILED');
  return caught as HostmeshError;
}

/** A frame of `type` followed by `body` bytes. */
function frame(type: number, ...body: number[]): Uint8Array {
  return Uint8Array.from([type, ...body]);
}

describe('codec round trips', () => {
  for (const [name, body] of Object.entries(bodies)) {
    const type = MsgType[name as keyof typeof MsgType] as MsgTypeCode;
    for (const reliable of [true, false]) {
      it(`${name} (${reliable ? 'reliable' : 'unreliable'})`, () => {
        const bytes = encodeFrame(type, body, reliable);
        expect(bytes[0]).toBe(type);
        const decoded = decodeFrame(bytes, MAX_RELIABLE_BYTES, reliable);
        expect(decoded.type).toBe(type);
        expect(decoded.body).toEqual(body);
      });
    }
  }

  it('keeps a SNAPSHOT body as the raw bytes after the type byte', () => {
    const raw = Uint8Array.from([0x91, 0xc1, 0xff, 0x00]); // not valid msgpack on purpose
    const bytes = encodeFrame(MsgType.SNAPSHOT, raw, false);
    expect([...bytes]).toEqual([MsgType.SNAPSHOT, ...raw]);
    const { body } = decodeFrame(bytes, MAX_UNRELIABLE_BYTES, false);
    expect(body).toBeInstanceOf(Uint8Array);
    expect([...(body as Uint8Array)]).toEqual([...raw]);
  });

  it('decodes an ArrayBuffer, a DataView and an offset view alike', () => {
    const bytes = encodeFrame(MsgType.USER, { t: 'x', d: 1 });
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    const expected = { type: MsgType.USER, body: { t: 'x', d: 1 } };
    expect(decodeFrame(bytes.slice().buffer, 100)).toEqual(expected);
    expect(decodeFrame(new DataView(padded.buffer, 3), 100)).toEqual(expected);
    expect(decodeFrame(padded.subarray(3), 100)).toEqual(expected);
  });

  it('a type byte with no body decodes to an undefined body', () => {
    expect(decodeFrame(frame(MsgType.BYE), 100)).toEqual({ type: MsgType.BYE, body: undefined });
  });
});

describe('codec against hostile frames', () => {
  it('rejects an empty frame', () => {
    expectDecodeFailed(() => decodeFrame(new Uint8Array(0), 100));
    expectDecodeFailed(() => decodeFrame(new ArrayBuffer(0), 100));
  });

  it('rejects non-binary input', () => {
    for (const input of ['hello', 42, null, undefined, {}, [1, 2], { byteLength: 5 }]) {
      expectDecodeFailed(() => decodeFrame(input, 100));
    }
  });

  it('rejects a frame over the size cap before decoding it', () => {
    const big = encodeFrame(MsgType.USER, { t: 'x', d: 'y'.repeat(MAX_UNRELIABLE_BYTES) }, false);
    const err = expectDecodeFailed(() => decodeFrame(big, MAX_UNRELIABLE_BYTES, false));
    expect(err.message).toMatch(/limit/);
    expectDecodeFailed(() => decodeFrame(new Uint8Array(MAX_RELIABLE_BYTES + 1).fill(MsgType.USER), MAX_RELIABLE_BYTES));
    // Raw bodies are capped too.
    expectDecodeFailed(() => decodeFrame(new Uint8Array(MAX_UNRELIABLE_BYTES + 1).fill(MsgType.SNAPSHOT), MAX_UNRELIABLE_BYTES, false));
  });

  it('rejects truncated msgpack', () => {
    const whole = encodeFrame(MsgType.WELCOME, bodies.WELCOME);
    for (const cut of [2, 5, whole.length >> 1, whole.length - 1]) {
      expectDecodeFailed(() => decodeFrame(whole.subarray(0, cut), MAX_RELIABLE_BYTES));
    }
  });

  it('rejects trailing garbage after a complete body', () => {
    expectDecodeFailed(() => decodeFrame(frame(MsgType.USER, 0x01, 0x02), 100));
  });

  it('rejects declared huge lengths fast, without allocating them', () => {
    const huge = [0xff, 0xff, 0xff, 0xff];
    const cases = {
      str32: frame(MsgType.USER, 0xdb, ...huge, 0x61),
      bin32: frame(MsgType.USER, 0xc6, ...huge, 0x61),
      array32: frame(MsgType.USER, 0xdd, ...huge, 0x01),
      map32: frame(MsgType.USER, 0xdf, ...huge, 0xa1, 0x61, 0x01),
      ext32: frame(MsgType.USER, 0xc9, ...huge, 0x01, 0x00),
      array16: frame(MsgType.USER, 0xdc, 0xff, 0xff, 0x01),
      str8InMap: frame(MsgType.USER, 0x81, 0xd9, 0xff, 0x61),
    };
    const heapBefore = process.memoryUsage().heapUsed;
    for (const bytes of Object.values(cases)) {
      for (const reliable of [true, false]) expectDecodeFailed(() => decodeFrame(bytes, MAX_RELIABLE_BYTES, reliable), 50);
    }
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it('rejects 100k-deep nested arrays without crashing', () => {
    const deep = new Uint8Array(100_001).fill(0x91); // fixarray of 1, 100k times
    deep[0] = MsgType.USER;
    expectDecodeFailed(() => decodeFrame(deep, 200_000), 1000);
    const deepMaps = new Uint8Array(1 + 2 * 50_000);
    deepMaps[0] = MsgType.USER;
    for (let i = 1; i < deepMaps.length; i += 2) { deepMaps[i] = 0x81; deepMaps[i + 1] = 0xa0; } // { '': { '': ... } }
    expectDecodeFailed(() => decodeFrame(deepMaps, 200_000), 1000);
  });

  it('rejects unknown extension types', () => {
    expectDecodeFailed(() => decodeFrame(frame(MsgType.USER, 0xd4, 0x01, 0x00), 100));
  });

  it('carries the underlying error as cause and names the frame type', () => {
    const err = expectDecodeFailed(() => decodeFrame(frame(MsgType.INPUT, 0xdd, 0xff, 0xff, 0xff, 0xff), 100));
    expect(err.cause).toBeInstanceOf(Error);
    expect(err.message).toContain(String(MsgType.INPUT));
  });

  it('does not let __proto__ keys pollute Object.prototype', () => {
    // { "__proto__": { "polluted": 1 }, "constructor": { "prototype": { "polluted2": 1 } } } as raw msgpack
    const key = (s: string) => [0xa0 | s.length, ...new TextEncoder().encode(s)];
    const bytes = frame(MsgType.USER,
      0x82,
      ...key('__proto__'), 0x81, ...key('polluted'), 0x01,
      ...key('constructor'), 0x81, ...key('prototype'), 0x81, ...key('polluted2'), 0x01);
    for (const reliable of [true, false]) {
      const { body } = decodeFrame(bytes, 100, reliable);
      const obj = body as Record<string, unknown>;
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).polluted2).toBeUndefined();
      expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
      expect(obj.polluted).toBeUndefined();
    }
    // And the same through encodeFrame of a JSON-parsed object with an own __proto__ key.
    const hostile = JSON.parse('{"t":"x","d":{"__proto__":{"polluted3":1}}}') as unknown;
    const { body } = decodeFrame(encodeFrame(MsgType.USER, hostile), 100);
    expect(({} as Record<string, unknown>).polluted3).toBeUndefined();
    expect(Object.getPrototypeOf((body as { d: object }).d)).toBe(Object.prototype);
  });

  it('survives random garbage: every frame decodes or fails with DECODE_FAILED', () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < 2000; i++) {
      const bytes = Uint8Array.from({ length: 1 + Math.floor(rand() * 64) }, () => Math.floor(rand() * 256));
      try {
        decodeFrame(bytes, MAX_RELIABLE_BYTES, rand() < 0.5);
      } catch (err) {
        expect(err).toBeInstanceOf(HostmeshError);
        expect((err as HostmeshError).code).toBe('DECODE_FAILED');
      }
    }
  });
});
