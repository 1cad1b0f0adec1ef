/**
 * Link over the in-memory transport: handshake, version check, delivery on both channels,
 * size limits, malformed frames, heartbeat timeout, close semantics, backpressure and the
 * heartbeat's RTT and loss figures. Fake timers and an injected clock: no sockets, no sleeps.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeFrame } from '../../sdk/src/wire/codec.js';
import { HostmeshError } from '../../sdk/src/core/errors.js';
import { Link, type LinkCloseReason, type LinkOptions } from '../../sdk/src/link/link.js';
import { memoryChannelPair, type MemoryChannelOptions, type MemoryLinkChannels } from '../../sdk/src/link/memory-channel.js';
import { MAX_RELIABLE_BYTES, MAX_UNRELIABLE_BYTES, MsgType, PROTOCOL_VERSION } from '../../sdk/src/wire/protocol.js';

const opts = { heartbeatIntervalMs: 100, timeoutMs: 500, handshakeTimeoutMs: 2000, now: () => Date.now() } satisfies Partial<LinkOptions>;

/** Lets queued microtask deliveries (and the replies they trigger) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** Records every event of a link. */
function record(link: Link) {
  const log = {
    ready: 0,
    messages: [] as [number, unknown, boolean][],
    closes: [] as [LinkCloseReason, HostmeshError | undefined][],
    decodeErrors: [] as HostmeshError[],
  };
  link.on('ready', () => log.ready++);
  link.on('message', (type, body, reliable) => log.messages.push([type, body, reliable]));
  link.on('close', (reason, error) => log.closes.push([reason, error]));
  link.on('decodeError', (err) => log.decodeErrors.push(err));
  return log;
}

/** Two links joined by an in-memory pair; `a` is on end `ends.a`, `b` on `ends.b`. */
async function linkedPair(linkOpts: Partial<LinkOptions> = {}, channelOpts: Partial<MemoryChannelOptions> = {}) {
  const ends = memoryChannelPair(channelOpts);
  const a = new Link('peer-b', ends.a, { ...opts, ...linkOpts });
  const b = new Link('peer-a', ends.b, { ...opts, ...linkOpts });
  const logA = record(a);
  const logB = record(b);
  await settle();
  return { ends, a, b, logA, logB };
}

/** Raw frames the remote end receives (for links talking to a hand-driven end). */
function rawInbox(end: MemoryLinkChannels): { reliable: number[]; unreliable: number[] } {
  const inbox = { reliable: [] as number[], unreliable: [] as number[] };
  end.reliable.addEventListener('message', (ev) => inbox.reliable.push(new Uint8Array(ev.data as ArrayBuffer)[0]!));
  end.unreliable.addEventListener('message', (ev) => inbox.unreliable.push(new Uint8Array(ev.data as ArrayBuffer)[0]!));
  return inbox;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('memoryChannelPair', () => {
  it('delivers asynchronously, as ArrayBuffer copies, and counts bufferedAmount until delivery', async () => {
    const { a, b } = memoryChannelPair();
    const got: unknown[] = [];
    b.reliable.addEventListener('message', (ev) => got.push(ev.data));
    const bytes = Uint8Array.from([1, 2, 3]);
    a.reliable.send(bytes);
    bytes[0] = 9;
    expect(got).toEqual([]);
    expect(a.reliable.bufferedAmount).toBe(3);
    await settle();
    expect(a.reliable.bufferedAmount).toBe(0);
    expect(got).toHaveLength(1);
    expect(got[0]).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(got[0] as ArrayBuffer)]).toEqual([1, 2, 3]);
  });

  it('dispose() closes all four channels once; send afterwards throws', async () => {
    const { a, b } = memoryChannelPair();
    const closes: string[] = [];
    for (const [name, ch] of Object.entries({ ar: a.reliable, au: a.unreliable, br: b.reliable, bu: b.unreliable })) {
      ch.addEventListener('close', () => closes.push(name));
    }
    a.dispose();
    a.dispose();
    await settle();
    expect(closes.sort()).toEqual(['ar', 'au', 'br', 'bu']);
    expect(b.reliable.readyState).toBe('closed');
    expect(() => b.reliable.send(new Uint8Array(1))).toThrow(/InvalidState/);
  });

  it('simulates loss on the unreliable channel only, and latency on both', async () => {
    const { a, b } = memoryChannelPair({ unreliableLoss: 1, latencyMs: 30 });
    let reliable = 0;
    let unreliable = 0;
    b.reliable.addEventListener('message', () => reliable++);
    b.unreliable.addEventListener('message', () => unreliable++);
    for (let i = 0; i < 10; i++) { a.reliable.send(new Uint8Array(1)); a.unreliable.send(new Uint8Array(1)); }
    await vi.advanceTimersByTimeAsync(29);
    expect(reliable).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(reliable).toBe(10);
    expect(unreliable).toBe(0);
    expect(a.unreliable.dropped).toBe(10);
  });
});

describe('Link over memoryChannelPair', () => {
  it('completes the handshake: ready on both ends, once', async () => {
    const { a, b, logA, logB } = await linkedPair();
    expect(a.ready && b.ready).toBe(true);
    expect(logA.ready).toBe(1);
    expect(logB.ready).toBe(1);
    await expect(a.whenReady()).resolves.toBeUndefined();
    expect(a.remoteId).toBe('peer-b');
  });

  it('whenReady() resolves once the handshake completes later', async () => {
    const ends = memoryChannelPair();
    const a = new Link('b', ends.a, opts);
    const ready = a.whenReady();
    ends.b.reliable.send(encodeFrame(MsgType.HELLO, { v: PROTOCOL_VERSION }));
    await expect(ready).resolves.toBeUndefined();
    a.close();
  });

  it('refuses a remote that speaks another protocol version with PROTOCOL_MISMATCH', async () => {
    const ends = memoryChannelPair();
    const inbox = rawInbox(ends.b);
    const a = new Link('b', ends.a, opts);
    const log = record(a);
    const ready = a.whenReady();
    ready.catch(() => {});
    ends.b.reliable.send(encodeFrame(MsgType.HELLO, { v: PROTOCOL_VERSION + 1 }));
    await settle();
    expect(inbox.reliable).toEqual([MsgType.HELLO]); // our HELLO went out
    expect(a.isClosed).toBe(true);
    expect(log.ready).toBe(0);
    expect(log.closes).toHaveLength(1);
    expect(log.closes[0]![0]).toBe('protocol');
    expect(log.closes[0]![1]?.code).toBe('PROTOCOL_MISMATCH');
    expect(log.closes[0]![1]?.message).toContain(String(PROTOCOL_VERSION + 1));
    await expect(ready).rejects.toMatchObject({ code: 'PROTOCOL_MISMATCH' });
    expect(ends.a.disposed).toBe(true);
  });

  it('refuses a HELLO without a version', async () => {
    const ends = memoryChannelPair();
    const a = new Link('b', ends.a, opts);
    const log = record(a);
    ends.b.reliable.send(encodeFrame(MsgType.HELLO, 'hi'));
    await settle();
    expect(log.closes[0]?.[1]?.code).toBe('PROTOCOL_MISMATCH');
  });

  it('ignores application frames before the handshake', async () => {
    const ends = memoryChannelPair();
    const a = new Link('b', ends.a, opts);
    const log = record(a);
    ends.b.reliable.send(encodeFrame(MsgType.USER, { t: 'early', d: 1 }));
    ends.b.reliable.send(encodeFrame(MsgType.HELLO, { v: PROTOCOL_VERSION }));
    ends.b.reliable.send(encodeFrame(MsgType.USER, { t: 'late', d: 2 }));
    await settle();
    expect(log.messages).toEqual([[MsgType.USER, { t: 'late', d: 2 }, true]]);
    a.close();
  });

  it('delivers messages both ways on both channels, reliable ones in order', async () => {
    const { a, b, logA, logB } = await linkedPair();
    for (let i = 0; i < 50; i++) a.sendReliable(MsgType.USER, { t: 'n', d: i });
    expect(a.sendUnreliable(MsgType.USER, { t: 'u', d: 'x' })).toBe(true);
    b.sendReliable(MsgType.USER, { t: 'back', d: null });
    expect(b.sendUnreliable(MsgType.INPUT, { s: 1, i: [] })).toBe(true);
    await settle();
    const reliable = logB.messages.filter(([, , r]) => r);
    expect(reliable.map(([, body]) => (body as { d: number }).d)).toEqual([...Array(50).keys()]);
    expect(logB.messages).toContainEqual([MsgType.USER, { t: 'u', d: 'x' }, false]);
    expect(logA.messages).toEqual([[MsgType.USER, { t: 'back', d: null }, true], [MsgType.INPUT, { s: 1, i: [] }, false]]);
    expect(a.stats().bytesOut).toBeGreaterThan(0);
    expect(b.stats().bytesIn).toBe(a.stats().bytesOut);
  });

  it('delivers a SNAPSHOT body as raw bytes on the unreliable channel', async () => {
    const { a, logB } = await linkedPair();
    a.sendUnreliable(MsgType.SNAPSHOT, Uint8Array.from([5, 6, 7]));
    await settle();
    const [type, body, reliable] = logB.messages[0]!;
    expect([type, reliable]).toEqual([MsgType.SNAPSHOT, false]);
    expect([...(body as Uint8Array)]).toEqual([5, 6, 7]);
  });

  it('throws MESSAGE_TOO_LARGE for oversized sends and sends nothing', async () => {
    const { a, ends, logB } = await linkedPair();
    const before = ends.a.reliable.sent + ends.a.unreliable.sent;
    const tooBig = (bytes: number) => ({ t: 'x', d: 'y'.repeat(bytes) });
    expect(() => a.sendReliable(MsgType.USER, tooBig(MAX_RELIABLE_BYTES))).toThrow(HostmeshError);
    expect(() => a.sendReliable(MsgType.USER, tooBig(MAX_RELIABLE_BYTES))).toThrow(expect.objectContaining({ code: 'MESSAGE_TOO_LARGE' }));
    expect(() => a.sendUnreliable(MsgType.USER, tooBig(MAX_UNRELIABLE_BYTES))).toThrow(expect.objectContaining({ code: 'MESSAGE_TOO_LARGE' }));
    expect(ends.a.reliable.sent + ends.a.unreliable.sent).toBe(before);
    // Just under the limits goes through.
    a.sendReliable(MsgType.USER, tooBig(MAX_RELIABLE_BYTES - 64));
    expect(a.sendUnreliable(MsgType.USER, tooBig(MAX_UNRELIABLE_BYTES - 64))).toBe(true);
    await settle();
    expect(logB.messages).toHaveLength(2);
    expect(a.ready).toBe(true);
  });

  it('drops and counts a malformed frame and stays up', async () => {
    const { a, ends, logA } = await linkedPair();
    ends.b.reliable.send(Uint8Array.from([MsgType.USER, 0xdd, 0xff, 0xff, 0xff, 0xff]));
    ends.b.unreliable.send(Uint8Array.from([MsgType.INPUT, 0x92, 0x01])); // array of 2 with 1 item
    ends.b.unreliable.send(new Uint8Array(MAX_UNRELIABLE_BYTES + 10).fill(MsgType.SNAPSHOT));
    ends.b.reliable.send(encodeFrame(MsgType.USER, { t: 'after', d: 1 }));
    await settle();
    expect(a.stats().decodeErrors).toBe(3);
    expect(logA.decodeErrors.map((e) => e.code)).toEqual(['DECODE_FAILED', 'DECODE_FAILED', 'DECODE_FAILED']);
    expect(a.ready).toBe(true);
    expect(logA.closes).toEqual([]);
    expect(logA.messages).toEqual([[MsgType.USER, { t: 'after', d: 1 }, true]]);
  });

  it('closes with reason timeout when the remote goes silent, and not before timeoutMs', async () => {
    const { a, ends, logA, logB } = await linkedPair();
    await vi.advanceTimersByTimeAsync(1000); // heartbeats keep it alive meanwhile
    expect(a.ready).toBe(true);
    ends.b.silence();
    await vi.advanceTimersByTimeAsync(opts.timeoutMs - opts.heartbeatIntervalMs);
    expect(logA.closes).toEqual([]);
    await vi.advanceTimersByTimeAsync(2 * opts.heartbeatIntervalMs);
    expect(logA.closes).toHaveLength(1);
    expect(logA.closes[0]![0]).toBe('timeout');
    expect(logA.closes[0]![1]?.code).toBe('TIMEOUT');
    // The silent end learns from its connection closing.
    await settle();
    expect(logB.closes.map(([r]) => r)).toEqual(['channel-closed']);
  });

  it('closes with PEER_UNREACHABLE when the handshake does not finish in time', async () => {
    const ends = memoryChannelPair();
    const a = new Link('b', ends.a, { ...opts, handshakeTimeoutMs: 300, timeoutMs: 10_000 });
    const log = record(a);
    const ready = a.whenReady();
    ready.catch(() => {});
    await vi.advanceTimersByTimeAsync(299);
    expect(log.closes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(log.closes[0]?.[0]).toBe('timeout');
    expect(log.closes[0]?.[1]?.code).toBe('PEER_UNREACHABLE');
    await expect(ready).rejects.toMatchObject({ code: 'PEER_UNREACHABLE' });
  });

  it('close() is idempotent: one close event, one dispose, listeners and timers released', async () => {
    const { a, ends, logA } = await linkedPair();
    const dispose = vi.spyOn(ends.a, 'dispose');
    a.close();
    a.close('error');
    a.close();
    expect(logA.closes).toEqual([['local', undefined]]);
    expect(a.isClosed).toBe(true);
    expect(a.ready).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    expect(dispose).toHaveBeenCalledTimes(1);
    expect(ends.a.reliable.listenerCount() + ends.a.unreliable.listenerCount()).toBe(0);
    expect(vi.getTimerCount()).toBe(0); // handshake timer and heartbeat interval gone (the peer closed too)
    // Sends after close are no-ops, never throws.
    expect(() => a.sendReliable(MsgType.USER, { t: 'x', d: 1 })).not.toThrow();
    expect(a.sendUnreliable(MsgType.USER, { t: 'x', d: 1 })).toBe(false);
    await expect(a.whenReady()).rejects.toMatchObject({ code: 'PEER_UNREACHABLE' });
  });

  it('a local close says BYE: the remote closes with reason remote', async () => {
    const { a, logA, logB } = await linkedPair();
    a.close('local');
    await settle();
    expect(logB.closes).toEqual([['remote', undefined]]);
    expect(logA.closes).toEqual([['local', undefined]]);
  });

  it('a closed channel closes the link with reason channel-closed', async () => {
    const { ends, logA, logB } = await linkedPair();
    ends.b.reliable.close();
    await settle();
    expect(logA.closes.map(([r]) => r)).toEqual(['channel-closed']);
    expect(logB.closes.map(([r]) => r)).toEqual(['channel-closed']);
  });

  it('drops and counts unreliable sends while the channel is congested (latest-wins)', async () => {
    const { a, ends, logB } = await linkedPair({ unreliableHighWaterBytes: 2000 });
    ends.a.unreliable.pause();
    const body = { t: 'big', d: 'z'.repeat(500) };
    const results = Array.from({ length: 10 }, () => a.sendUnreliable(MsgType.USER, body));
    const sent = results.filter(Boolean).length;
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(10);
    expect(results.indexOf(false)).toBe(sent); // everything after the first drop is dropped too
    expect(a.stats().drops).toBe(10 - sent);
    expect(ends.a.unreliable.bufferedAmount).toBeLessThanOrEqual(2000 + 600);
    ends.a.unreliable.resume();
    await settle();
    expect(logB.messages).toHaveLength(sent);
    expect(a.sendUnreliable(MsgType.USER, body)).toBe(true); // uncongested again
  });

  it('queues reliable sends over the high-water mark and flushes them in order on bufferedamountlow', async () => {
    const { a, ends, logB } = await linkedPair({ reliableHighWaterBytes: 4000 });
    ends.a.reliable.pause();
    for (let i = 0; i < 30; i++) a.sendReliable(MsgType.USER, { t: 'r', d: { i, pad: 'p'.repeat(900) } });
    expect(ends.a.reliable.bufferedAmount).toBeLessThanOrEqual(4000 + 1000);
    ends.a.reliable.resume();
    await settle();
    await settle();
    const got = logB.messages.map(([, body]) => (body as { d: { i: number } }).d.i);
    expect(got).toEqual([...Array(30).keys()]);
    expect(a.stats().drops).toBe(0);
  });

  it('a local close under backpressure still tells the remote through the connection closing', async () => {
    const { a, ends, logB } = await linkedPair({ reliableHighWaterBytes: 2000 });
    ends.a.reliable.pause();
    for (let i = 0; i < 5; i++) a.sendReliable(MsgType.USER, { t: 'r', d: 'p'.repeat(900) });
    a.close('local');
    await vi.advanceTimersByTimeAsync(100);
    expect(logB.closes).toHaveLength(1);
  });

  // Known bug (reported): Link.close() queues the BYE behind the pending reliable frames and then
  // clears them, so under backpressure the remote never gets a BYE and, over real WebRTC where
  // the remote 'close' often never fires, waits for its heartbeat timeout. Flip to it() when fixed.
  it('a local close under backpressure still says BYE (remote closes with reason remote)', async () => {
    const { a, ends, logB } = await linkedPair({ reliableHighWaterBytes: 2000 });
    ends.a.reliable.pause();
    for (let i = 0; i < 5; i++) a.sendReliable(MsgType.USER, { t: 'r', d: 'p'.repeat(900) });
    a.close('local');
    ends.a.reliable.resume();
    await vi.advanceTimersByTimeAsync(100);
    expect(logB.closes.map(([r]) => r)).toEqual(['remote']);
  });

  // Known bug (reported): when the BYE cannot be written (channel already closing), Link.close()
  // re-enters itself through write() -> close('error') before `closed` is set: the nested call
  // reports 'error' (PEER_UNREACHABLE) instead of 'local' and clears the listeners, then the
  // outer call emits 'local' to nobody and disposes a second time. Flip to it() when fixed.
  it('a local close reports reason local once, even when the BYE cannot be written', async () => {
    const { a, ends, logA } = await linkedPair();
    const dispose = vi.spyOn(ends.a, 'dispose');
    ends.b.dispose(); // our channels are now 'closing'; their close events are still queued
    a.close('local');
    await vi.advanceTimersByTimeAsync(100);
    expect(logA.closes).toEqual([['local', undefined]]);
    expect(dispose).toHaveBeenCalledTimes(1);
  });

  it('measures RTT from heartbeats and reports no loss on a clean channel', async () => {
    const { a, b } = await linkedPair({}, { latencyMs: 10 });
    expect(a.stats().rttMs).toBeNaN();
    const pongs: number[] = [];
    a.on('pong', (sent, _remote, received) => pongs.push(received - sent));
    await vi.advanceTimersByTimeAsync(2000);
    const s = a.stats();
    expect(pongs.length).toBeGreaterThanOrEqual(15);
    expect(s.rttMs).toBeCloseTo(20, 0);
    expect(s.lastRttMs).toBeCloseTo(20, 0);
    expect(s.jitterMs).toBeLessThan(1);
    expect(s.loss).toBe(0);
    expect(s.bytesInPerSec).toBeGreaterThan(0);
    expect(b.stats().rttMs).toBeCloseTo(20, 0);
  });

  it('reports heartbeat loss on a lossy unreliable channel', async () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const { a } = await linkedPair({ timeoutMs: 60_000 }, { unreliableLoss: 0.3, random });
    await vi.advanceTimersByTimeAsync(5000);
    const { loss, rttMs } = a.stats();
    // Each round trip survives with 0.7 * 0.7 = 0.49; the window is the last 32 pings.
    expect(loss).toBeGreaterThan(0.25);
    expect(loss).toBeLessThan(0.8);
    expect(rttMs).toBeGreaterThanOrEqual(0);
    expect(a.ready).toBe(true);
  });
});
