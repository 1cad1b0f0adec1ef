/**
 * Client-side prediction and server reconciliation, generic over state S and input I.
 *
 * The client numbers each input (seq 1, 2, ...), applies it at once with the game's pure
 * `applyInput`, and keeps it until the host says it was processed. When an authoritative
 * state arrives with `lastProcessedInputSeq`, inputs up to that seq are dropped and the rest
 * are replayed on top of the authoritative state: the prediction becomes what the host will
 * compute once it has seen the same inputs, so a deterministic `applyInput` gives zero error.
 * Read more: Gabriel Gambetta, "Client-Side Prediction and Server Reconciliation";
 * Valve, "Latency Compensating Methods in Client/Server In-game Protocol Design".
 */
import { HostmeshError } from '../core/errors.js';

/** An input waiting for the host's acknowledgement. */
export interface PendingInput<I> {
  readonly seq: number;
  readonly input: I;
  readonly dtMs: number | undefined;
}

/** Options of `Predictor`. */
export interface PredictorOptions<S, I> {
  /** State before any input. */
  initialState: S;
  /** Pure: the state after `input` (lasting `dtMs`, when given). Must not mutate `state`. */
  applyInput: (state: S, input: I, dtMs: number | undefined) => S;
  /** Unacknowledged inputs kept; older ones are forgotten (and counted). Default: 256. */
  maxPending?: number;
}

/** Predicts the local player's state ahead of the host and reconciles with it. */
export class Predictor<S, I> {
  private readonly applyInput: (state: S, input: I, dtMs: number | undefined) => S;
  private readonly maxPending: number;
  private readonly queue: PendingInput<I>[] = [];
  private current: S;
  private seq = 0;
  private acked = 0;
  /** Inputs forgotten unacknowledged because `maxPending` was exceeded. */
  overflowed = 0;

  constructor(options: PredictorOptions<S, I>) {
    if (typeof options.applyInput !== 'function') throw new HostmeshError('INVALID_ARGUMENT', 'Predictor needs an applyInput(state, input, dtMs) function.');
    this.applyInput = options.applyInput;
    this.current = options.initialState;
    this.maxPending = options.maxPending ?? 256;
  }

  /** The predicted state. */
  get state(): S {
    return this.current;
  }

  /** Seq of the newest input. */
  get lastSeq(): number {
    return this.seq;
  }

  /** Newest seq the host has acknowledged. */
  get lastAckedSeq(): number {
    return this.acked;
  }

  /** Inputs not yet acknowledged, oldest first. */
  pending(): readonly PendingInput<I>[] {
    return this.queue;
  }

  /** Numbers `input`, applies it to the prediction and keeps it for replay; returns its seq. */
  input(input: I, dtMs?: number): number {
    const entry: PendingInput<I> = { seq: ++this.seq, input, dtMs };
    this.queue.push(entry);
    if (this.queue.length > this.maxPending) { this.queue.shift(); this.overflowed++; }
    this.current = this.applyInput(this.current, input, dtMs);
    return entry.seq;
  }

  /** Adopts the host's state, which includes inputs up to `lastProcessedInputSeq`, and replays the rest. */
  reconcile(authoritative: S, lastProcessedInputSeq: number): S {
    if (!Number.isSafeInteger(lastProcessedInputSeq) || lastProcessedInputSeq < this.acked || lastProcessedInputSeq > this.seq) return this.current;
    this.acked = lastProcessedInputSeq;
    while (this.queue.length > 0 && (this.queue[0] as PendingInput<I>).seq <= lastProcessedInputSeq) this.queue.shift();
    let s = authoritative;
    for (const p of this.queue) s = this.applyInput(s, p.input, p.dtMs);
    this.current = s;
    return s;
  }
}
