/**
 * Voice chat over the mesh (`session.voice`). Each publishing member places one media call
 * (PeerJS MediaConnection: its own RTCPeerConnection) to every other member, who answers
 * without sending, so N talkers make N·(N-1) one-way calls and no call ever needs
 * renegotiation. Opus with in-band FEC, DTX and a bitrate cap (SDP fmtp plus the sender's
 * `maxBitrate`). Whether a member's voice is live is signalled in-band (VOICE_STATE on the
 * game link), never guessed from the remote track: Chromium does not mark it muted when packets
 * stop (FACTS.md). A member announces itself (`hello`) once its session exists; publishers call
 * members they have heard from, so a late joiner is called by everyone already talking.
 * Calls are direct between members: a host change or a member's seat reconnection leaves
 * everyone else's calls alone; a dropped call is placed again while both are members.
 */
import { Emitter } from '../core/emitter.js';
import { HostmeshError } from '../core/errors.js';
import type { Network } from '../link/network.js';
import type { MediaCall, MediaStreamT, PeerConnectionT } from '../link/side-connections.js';
import { tuneOpus } from './opus-sdp.js';
import { distance, proximityGain, type ProximityOptions, type VoicePosition } from './proximity.js';
import { VoicePlayback, voiceAudioContext } from './voice-playback.js';

/** Options of `voice.start()`. */
export interface VoiceStartOptions {
  /** The audio to publish. Default: the microphone (getUserMedia, echo cancellation and noise suppression on). */
  stream?: MediaStreamT;
  /** Opus average bitrate cap, kbit/s. Default: 32. */
  maxBitrateKbps?: number;
  /** Discontinuous transmission (near-silent bandwidth in pauses). Default: true. */
  dtx?: boolean;
  /** Push-to-talk: silent until `pressTalk()`. Default: false. */
  pushToTalk?: boolean;
}

/** Events of voice chat. */
export interface VoiceEvents {
  /** A member's voice went live (`true`) or quiet (`false`); our own id too. Signalled in-band. */
  talking: [playerId: string, talking: boolean];
  /** A member's voice stream arrived (played already in browsers; Node games can read it). */
  stream: [playerId: string, stream: MediaStreamT];
  /** A member's voice stream ended (it stopped publishing or left). */
  streamEnd: [playerId: string];
}

/** What voice chat needs from the session. */
export interface VoiceContext {
  /** The network (media calls). */
  net: Network;
  /** Our player id. */
  selfId: string;
  /** True while `id` is a member. */
  isMember(id: string): boolean;
  /** Sends our VOICE_STATE to one member, or every other (`to` undefined). */
  sendState(state: VoiceState, to?: string): void;
}

/** A VOICE_STATE body: voice live, publishing at all (calls up), and, once per session, hello. */
export interface VoiceState {
  /** Our voice goes out now. */
  on: boolean;
  /** We publish (our calls to the others are up or being placed). */
  pub: boolean;
  /** Sent once when our session exists: we take calls from now on. */
  hello?: true;
}

const VOICE_KIND = 'voice';
/** Calls answered per member within CALL_WINDOW_MS; more are closed unanswered (each answer costs an RTCPeerConnection). */
const MAX_CALLS_PER_WINDOW = 3;
const CALL_WINDOW_MS = 10_000;

/** Voice figures. */
export interface VoiceStats {
  /** Incoming calls answered. */
  callsAnswered: number;
  /** Incoming calls closed unanswered: not a voice call, from a non-member, or too many from one member. */
  callsRefused: number;
}

/** Voice chat of one session. */
export class VoiceChat extends Emitter<VoiceEvents> {
  private readonly ready = new Set<string>(); // members whose session can take calls
  private readonly outgoing = new Map<string, MediaCall>();
  private readonly incoming = new Map<string, { call: MediaCall; playback?: VoicePlayback }>();
  private readonly live = new Set<string>();
  private readonly volumes = new Map<string, number>();
  private readonly positions = new Map<string, VoicePosition>();
  private proximity: ProximityOptions | undefined;
  private stream: MediaStream | undefined;
  private ownedTracks: MediaStreamTrack[] = [];
  private track: MediaStreamTrack | undefined;
  private settings = { maxBitrateKbps: 32, dtx: true };
  private isMuted = false;
  private ptt = false;
  private pressed = false;
  private sent = { on: false, pub: false };
  private closed = false;
  private readonly recentCalls = new Map<string, number[]>();
  /** Voice figures. */
  readonly stats: VoiceStats = { callsAnswered: 0, callsRefused: 0 };

  /** Made by the session (`session.voice`). @internal */
  constructor(private readonly ctx: VoiceContext) {
    super();
    ctx.net.on('call', (call) => this.answer(call));
  }

  /** True while we publish (between start() and stop()). */
  get publishing(): boolean {
    return this.stream !== undefined;
  }

  /** True when mute() is on. */
  get muted(): boolean {
    return this.isMuted;
  }

  /** True when our voice goes out now: publishing, not muted, and (with push-to-talk) the talk key held. */
  get transmitting(): boolean {
    return this.publishing && !this.isMuted && (!this.ptt || this.pressed);
  }

  /** Members whose voice is live now (ours included while transmitting). */
  get talking(): ReadonlySet<string> {
    return this.live;
  }

  /** Publishes our microphone (or `options.stream`) to every other member. Rejects with MIC_DENIED (the game goes on) or MEDIA_UNSUPPORTED. */
  async start(options: VoiceStartOptions = {}): Promise<void> {
    if (this.closed) throw new HostmeshError('SESSION_CLOSED');
    if (this.stream) this.stop();
    const kbps = options.maxBitrateKbps ?? 32;
    if (!Number.isFinite(kbps) || kbps < 6 || kbps > 510) throw new HostmeshError('INVALID_ARGUMENT', 'voice.start(): maxBitrateKbps must be from 6 to 510.');
    this.settings = { maxBitrateKbps: kbps, dtx: options.dtx ?? true };
    this.ptt = options.pushToTalk ?? false;
    const source = options.stream ?? await openMicrophone();
    if (this.closed) { if (!options.stream) stopTracks(source); throw new HostmeshError('SESSION_CLOSED'); }
    if (!options.stream) this.ownedTracks = source.getTracks();
    const original = source.getAudioTracks()[0];
    if (!original) throw new HostmeshError('INVALID_ARGUMENT', 'voice.start({ stream }): the stream has no audio track.');
    // Our own copy of the track: mute and push-to-talk switch it without touching the game's.
    const track = cloneTrack(original);
    if (track !== original) this.ownedTracks.push(track);
    this.track = track;
    this.stream = new MediaStream([track]);
    void voiceAudioContext()?.resume().catch(() => { /* needs a user gesture */ });
    this.apply();
    for (const id of this.ready) this.dial(id);
  }

  /** Stops publishing: our calls end and the others see us quiet. */
  stop(): void {
    for (const call of this.outgoing.values()) call.close();
    this.outgoing.clear();
    stopTracks(...this.ownedTracks);
    this.ownedTracks = [];
    this.stream = undefined;
    this.track = undefined;
    this.apply();
  }

  /** Silences our voice (the calls stay up). */
  mute(): void {
    this.isMuted = true;
    this.apply();
  }

  /** Lets our voice out again. */
  unmute(): void {
    this.isMuted = false;
    this.apply();
  }

  /** Turns push-to-talk on (silent until pressTalk()) or off. */
  setPushToTalk(on: boolean): void {
    this.ptt = on;
    this.pressed = false;
    this.apply();
  }

  /** Push-to-talk: the talk key went down. */
  pressTalk(): void {
    this.pressed = true;
    this.apply();
  }

  /** Push-to-talk: the talk key came up. */
  releaseTalk(): void {
    this.pressed = false;
    this.apply();
  }

  /** Sets how loud member `playerId` is played, 0..1 (before proximity). Default: 1. */
  setVolume(playerId: string, volume: number): void {
    if (!Number.isFinite(volume) || volume < 0) throw new HostmeshError('INVALID_ARGUMENT', 'voice.setVolume(id, volume): volume must be a number of at least 0.');
    this.volumes.set(playerId, volume);
    this.refreshVolume(playerId);
  }

  /** The volume member `playerId` is played at now (per-player volume times proximity). */
  volumeOf(playerId: string): number {
    const base = this.volumes.get(playerId) ?? 1;
    if (!this.proximity) return base;
    const me = this.positions.get(this.ctx.selfId);
    const them = this.positions.get(playerId);
    return me && them ? base * proximityGain(distance(me, them), this.proximity) : base;
  }

  /** Turns proximity volume on (voices fade with distance) or off (`null`). */
  setProximity(options: ProximityOptions | null): void {
    if (options && !(options.maxDistance > options.refDistance && options.refDistance >= 0)) {
      throw new HostmeshError('INVALID_ARGUMENT', 'voice.setProximity(): maxDistance must be greater than refDistance, and refDistance at least 0.');
    }
    this.proximity = options ?? undefined;
    for (const id of this.incoming.keys()) this.refreshVolume(id);
  }

  /** Proximity: the players' positions in world units (ours included, under our id). */
  setPositions(positions: Record<string, VoicePosition> | ReadonlyMap<string, VoicePosition>): void {
    const entries = positions instanceof Map ? [...positions] : Object.entries(positions);
    for (const [id, p] of entries) if (p && Number.isFinite(p.x) && Number.isFinite(p.y)) this.positions.set(id, { x: p.x, y: p.y });
    for (const id of this.incoming.keys()) this.refreshVolume(id);
  }

  /** The RTCPeerConnections of our voice calls, for figures (`getStats()`): 'out' carries our voice to `playerId`, 'in' theirs to us. */
  connections(): { playerId: string; direction: 'in' | 'out'; pc: PeerConnectionT }[] {
    const out: { playerId: string; direction: 'in' | 'out'; pc: PeerConnectionT }[] = [];
    for (const [id, call] of this.outgoing) if (call.peerConnection) out.push({ playerId: id, direction: 'out', pc: call.peerConnection });
    for (const [id, { call }] of this.incoming) if (call.peerConnection) out.push({ playerId: id, direction: 'in', pc: call.peerConnection });
    return out;
  }

  /** Called by the session once it exists: tells every member we take calls. @internal */
  announce(): void {
    this.ctx.sendState({ ...this.state(), hello: true });
  }

  /** Called by the session: a member's VOICE_STATE. @internal */
  remoteState(fromId: string, body: unknown): void {
    if (this.closed || !this.ctx.isMember(fromId)) return;
    const b = (typeof body === 'object' && body !== null ? body : {}) as { on?: unknown; pub?: unknown; hello?: unknown };
    const first = !this.ready.has(fromId);
    this.ready.add(fromId);
    if (b.hello === true) this.ctx.sendState(this.state(), fromId);
    if (first || b.hello === true) this.dial(fromId);
    if (b.pub === false) this.dropIncoming(fromId); // it stopped publishing: its call is over
    this.setLive(fromId, b.on === true);
  }

  /** Called by the session: a member left. @internal */
  memberLeft(id: string): void {
    this.ready.delete(id);
    this.outgoing.get(id)?.close();
    this.outgoing.delete(id);
    this.dropIncoming(id);
    this.positions.delete(id);
    this.volumes.delete(id);
    this.recentCalls.delete(id);
    this.setLive(id, false);
  }

  /** Ends everything (the session closed). @internal */
  close(): void {
    if (this.closed) return;
    this.stop();
    this.closed = true;
    for (const id of [...this.incoming.keys()]) this.dropIncoming(id);
    for (const id of [...this.live]) this.setLive(id, false);
    this.clear();
  }

  /** Places our call to `id` when we publish and have none. */
  private dial(id: string): void {
    if (this.closed || !this.stream || this.outgoing.has(id) || !this.ctx.isMember(id)) return;
    let call: MediaCall;
    try {
      call = this.ctx.net.call(id, this.stream, { kind: VOICE_KIND }, { sdpTransform: (sdp) => this.tune(sdp) });
    } catch { return; } // signaling down: the next VOICE_STATE hello or start() tries again
    this.outgoing.set(id, call);
    const pc = call.peerConnection;
    let capped = false;
    const cap = () => {
      if (capped || !pc || !(pc.connectionState === 'connected' || pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed')) return;
      capped = true;
      void capBitrate(pc, this.settings.maxBitrateKbps * 1000);
    };
    pc?.addEventListener('connectionstatechange', cap);
    pc?.addEventListener('iceconnectionstatechange', cap);
    call.on('close', () => {
      if (this.outgoing.get(id) !== call) return;
      this.outgoing.delete(id);
      // Dropped while both are still in: place it again after a moment.
      setTimeout(() => { if (this.ready.has(id)) this.dial(id); }, 1000);
    });
  }

  /** A member called us: answer (receive only) and play it. */
  private answer(call: MediaCall): void {
    const id = call.remoteId;
    const kind = (call.metadata as { kind?: unknown } | null)?.kind;
    const now = Date.now();
    const recent = (this.recentCalls.get(id) ?? []).filter((t) => t > now - CALL_WINDOW_MS);
    if (this.closed || kind !== VOICE_KIND || !this.ctx.isMember(id) || recent.length >= MAX_CALLS_PER_WINDOW) {
      this.stats.callsRefused++;
      call.close();
      return;
    }
    recent.push(now);
    this.recentCalls.set(id, recent);
    this.stats.callsAnswered++;
    this.dropIncoming(id); // one incoming call per member: a new one replaces the old
    const entry: { call: MediaCall; playback?: VoicePlayback } = { call };
    this.incoming.set(id, entry);
    call.on('stream', (stream) => {
      if (this.incoming.get(id) !== entry) return;
      entry.playback?.close();
      entry.playback = new VoicePlayback(stream, this.volumeOf(id));
      this.emit('stream', id, stream);
    });
    call.on('close', () => { if (this.incoming.get(id) === entry) this.dropIncoming(id); });
    call.answer({ sdpTransform: (sdp) => this.tune(sdp) });
  }

  private dropIncoming(id: string): void {
    const entry = this.incoming.get(id);
    if (!entry) return;
    this.incoming.delete(id);
    entry.playback?.close();
    entry.call.close();
    this.emit('streamEnd', id);
  }

  private tune(sdp: string): string {
    return tuneOpus(sdp, { dtx: this.settings.dtx, fec: true, maxBitrateBps: this.settings.maxBitrateKbps * 1000 });
  }

  private refreshVolume(id: string): void {
    this.incoming.get(id)?.playback?.setVolume(this.volumeOf(id));
  }

  /** Applies mute / push-to-talk to our track and tells the others when our state changed. */
  private apply(): void {
    const state = this.state();
    if (this.track) this.track.enabled = state.on;
    this.setLive(this.ctx.selfId, state.on);
    if ((state.on !== this.sent.on || state.pub !== this.sent.pub) && !this.closed) {
      this.sent = state;
      this.ctx.sendState(state);
    }
  }

  private state(): VoiceState {
    return { on: this.transmitting, pub: this.publishing };
  }

  private setLive(id: string, on: boolean): void {
    if (on === this.live.has(id)) return;
    if (on) this.live.add(id); else this.live.delete(id);
    this.emit('talking', id, on);
  }
}

/** Opens the microphone; every failure is MIC_DENIED or MEDIA_UNSUPPORTED. */
async function openMicrophone(): Promise<MediaStream> {
  const md = typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined;
  if (!md?.getUserMedia) throw new HostmeshError('MEDIA_UNSUPPORTED', 'No microphone API here (getUserMedia needs a browser page on https or localhost). Pass voice.start({ stream }) instead.');
  try {
    return await md.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true } });
  } catch (err) {
    const name = (err as { name?: unknown } | null)?.name;
    throw new HostmeshError('MIC_DENIED', `The microphone could not be opened (${typeof name === 'string' ? name : 'error'}). Allow it in the browser and call voice.start() again; the game goes on without voice.`, { cause: err });
  }
}

function cloneTrack(track: MediaStreamTrack): MediaStreamTrack {
  try { return track.clone(); } catch { return track; }
}

function stopTracks(...items: (MediaStream | MediaStreamTrack)[]): void {
  for (const item of items) {
    const tracks = 'getTracks' in item ? item.getTracks() : [item];
    for (const t of tracks) { try { t.stop(); } catch { /* already stopped */ } }
  }
}

/** Caps the audio sender's bitrate (RTCRtpSender.setParameters), once negotiated. */
async function capBitrate(pc: RTCPeerConnection, bps: number): Promise<void> {
  for (const sender of pc.getSenders()) {
    if (sender.track?.kind !== 'audio') continue;
    try {
      const params = sender.getParameters();
      if (!params.encodings || params.encodings.length === 0) params.encodings = [{}];
      params.encodings[0]!.maxBitrate = bps;
      await sender.setParameters(params);
    } catch { /* the SDP's maxaveragebitrate still caps it */ }
  }
}
