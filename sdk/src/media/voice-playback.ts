/**
 * Plays one remote voice stream in a browser. Chromium quirk (FACTS.md): a
 * MediaStreamAudioSourceNode fed by a remote WebRTC stream is silent unless an HTMLMediaElement
 * also plays that stream, so a hidden, muted `<audio>` plays it while WebAudio routes it
 * through a GainNode (per-player volume times proximity) to the speakers. Where there is no
 * DOM or WebAudio (Node), nothing plays; the stream is still handed to the game.
 */

let shared: AudioContext | undefined;

/** The page's AudioContext for voice (created on first use); undefined without WebAudio. */
export function voiceAudioContext(): AudioContext | undefined {
  if (shared) return shared;
  if (typeof AudioContext === 'undefined') return undefined;
  shared = new AudioContext();
  return shared;
}

/** One remote voice being played. */
export class VoicePlayback {
  private readonly element: HTMLAudioElement | undefined;
  private readonly source: MediaStreamAudioSourceNode | undefined;
  private readonly gain: GainNode | undefined;

  constructor(readonly stream: MediaStream, volume: number) {
    const ctx = voiceAudioContext();
    if (!ctx || typeof document === 'undefined') return;
    const el = document.createElement('audio');
    el.muted = true;
    el.autoplay = true;
    el.srcObject = stream;
    el.style.display = 'none';
    document.body?.appendChild(el);
    void el.play().catch(() => { /* autoplay refused: WebAudio still plays once resumed */ });
    this.element = el;
    this.source = ctx.createMediaStreamSource(stream);
    this.gain = ctx.createGain();
    this.gain.gain.value = volume;
    this.source.connect(this.gain).connect(ctx.destination);
  }

  /** Sets the output volume (0..1, or more to amplify). */
  setVolume(volume: number): void {
    if (this.gain) this.gain.gain.value = volume;
  }

  /** The current output volume (undefined where nothing plays). */
  get volume(): number | undefined {
    return this.gain?.gain.value;
  }

  /** Stops playing and releases the nodes and the element. */
  close(): void {
    this.source?.disconnect();
    this.gain?.disconnect();
    if (this.element) { this.element.srcObject = null; this.element.remove(); }
  }
}
