/**
 * Echo measurements over a connected pair: side `b` sends every message straight back, side
 * `a` times the round trip. Closed loop: one message in flight (like a rare input or an RPC),
 * a message not back within `timeoutMs` counts as lost. Open loop: a stream at a game rate
 * (30 or 60 Hz) regardless of replies, like inputs or snapshots; stragglers are awaited for
 * `drainMs` after the last send. Payloads are bytes with a sequence number in the first four.
 */
import { toBytes, type Pair } from './node-paths.js';
import { summarize, type Summary } from './stats.js';

/** RTT figures of one run. */
export interface EchoResult {
  sizeBytes: number;
  sent: number;
  received: number;
  /** received / sent. */
  deliveredFraction: number;
  rttMs: Summary;
  samples?: number[];
}

function payload(seq: number, size: number): Uint8Array {
  const b = new Uint8Array(size);
  new DataView(b.buffer).setUint32(0, seq, true);
  for (let i = 4; i < size; i++) b[i] = (i * 31) & 0xff;
  return b;
}

function seqOf(v: unknown): number {
  const b = toBytes(v);
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0, true);
}

/** Makes side `b` echo everything. */
export function startEcho(pair: Pair): void {
  pair.b.onMessage((v) => pair.b.send(v));
}

function finish(sizeBytes: number, sent: number, rtts: number[], keepSamples: boolean): EchoResult {
  return {
    sizeBytes, sent, received: rtts.length, deliveredFraction: sent ? Math.round((rtts.length / sent) * 10000) / 10000 : 0,
    rttMs: summarize(rtts), ...(keepSamples ? { samples: rtts.map((x) => Math.round(x * 1000) / 1000) } : {}),
  };
}

/** One message in flight at a time; `warmup` first samples are discarded. */
export async function closedLoop(pair: Pair, o: { sizeBytes: number; count: number; warmup?: number; timeoutMs: number; keepSamples?: boolean }): Promise<EchoResult> {
  const warmup = o.warmup ?? 0;
  let waiting: { seq: number; resolve: (ok: boolean) => void } | undefined;
  pair.a.onMessage((v) => { const s = seqOf(v); if (waiting && s === waiting.seq) waiting.resolve(true); });
  const rtts: number[] = [];
  let sent = 0;
  for (let seq = 0; seq < o.count + warmup; seq++) {
    const msg = payload(seq, o.sizeBytes);
    const t0 = performance.now();
    const ok = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), o.timeoutMs);
      waiting = { seq, resolve: (v) => { clearTimeout(timer); resolve(v); } };
      pair.a.send(msg);
    });
    const rtt = performance.now() - t0;
    waiting = undefined;
    if (seq < warmup) continue;
    sent++;
    if (ok) rtts.push(rtt);
  }
  pair.a.onMessage(() => {});
  return finish(o.sizeBytes, sent, rtts, o.keepSamples ?? false);
}

/** A stream at `rateHz` for `durationMs`, then `drainMs` for late replies. */
export async function openLoop(pair: Pair, o: { sizeBytes: number; rateHz: number; durationMs: number; drainMs: number; keepSamples?: boolean }): Promise<EchoResult> {
  const sentAt = new Map<number, number>();
  const rtts: number[] = [];
  pair.a.onMessage((v) => {
    const s = seqOf(v), t0 = sentAt.get(s);
    if (t0 === undefined) return;
    sentAt.delete(s);
    rtts.push(performance.now() - t0);
  });
  const count = Math.round((o.durationMs / 1000) * o.rateHz);
  const interval = 1000 / o.rateHz;
  const start = performance.now();
  for (let seq = 0; seq < count; seq++) {
    // Absolute schedule, so timer lateness does not lower the rate.
    const due = start + seq * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    sentAt.set(seq, performance.now());
    pair.a.send(payload(seq, o.sizeBytes));
  }
  const deadline = performance.now() + o.drainMs;
  while (sentAt.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  pair.a.onMessage(() => {});
  return finish(o.sizeBytes, count, rtts, o.keepSamples ?? false);
}
