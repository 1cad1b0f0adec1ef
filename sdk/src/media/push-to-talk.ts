/** Push-to-talk helpers for browsers: a key (held to talk) and optional on-screen buttons. */
import type { VoiceChat } from './voice-chat.js';

/** An `HTMLElement` where the DOM types are loaded, else `unknown`. */
export type HTMLElementT = typeof globalThis extends { HTMLElement: { prototype: infer T } } ? T : unknown;

/** Options of `bindPushToTalk`. */
export interface PushToTalkOptions {
  /** `KeyboardEvent.code` of the talk key. Default: 'KeyV'. */
  key?: string;
  /** Where key events are listened to. Default: `window`. */
  target?: EventTarget;
  /** Elements that talk while pressed (pointer or touch). Default: none. */
  buttons?: HTMLElementT[];
}

/** Turns push-to-talk on for `voice` and binds the key and buttons; returns a function that unbinds them (push-to-talk stays on). */
export function bindPushToTalk(voice: VoiceChat, options: PushToTalkOptions = {}): () => void {
  const key = options.key ?? 'KeyV';
  const target = options.target ?? (typeof window !== 'undefined' ? window : undefined);
  voice.setPushToTalk(true);
  const down = (ev: Event) => {
    const k = ev as KeyboardEvent;
    if (k.code === key && !k.repeat) voice.pressTalk();
  };
  const up = (ev: Event) => { if ((ev as KeyboardEvent).code === key) voice.releaseTalk(); };
  const press = (ev: Event) => { ev.preventDefault(); voice.pressTalk(); };
  const release = () => voice.releaseTalk();
  const blur = () => voice.releaseTalk(); // a key held while the tab loses focus never sends keyup
  target?.addEventListener('keydown', down);
  target?.addEventListener('keyup', up);
  target?.addEventListener('blur', blur);
  for (const b of options.buttons ?? []) {
    b.addEventListener('pointerdown', press);
    b.addEventListener('pointerup', release);
    b.addEventListener('pointerleave', release);
    b.addEventListener('pointercancel', release);
  }
  return () => {
    target?.removeEventListener('keydown', down);
    target?.removeEventListener('keyup', up);
    target?.removeEventListener('blur', blur);
    for (const b of options.buttons ?? []) {
      b.removeEventListener('pointerdown', press);
      b.removeEventListener('pointerup', release);
      b.removeEventListener('pointerleave', release);
      b.removeEventListener('pointercancel', release);
    }
    voice.releaseTalk();
  };
}
