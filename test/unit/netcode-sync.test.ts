import { describe, expect, it } from 'vitest';
import { ClockSync } from '../../sdk/src/netcode/clock.js';
import { HostmeshError } from '../../sdk/src/core/errors.js';
import { InputReceiver, InputSender } from '../../sdk/src/netcode/input-buffer.js';
import { Predictor } from '../../sdk/src/netcode/prediction.js';
import { rng } from '../helpers/rng.js';

describe('clock sync', () => {
  it('converges on the true offset from asymmetric, noisy samples, and never jumps', () => {
    const rand = rng(1);
    const trueOffset = 123_456.7; // host = local + offset
    const clock = new ClockSync();
    expect(clock.hostNow(5)).toBe(5);
    let local = 1000, prevHostNow = -Infinity;
    for (let i = 0; i < 60; i++) {
      const up = 20 + rand() * rand() * 150; // uplink: slower and noisier than downlink
      const down = 5 + rand() * rand() * 40;
      const send = local;
      const host = send + up + trueOffset;
      const recv = send + up + down;
      expect(clock.addSample(send, host, recv)).toBe(true);
      local = recv + 500;
      const now = clock.hostNow(local);
      if (i > 0) expect(now).toBeGreaterThan(prevHostNow);
      prevHostNow = now;
    }
    expect(Math.abs((clock.offsetMs as number) - trueOffset)).toBeLessThan(15);
    expect(Math.abs(clock.hostNow(local + 10_000) - (local + 10_000 + trueOffset))).toBeLessThan(15);
    expect(clock.rttMs).toBeLessThan(40);
    expect(clock.addSample(10, 0, 5)).toBe(false); // received before it was sent
    expect(clock.addSample(NaN, 0, 5)).toBe(false);
  });

  it('slews small corrections at a bounded rate, steps large ones', () => {
    const c2 = new ClockSync({ windowSize: 1, maxSlewRate: 0.05 });
    c2.addSample(0, 100, 0);
    c2.addSample(1000, 1150, 1000); // offset now 150: slews 0.05 ms/ms
    expect(c2.hostNow(1000)).toBeCloseTo(1100);
    expect(c2.hostNow(1500)).toBeCloseTo(1500 + 125);
    expect(c2.hostNow(3000)).toBeCloseTo(3000 + 150);
    c2.addSample(4000, 4000 + 10_000, 4000); // 10 s off: step
    expect(c2.hostNow(4000)).toBe(14_000);
    expect(() => new ClockSync({ maxSlewRate: 2 })).toThrow(HostmeshError);
  });
});

interface P { x: number; y: number }
interface In { dx: number; dy: number }
const applyInput = (s: P, i: In, dtMs: number | undefined): P => ({ x: s.x + i.dx * (dtMs ?? 16) / 16, y: Math.max(0, s.y + i.dy) });

describe('prediction and reconciliation', () => {
  it('replaying unacknowledged inputs on the host state gives the host result', () => {
    const rand = rng(2);
    const client = new Predictor<P, In>({ initialState: { x: 0, y: 0 }, applyInput });
    let host: P = { x: 0, y: 0 };
    let hostSeq = 0;
    const inFlight: { seq: number; input: In; dt: number }[] = [];
    for (let frame = 0; frame < 500; frame++) {
      const input = { dx: Math.round(rand() * 4 - 2), dy: Math.round(rand() * 2 - 1) };
      const dt = 10 + Math.floor(rand() * 10);
      inFlight.push({ seq: client.input(input, dt), input, dt });
      // the host receives inputs a few frames late, sometimes several at once
      while (inFlight.length > 6 || (inFlight.length > 0 && rand() < 0.3)) {
        const next = inFlight.shift() as { seq: number; input: In; dt: number };
        host = applyInput(host, next.input, next.dt);
        hostSeq = next.seq;
      }
      if (rand() < 0.5) {
        const predicted = client.reconcile(host, hostSeq);
        // the prediction is the host state plus the inputs the host has not seen yet
        const expected = inFlight.reduce((s, p) => applyInput(s, p.input, p.dt), host);
        expect(predicted).toEqual(expected);
        expect(client.pending().map((p) => p.seq)).toEqual(inFlight.map((p) => p.seq));
      }
    }
    for (const p of inFlight) { host = applyInput(host, p.input, p.dt); hostSeq = p.seq; }
    expect(client.reconcile(host, hostSeq)).toEqual(host);
    expect(client.state).toEqual(host);
    expect(client.pending()).toHaveLength(0);
  });

  it('ignores stale or impossible acks', () => {
    const p = new Predictor<P, In>({ initialState: { x: 0, y: 0 }, applyInput });
    p.input({ dx: 1, dy: 0 });
    p.input({ dx: 1, dy: 0 });
    p.reconcile({ x: 1, y: 0 }, 1);
    const before = p.state;
    expect(p.reconcile({ x: 50, y: 0 }, 0)).toBe(before);
    expect(p.reconcile({ x: 50, y: 0 }, 9)).toBe(before);
    expect(p.lastAckedSeq).toBe(1);
  });
});

describe('redundant inputs', () => {
  it('survive 30% loss with nothing applied twice and nothing lost', () => {
    const rand = rng(3);
    const sender = new InputSender<number>({ maxInputsPerPacket: 16 });
    const receiver = new InputReceiver<number>();
    const applied: number[] = [];
    for (let frame = 1; frame <= 5000; frame++) {
      sender.push(frame * 10);
      const packet = sender.packet();
      if (packet && rand() >= 0.3) {
        // JSON round trip: the host sees a decoded, untrusted object
        for (const { seq, input } of receiver.receive(JSON.parse(JSON.stringify(packet)))) {
          expect(input).toBe(seq * 10);
          applied.push(seq);
        }
      }
      if (frame % 6 === 0 && rand() >= 0.3) sender.ack(receiver.lastSeq); // acks ride on (lossy) snapshots, late
    }
    expect(applied.length).toBeGreaterThan(4990);
    expect(applied).toEqual(Array.from({ length: applied.length }, (_, i) => i + 1));
    expect(receiver.lost).toBe(0);
    expect(receiver.duplicates).toBeGreaterThan(0);
  });

  it('keeps packets within the count and byte budget, newest first', () => {
    const sender = new InputSender<string>({ maxInputsPerPacket: 4, maxBytes: 15, sizeOf: (s) => s.length });
    for (const s of ['aaaaaaaaaa', 'b', 'cccccccccc', 'dddddddddd', 'e']) sender.push(s);
    expect(sender.packet()).toEqual({ s: 5, i: ['dddddddddd', 'e'] });
    const counted = new InputSender<number>({ maxInputsPerPacket: 3 });
    for (let i = 0; i < 10; i++) counted.push(i);
    expect(counted.packet()).toEqual({ s: 10, i: [7, 8, 9] });
    counted.ack(10);
    expect(counted.packet()).toBeUndefined();
  });

  it('refuses malformed INPUT payloads with DECODE_FAILED and counts gaps as lost', () => {
    const r = new InputReceiver<number>(8);
    for (const bad of [null, 5, 'x', {}, { s: 1 }, { s: 'a', i: [1] }, { s: 1.5, i: [1] }, { s: 1, i: [] }, { s: 1, i: [1, 2] }, { s: 100, i: new Array(9).fill(0) }]) {
      expect(() => r.receive(bad)).toThrow(expect.objectContaining({ code: 'DECODE_FAILED' }));
    }
    expect(r.receive({ s: 2, i: [1, 2] }).map((e) => e.seq)).toEqual([1, 2]);
    expect(r.receive({ s: 6, i: [5, 6] }).map((e) => e.seq)).toEqual([5, 6]);
    expect(r.lost).toBe(2);
    expect(r.receive({ s: 6, i: [5, 6] })).toEqual([]);
  });
});
