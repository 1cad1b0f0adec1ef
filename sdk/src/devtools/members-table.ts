/**
 * The members table: one row per player (us first), with the link figures of every remote
 * member and the replication figures the session has for it (snapshot bytes, interpolation
 * delay, drops, skipped snapshots). Built from `session.players` and `session.stats()`.
 */
import type { PeerStats, Session } from '../session/session.js';
import { peerColor } from './rtt-graph.js';
import { h } from './dom.js';

const COLUMNS = ['member', 'RTT ms', 'jitter', 'loss %', 'in kbit/s', 'out kbit/s', 'snap B', 'interp ms', 'drops', 'skipped'] as const;
/** Columns a narrow window drops (styles.ts): the table then fits about 320 px. */
const WIDE = new Set<string>(['jitter', 'in kbit/s', 'out kbit/s', 'skipped']);
const cls = (column: (typeof COLUMNS)[number], extra = ''): string => `${WIDE.has(column) ? 'wide ' : ''}${extra}`.trim();
const TITLES: Partial<Record<(typeof COLUMNS)[number], string>> = {
  'snap B': 'bytes of the last snapshot (host: sent to this member; client: received from the host)',
  'interp ms': 'how far behind the host clock this client draws others (adapts to jitter)',
  drops: 'unreliable sends dropped under congestion + snapshot packets dropped + malformed frames + frames over the inbound budget + inputs over the host cap',
  skipped: 'ticks not sent to this member because its previous snapshot was still queued',
};

const num = (v: number | undefined, digits = 0): string => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));
const kbit = (bytesPerSec: number): string => num((bytesPerSec * 8) / 1000, 1);

/** The table for `session` now; `order` gives each remote member its graph colour. */
export function membersTable(session: Session, stats: Record<string, PeerStats>, order: readonly string[]): HTMLTableElement {
  const players = [...session.players.values()].sort((a, b) => (a.id === session.selfId ? -1 : b.id === session.selfId ? 1 : a.seat - b.seat));
  const rows = players.map((p) => {
    const label = h('td', {}, p.id === session.selfId ? '' : swatch(peerColor(Math.max(0, order.indexOf(p.id)))),
      `${p.isHost ? '♛ ' : ''}${p.name}${p.id === session.selfId ? ' (you)' : ''}`);
    const s = stats[p.id];
    if (!s) return h('tr', { 'data-testid': 'devtools-member', 'data-id': p.id }, label, h('td', { colspan: COLUMNS.length - 1, class: 'muted' }, p.id === session.selfId ? '' : 'no direct link'));
    const drops = s.drops + s.decodeErrors + s.rateLimited + (s.snapshotDrops ?? 0) + (s.inputsDropped ?? 0);
    return h('tr', { 'data-testid': 'devtools-member', 'data-id': p.id }, label,
      h('td', {}, num(s.rttMs, 1)), h('td', { class: cls('jitter') }, num(s.jitterMs, 1)),
      h('td', { class: cls('loss %', s.loss > 0.02 ? 'bad' : '') }, num(s.loss * 100)),
      h('td', { class: cls('in kbit/s') }, kbit(s.bytesInPerSec)), h('td', { class: cls('out kbit/s') }, kbit(s.bytesOutPerSec)),
      h('td', {}, num(s.snapshotBytes)), h('td', {}, num(s.interpolationDelayMs)),
      h('td', { class: drops > 0 ? 'bad' : '' }, String(drops)), h('td', { class: cls('skipped') }, num(s.snapshotsSkipped)));
  });
  return h('table', {},
    h('thead', {}, h('tr', {}, ...COLUMNS.map((c) => h('th', { title: TITLES[c], class: cls(c) }, c)))),
    h('tbody', {}, ...rows));
}

function swatch(color: string): HTMLElement {
  const el = h('span', { class: 'swatch' });
  el.style.background = color;
  return el;
}
