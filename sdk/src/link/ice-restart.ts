/**
 * ICE restart on a link's existing RTCPeerConnection. PeerJS never restarts ICE and closes a
 * connection on ICE `failed` or on a second OFFER for it (FACTS.md), so once a link is open this
 * takes over the connection's ICE handlers: `failed` no longer closes it, candidates travel in
 * hostmesh's own signaling envelope (wire/ice-signal.ts), and a restart is a new offer made with
 * `createOffer({ iceRestart: true })` (works where `restartIce()` is missing) on the same
 * connection, so its data channels, DTLS session and SCTP association survive.
 *
 * Only the side that dialled offers (no glare); the other side asks it to with a `request`.
 * A restart starts when ICE has been `disconnected` for `disconnectedMs`, at once on `failed`,
 * or when the link's heartbeat stalls (`start()`); it repeats with a new generation every
 * `attemptMs` until ICE is connected again or `stop()` (the link heard the remote again). Every
 * envelope is handled in order, one at a time; stale, duplicate, out-of-turn or malformed ones are
 * counted in `stats.signalsRefused` and dropped. Nothing here throws out of an event handler.
 */
import type { IceCandidateInit, IceSignal } from '../wire/ice-signal.js';

/** The slice of RTCPeerConnection an ICE restart uses. */
export interface RestartablePeerConnection {
  readonly iceConnectionState: string;
  readonly signalingState: string;
  onicecandidate: ((ev: { candidate: { candidate: string; sdpMid?: string | null; sdpMLineIndex?: number | null } | null }) => void) | null;
  oniceconnectionstatechange: (() => void) | null;
  createOffer(options?: { iceRestart?: boolean }): Promise<{ type: string; sdp?: string }>;
  createAnswer(): Promise<{ type: string; sdp?: string }>;
  setLocalDescription(desc: { type: string; sdp?: string }): Promise<void>;
  setRemoteDescription(desc: { type: 'offer' | 'answer'; sdp: string }): Promise<void>;
  addIceCandidate(candidate: IceCandidateInit): Promise<void>;
}

/** ICE restart timing. */
export interface IceRestartOptions {
  /** Time ICE may stay `disconnected` before a restart, ms. Default: 2000. */
  disconnectedMs: number;
  /** Time one restart attempt gets before the next (new offer or request), ms. Default: 2500. */
  attemptMs: number;
}

/** Default ICE restart timing. */
export const iceRestartDefaults: IceRestartOptions = { disconnectedMs: 2000, attemptMs: 2500 };

/** What an ICE restarter counted. */
export interface IceRestartStats {
  /** Restart attempts made (offers sent, or requests for one). */
  attempts: number;
  /** Times ICE was connected again after restart attempts. */
  restored: number;
  /** Envelopes refused: stale or duplicate generation, wrong turn, too many queued, or failed to apply. */
  signalsRefused: number;
}

/** Envelopes waiting to be applied, at most; more are refused. */
const MAX_QUEUED = 32;
/** Candidates of a generation not applied yet, kept at most. */
const MAX_EARLY_CANDIDATES = 32;

/** Restarts ICE on one existing RTCPeerConnection through hostmesh's signaling envelope. */
export class IceRestarter {
  /** Counters. */
  readonly stats: IceRestartStats = { attempts: 0, restored: 0, signalsRefused: 0 };
  private localGen = 0;
  private remoteGen = 0;
  private active = false;
  private attemptedSinceStart = false;
  private disposed = false;
  private attemptTimer: ReturnType<typeof setInterval> | undefined;
  private disconnectedTimer: ReturnType<typeof setTimeout> | undefined;
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private early: { gen: number; candidate: IceCandidateInit }[] = [];

  constructor(
    private readonly pc: RestartablePeerConnection,
    private readonly connectionId: string,
    /** True on the side that dialled: it makes the offers. */
    private readonly offerer: boolean,
    /** Sends an envelope to the remote over signaling; false when signaling is down. */
    private readonly send: (signal: IceSignal) => boolean,
    /** ICE reached `closed`: the connection is gone. */
    private readonly onClosed: () => void,
    private readonly opts: IceRestartOptions = iceRestartDefaults,
  ) {
    pc.onicecandidate = (ev) => {
      const c = ev.candidate;
      if (this.disposed || !c || !c.candidate) return;
      this.send({ connectionId, gen: this.localGen, kind: 'candidate', candidate: { candidate: c.candidate, sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null } });
    };
    pc.oniceconnectionstatechange = () => this.iceChanged();
  }

  /** True while restart attempts are running. */
  get restarting(): boolean {
    return this.active;
  }

  /** Starts restart attempts (idempotent while they run). */
  start(): void {
    if (this.disposed || this.active) return;
    this.active = true;
    this.attemptedSinceStart = false;
    this.attempt();
    this.attemptTimer = setInterval(() => this.attempt(), this.opts.attemptMs);
  }

  /** Stops restart attempts (an offer already out is still answered and applied). */
  stop(): void {
    this.active = false;
    clearInterval(this.attemptTimer);
    this.attemptTimer = undefined;
  }

  /** Handles an envelope from the link's remote peer (the caller checked the sender). Total. */
  receive(signal: IceSignal): void {
    if (this.disposed) return;
    if (this.queued >= MAX_QUEUED) { this.stats.signalsRefused++; return; }
    this.queued++;
    this.queue = this.queue.then(() => this.apply(signal)).catch(() => { this.stats.signalsRefused++; }).finally(() => { this.queued--; });
  }

  /** Releases timers and the connection's handlers (the connection itself is closed by its owner). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stop();
    clearTimeout(this.disconnectedTimer);
    this.pc.onicecandidate = null;
    this.pc.oniceconnectionstatechange = null;
    this.early = [];
  }

  private iceChanged(): void {
    if (this.disposed) return;
    const state = this.pc.iceConnectionState;
    if (state === 'closed') { this.onClosed(); return; }
    if (state === 'failed') { clearTimeout(this.disconnectedTimer); this.start(); return; }
    if (state === 'disconnected') {
      clearTimeout(this.disconnectedTimer);
      this.disconnectedTimer = setTimeout(() => { if (this.pc.iceConnectionState === 'disconnected') this.start(); }, this.opts.disconnectedMs);
      return;
    }
    if (state === 'connected' || state === 'completed') {
      clearTimeout(this.disconnectedTimer);
      if (this.active && this.attemptedSinceStart) this.stats.restored++;
      this.stop();
    }
  }

  private attempt(): void {
    if (this.disposed || !this.active) return;
    this.attemptedSinceStart = true;
    this.stats.attempts++;
    if (!this.offerer) { this.send({ connectionId: this.connectionId, gen: this.remoteGen, kind: 'request' }); return; }
    this.queue = this.queue.then(() => this.offer()).catch(() => { /* this attempt failed; the next one tries again */ });
  }

  private async offer(): Promise<void> {
    if (this.disposed) return;
    const gen = ++this.localGen;
    const offer = await this.pc.createOffer({ iceRestart: true });
    if (this.disposed || gen !== this.localGen || !offer.sdp) return;
    await this.pc.setLocalDescription(offer);
    this.send({ connectionId: this.connectionId, gen, kind: 'offer', sdp: offer.sdp });
  }

  private async apply(signal: IceSignal): Promise<void> {
    if (this.disposed) return;
    switch (signal.kind) {
      case 'request':
        if (!this.offerer) { this.stats.signalsRefused++; return; }
        this.start();
        return;
      case 'offer': {
        // Only the dialling side offers; a generation already applied is a duplicate or stale.
        if (this.offerer || signal.gen <= this.remoteGen) { this.stats.signalsRefused++; return; }
        await this.pc.setRemoteDescription({ type: 'offer', sdp: signal.sdp });
        this.remoteGen = signal.gen;
        const answer = await this.pc.createAnswer();
        await this.pc.setLocalDescription(answer);
        this.localGen = signal.gen;
        if (answer.sdp) this.send({ connectionId: this.connectionId, gen: signal.gen, kind: 'answer', sdp: answer.sdp });
        await this.flushEarly();
        return;
      }
      case 'answer':
        if (!this.offerer || signal.gen !== this.localGen || signal.gen <= this.remoteGen || this.pc.signalingState !== 'have-local-offer') { this.stats.signalsRefused++; return; }
        await this.pc.setRemoteDescription({ type: 'answer', sdp: signal.sdp });
        this.remoteGen = signal.gen;
        await this.flushEarly();
        return;
      case 'candidate':
        if (signal.gen < this.remoteGen) { this.stats.signalsRefused++; return; }
        if (signal.gen > this.remoteGen) {
          // Its offer or answer has not arrived yet (or was lost): keep a few.
          if (this.early.length >= MAX_EARLY_CANDIDATES) { this.early.shift(); this.stats.signalsRefused++; }
          this.early.push({ gen: signal.gen, candidate: signal.candidate });
          return;
        }
        await this.pc.addIceCandidate(signal.candidate);
    }
  }

  private async flushEarly(): Promise<void> {
    const ready = this.early.filter((e) => e.gen === this.remoteGen);
    this.early = this.early.filter((e) => e.gen > this.remoteGen);
    for (const e of ready) {
      try { await this.pc.addIceCandidate(e.candidate); } catch { this.stats.signalsRefused++; }
    }
  }
}
