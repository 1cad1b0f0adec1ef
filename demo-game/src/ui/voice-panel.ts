/**
 * Push-to-talk voice in the arena: a "Voice" button publishes the microphone (a denied
 * microphone is shown, and the game goes on), then V or the hold-to-talk button sends voice;
 * a mute toggle; the list of who is talking. Proximity: voices fade with distance between
 * avatars (full within 150 px, silent from 700 px), from the positions in the world state.
 */
import { bindPushToTalk, HostmeshError, type Session } from 'hostmesh';
import { asPlayer } from '../sim/arena.js';
import { h } from './dom.js';

/** Renders the voice controls into `root`; returns a function that removes them and stops voice. */
export function showVoicePanel(root: HTMLElement, session: Session): () => void {
  const voice = session.voice;
  const status = h('span', { class: 'muted small', 'data-testid': 'voice-status' }, 'voice off');
  const join = h('button', { class: 'small secondary', type: 'button', 'data-testid': 'voice-join' }, 'Voice');
  const talk = h('button', { class: 'small', type: 'button', 'data-testid': 'voice-talk', disabled: '' }, 'Hold to talk (V)');
  const mute = h('button', { class: 'small secondary', type: 'button', 'data-testid': 'voice-mute', disabled: '' }, 'Mute');
  const panel = h('div', { class: 'panel voice-panel', 'data-testid': 'voice-panel' }, join, talk, mute, status);
  root.append(panel);
  let unbind: (() => void) | undefined;
  join.onclick = async () => {
    join.setAttribute('disabled', '');
    status.textContent = 'opening the microphone…';
    try {
      await voice.start({ pushToTalk: true });
      unbind = bindPushToTalk(voice, { key: 'KeyV', buttons: [talk] });
      talk.removeAttribute('disabled');
      mute.removeAttribute('disabled');
      join.textContent = 'Voice on';
      status.textContent = 'hold V to talk';
    } catch (err) {
      join.removeAttribute('disabled');
      status.textContent = err instanceof HostmeshError ? `no voice: ${err.message}` : 'no voice';
    }
  };
  mute.onclick = () => {
    if (voice.muted) voice.unmute(); else voice.mute();
    mute.textContent = voice.muted ? 'Unmute' : 'Mute';
  };
  voice.setProximity({ refDistance: 150, maxDistance: 700 });
  const names = () => [...voice.talking].map((id) => session.players.get(id)?.name ?? id);
  const timer = setInterval(() => {
    if (session.isClosed) return;
    const positions: Record<string, { x: number; y: number }> = {};
    for (const [id, e] of Object.entries(session.getState())) { const p = asPlayer(e); if (p) positions[id] = { x: p.x, y: p.y }; }
    voice.setPositions(positions);
    if (voice.publishing) status.textContent = voice.talking.size ? `talking: ${names().join(', ')}` : voice.transmitting ? 'talking' : 'hold V to talk';
  }, 100);
  return () => {
    clearInterval(timer);
    unbind?.();
    voice.stop();
    panel.remove();
  };
}
