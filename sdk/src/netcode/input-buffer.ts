/**
 * Redundant inputs over the unreliable channel.
 *
 * The client keeps every input the host has not acknowledged; each INPUT packet carries the
 * newest of them (at most `maxInputsPerPacket`, and at most `maxBytes` when `sizeOf` is given)
 * as `{ s: seqOfNewest, i: [oldest..newest] }`, so one packet that arrives makes up for the lost
 * ones before it. The host side remembers the highest seq it has delivered and passes on only
 * newer inputs, in order, so repeats are never applied twice; a gap it can no longer fill is
 * counted as lost. Acks (the host's `lastProcessedInputSeq`, sent back in snapshots) trim the
 * client's list. This is the scheme of Quake 3 and of Gaffer on Games' "Deterministic Lockstep".
 * Read more: Gaffer on Games, "Deterministic Lockstep" (redundant inputs); Quake 3 usercmd_t.
 */
import { HostmeshError } from '../core/errors.js';
import { MAX_UNRELIABLE_BYTES } from '../wire/protocol.js';

/** Wire shape of an INPUT message (see MsgType.INPUT). */
export interface InputPacket<I> {
  /** Seq of the newest input, the last element of `i`. */
  s: number;
  /** Consecutive inputs, oldest first. */
  i: I[];
}

/** Options of `InputSender`. */
export interface InputSenderOptions<I> {
  /** Most inputs per packet. Default: 16. */
  maxInputsPerPacket?: number;
  /** Byte budget for the inputs of one packet, used with `sizeOf`. Default: MAX_UNRELIABLE_BYTES − 32. */
  maxBytes?: number;
  /** Encoded size of one input, bytes (e.g. from the codec). Default: none (count limit only). */
  sizeOf?: (input: I) => number;
}

/** Client side: numbers inputs and builds redundant INPUT packets. */
export class InputSender<I> {
  private readonly queue: { seq: number; input: I }[] = [];
  private readonly maxInputs: number;
  private readonly maxBytes: number;
  private readonly sizeOf: ((input: I) => number) | undefined;
  private seq = 0;

  constructor(options: InputSenderOptions<I> = {}) {
    this.maxInputs = options.maxInputsPerPacket ?? 16;
    this.maxBytes = options.maxBytes ?? MAX_UNRELIABLE_BYTES - 32;
    this.sizeOf = options.sizeOf;
    if (!Number.isInteger(this.maxInputs) || this.maxInputs < 1) throw new HostmeshError('INVALID_ARGUMENT', 'maxInputsPerPacket must be a positive integer.');
  }

  /** Inputs not yet acknowledged. */
  get unacked(): number {
    return this.queue.length;
  }

  /** Queues `input` with `seq` (default: the next number) and returns the seq. */
  push(input: I, seq: number = this.seq + 1): number {
    if (!Number.isSafeInteger(seq) || seq <= this.seq) throw new HostmeshError('INVALID_ARGUMENT', `Input seq ${seq} must be an integer greater than the previous one (${this.seq}).`);
    if (this.queue.length > 0 && seq !== this.seq + 1) this.queue.length = 0; // a gap: older inputs can no longer be sent as one run
    this.seq = seq;
    this.queue.push({ seq, input });
    if (this.queue.length > 1024) this.queue.shift();
    return seq;
  }

  /** The host has processed every input up to `seq`: stop resending them. */
  ack(seq: number): void {
    while (this.queue.length > 0 && (this.queue[0] as { seq: number }).seq <= seq) this.queue.shift();
  }

  /** The next INPUT payload: the newest unacknowledged inputs within budget, or undefined when none. */
  packet(): InputPacket<I> | undefined {
    const q = this.queue;
    if (q.length === 0) return undefined;
    let from = q.length - 1;
    let bytes = this.sizeOf ? this.sizeOf((q[from] as { input: I }).input) : 0;
    while (from > 0 && q.length - from < this.maxInputs) {
      const extra = this.sizeOf ? this.sizeOf((q[from - 1] as { input: I }).input) : 0;
      if (this.sizeOf && bytes + extra > this.maxBytes) break;
      bytes += extra;
      from--;
    }
    return { s: this.seq, i: q.slice(from).map((e) => e.input) };
  }
}

/** Host side, one per client: turns redundant INPUT packets into each input exactly once, in order. */
export class InputReceiver<I> {
  private last = 0;
  /** Inputs that never arrived (every packet carrying them was lost). */
  lost = 0;
  /** Inputs received again and ignored. */
  duplicates = 0;

  constructor(private readonly maxInputsPerPacket = 64) {}

  /** Highest seq delivered so far: send it back as `lastProcessedInputSeq` once applied. */
  get lastSeq(): number {
    return this.last;
  }

  /** New inputs of an INPUT payload, oldest first; throws DECODE_FAILED on a malformed payload. */
  receive(packet: unknown): { seq: number; input: I }[] {
    const p = packet as Partial<InputPacket<I>> | null;
    if (p === null || typeof p !== 'object' || !Array.isArray(p.i) || !Number.isSafeInteger(p.s) || p.i.length === 0 || p.i.length > this.maxInputsPerPacket || (p.s as number) - p.i.length < 0)
      throw new HostmeshError('DECODE_FAILED', `A malformed INPUT message was dropped: expected { s: seq, i: [1..${this.maxInputsPerPacket} inputs] }. The session continues.`);
    const newest = p.s as number, first = newest - p.i.length + 1;
    const out: { seq: number; input: I }[] = [];
    if (newest <= this.last) { this.duplicates += p.i.length; return out; }
    if (first > this.last + 1) this.lost += first - this.last - 1;
    this.duplicates += Math.max(0, this.last - first + 1);
    for (let seq = Math.max(first, this.last + 1); seq <= newest; seq++) out.push({ seq, input: p.i[seq - first] as I });
    this.last = newest;
    return out;
  }
}
