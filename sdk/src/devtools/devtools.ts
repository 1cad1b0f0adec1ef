/**
 * `attachDevtools(session)`: a drop-in network overlay for any game. It shows the members with
 * RTT, jitter, loss and kbit/s, an RTT graph over the last minute, snapshot bytes, interpolation
 * delay, drops and skipped snapshots, the signaling state, and (given the connection's
 * conditioner) link-conditioner sliders. A hotkey shows and hides it. It lives in its own entry
 * (`hostmesh/devtools`): a game that never imports it pays nothing, and while hidden it only
 * samples `stats()` once a second for the graph. It renders into a shadow root, so neither the
 * game's CSS nor its own leak across; a game moves or sizes it with
 * `[data-hostmesh-devtools]::part(panel) { top: 48px; max-width: 50vw; }`.
 */
import type { LinkConditioner } from '../link/conditioner.js';
import { sessionCore, type Session } from '../session/session.js';
import { conditionerPanel } from './conditioner-panel.js';
import { h } from './dom.js';
import { membersTable } from './members-table.js';
import { drawRttGraph } from './rtt-graph.js';
import { RttHistory } from './rtt-history.js';
import { DEVTOOLS_CSS } from './styles.js';

/** Where the overlay sits. */
export type DevtoolsPosition = 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right';

/** Options of `attachDevtools`. */
export interface DevtoolsOptions {
  /** The connection's link conditioner (`connect(...).conditioner`): adds its sliders. Default: none (no sliders). */
  conditioner?: LinkConditioner | undefined;
  /** `KeyboardEvent.code` that shows and hides the overlay; '' for none. Default: 'Backquote'. */
  hotkey?: string;
  /** Shown from the start. Default: false. */
  visible?: boolean;
  /** Corner of the window. Default: 'top-left'. */
  position?: DevtoolsPosition;
  /** Element the overlay is added to. Default: document.body. */
  parent?: HTMLElement | undefined;
  /** Redraw period while shown, ms. Default: 500. */
  refreshMs?: number;
  /** Span of the RTT graph, ms. Default: 60000. */
  historyMs?: number;
}

const defaults = { hotkey: 'Backquote', visible: false, position: 'top-left', refreshMs: 500, historyMs: 60_000 } as const;

/** A devtools overlay attached to one session. */
export interface Devtools {
  /** Whether it is shown. */
  readonly visible: boolean;
  /** Shows it, or hides it with `false`; no argument flips it. */
  toggle(show?: boolean): void;
  /** Removes the overlay, its hotkey and its timers. Idempotent; runs by itself when the session closes. */
  detach(): void;
}

/** Attaches the overlay to `session` (hidden unless `visible`); see DevtoolsOptions. */
export function attachDevtools(session: Session, options: DevtoolsOptions = {}): Devtools {
  const o = { ...defaults, ...options };
  const history = new RttHistory(o.historyMs);
  const order: string[] = [];
  const hostEl = h('div', { 'data-hostmesh-devtools': '' });
  const shadow = hostEl.attachShadow({ mode: 'open' });
  const summary = h('span', { 'data-testid': 'devtools-summary' });
  const table = h('div');
  const graph = h('canvas', { width: 360, height: 72, 'data-testid': 'devtools-rtt' });
  const close = h('button', { type: 'button', title: 'hide' }, '×');
  const panel = h('div', { class: `panel ${o.position}`, part: 'panel', 'data-testid': 'devtools', hidden: true },
    h('div', { class: 'title' }, h('span', {}, 'hostmesh'), summary, h('span', { class: 'grow' }), close),
    table, graph, o.conditioner ? conditionerPanel(o.conditioner) : null,
    o.hotkey ? h('div', { class: 'muted' }, `${keyLabel(o.hotkey)} shows / hides`) : null);
  shadow.append(h('style', {}, DEVTOOLS_CSS), panel);
  (o.parent ?? document.body).append(hostEl);

  let redraw: ReturnType<typeof setInterval> | undefined;
  let detached = false;
  const sample = () => {
    if (session.isClosed) return;
    const now = performance.now();
    const stats = session.stats();
    for (const [id, s] of Object.entries(stats)) {
      if (!order.includes(id)) order.push(id);
      history.add(id, now, s.rttMs);
    }
    history.prune(now, new Set(Object.keys(stats)));
  };
  const render = () => {
    if (session.isClosed) return;
    const stats = session.stats();
    const { signalingState, signaling: { offersRefused, signalsDropped } } = sessionCore(session).net;
    const refused = offersRefused + signalsDropped > 0 ? ` · ${offersRefused} offers refused, ${signalsDropped} signals dropped` : '';
    summary.replaceChildren(`${session.isHost ? 'host' : 'client'} · ${session.code} · ${session.tickRateHz} Hz · ${session.players.size} members · signaling `,
      h('span', { class: signalingState === 'open' ? 'ok' : 'bad', 'data-testid': 'devtools-signaling' }, signalingState), refused);
    table.replaceChildren(membersTable(session, stats, order));
    drawRttGraph(graph, history, performance.now(), order);
  };
  const toggle = (show = panel.hidden) => {
    if (detached) return;
    clearInterval(redraw);
    redraw = undefined;
    panel.hidden = !show;
    if (!show) return;
    render();
    redraw = setInterval(render, o.refreshMs);
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.code !== o.hotkey || e.repeat || isTyping(e.target)) return;
    toggle();
  };
  close.onclick = () => toggle(false);
  sample();
  const sampler = setInterval(sample, 1000);
  if (o.hotkey) window.addEventListener('keydown', onKey);
  const detach = () => {
    if (detached) return;
    detached = true;
    clearInterval(sampler);
    clearInterval(redraw);
    window.removeEventListener('keydown', onKey);
    offClose();
    hostEl.remove();
  };
  const offClose = session.on('close', detach);
  if (o.visible) toggle(true);
  return {
    get visible() { return !panel.hidden && !detached; },
    toggle,
    detach,
  };
}

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

function keyLabel(code: string): string {
  if (code === 'Backquote') return '`';
  return code.replace(/^Key|^Digit/, '');
}
