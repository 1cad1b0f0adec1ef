/**
 * The network HUD: per remote peer, round-trip time, jitter, loss, kbit/s in and out,
 * snapshot size and interpolation delay (clients), plus the session's tick rate. Read from
 * `session.stats()` twice a second while shown.
 */
import type { PeerStats, Session } from 'hostmesh';
import { h } from './dom.js';

const fmt = (v: number | undefined, digits = 0) => (v === undefined || Number.isNaN(v) ? '–' : v.toFixed(digits));
const kbit = (bytesPerSec: number) => fmt((bytesPerSec * 8) / 1000, 1);

/** A toggleable network HUD bound to one session. */
export class NetHud {
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly root: HTMLElement, private readonly session: Session) {}

  /** Whether it is shown. */
  get visible(): boolean {
    return this.timer !== undefined;
  }

  /** Shows or hides the HUD. */
  toggle(show = !this.visible): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.root.hidden = !show;
    if (!show) return;
    this.render();
    this.timer = setInterval(() => this.render(), 500);
  }

  /** Hides the HUD and stops refreshing. */
  dispose(): void {
    this.toggle(false);
  }

  private render(): void {
    if (this.session.isClosed) return;
    const stats = this.session.stats();
    const rows = Object.entries(stats).map(([id, s]) => this.row(id, s));
    this.root.replaceChildren(
      h('div', { class: 'hud-title' }, `Network · ${this.session.isHost ? 'host' : 'client'} · tick ${this.session.tickRateHz} Hz`),
      h('table', {},
        h('thead', {}, h('tr', {}, ...['peer', 'RTT ms', 'jitter', 'loss %', 'in kbit/s', 'out kbit/s', 'snap B', 'interp ms'].map((t) => h('th', {}, t)))),
        h('tbody', {}, ...(rows.length ? rows : [h('tr', {}, h('td', { colspan: 8, class: 'muted' }, 'no peers yet'))]))),
      h('div', { class: 'muted small' }, 'N hides · B opens the link conditioner'));
  }

  private row(id: string, s: PeerStats): HTMLElement {
    const p = this.session.players.get(id);
    const name = `${p?.isHost ? '♛ ' : ''}${p?.name ?? id.slice(0, 6)}`;
    return h('tr', { 'data-testid': 'hud-row' },
      h('td', {}, name), h('td', {}, fmt(s.rttMs, 1)), h('td', {}, fmt(s.jitterMs, 1)), h('td', {}, fmt(s.loss * 100)),
      h('td', {}, kbit(s.bytesInPerSec)), h('td', {}, kbit(s.bytesOutPerSec)),
      h('td', {}, fmt(s.snapshotBytes)), h('td', {}, fmt(s.interpolationDelayMs)));
  }
}
