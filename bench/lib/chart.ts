/**
 * A hand-written SVG chart of latency distributions: one row per series, a log-scale time
 * axis, a bar from p50 to p99.9 with ticks at p50, p99 and p99.9 and a dot at max. Enough to
 * see at a glance where each path's tail lies; exact figures are in the tables.
 */
import type { Summary } from './stats.js';

/** One row of the chart. */
export interface ChartRow {
  label: string;
  s: Pick<Summary, 'p50' | 'p99' | 'p999' | 'max'>;
}

/** One panel: a title and its rows. */
export interface ChartPanel {
  title: string;
  rows: ChartRow[];
}

const COLORS = ['#1b6ac9', '#2e9d57', '#c98a1b', '#c9361b', '#7a3bc9', '#555555'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Renders panels stacked vertically into one SVG document. */
export function latencyChart(title: string, panels: readonly ChartPanel[]): string {
  const all = panels.flatMap((p) => p.rows.flatMap((r) => [r.s.p50, r.s.max, r.s.p999])).filter((x) => Number.isFinite(x) && x > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...all, 0.1)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...all, 1)));
  const width = 1100, left = 170, right = 290, rowH = 22, panelGap = 40, top = 40;
  const plotW = width - left - right;
  const x = (v: number) => left + (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) * plotW;
  const out: string[] = [];
  let y = top;
  for (const panel of panels) {
    out.push(`<text x="${left}" y="${y}" font-weight="bold">${esc(panel.title)}</text>`);
    y += 10;
    const y0 = y;
    panel.rows.forEach((row, i) => {
      const cy = y + rowH * i + rowH / 2;
      const c = COLORS[i % COLORS.length];
      const { p50, p99, p999, max } = row.s;
      out.push(`<text x="${left - 8}" y="${cy + 4}" text-anchor="end">${esc(row.label)}</text>`);
      if (!Number.isFinite(p50)) { out.push(`<text x="${left + 4}" y="${cy + 4}" fill="#999">no samples</text>`); return; }
      out.push(`<line x1="${x(p50)}" x2="${x(p999)}" y1="${cy}" y2="${cy}" stroke="${c}" stroke-width="8" stroke-opacity="0.35"/>`);
      for (const [v, h] of [[p50, 8], [p99, 6], [p999, 4]] as const) out.push(`<line x1="${x(v)}" x2="${x(v)}" y1="${cy - h}" y2="${cy + h}" stroke="${c}" stroke-width="2"/>`);
      out.push(`<circle cx="${x(max)}" cy="${cy}" r="3" fill="${c}"/>`);
      out.push(`<text x="${width - right + 16}" y="${cy + 4}" font-size="11" fill="#444">p50 ${p50} · p99 ${p99} · p99.9 ${p999} · max ${max}</text>`);
    });
    y += rowH * panel.rows.length;
    for (let d = lo; d <= hi; d *= 10) {
      out.push(`<line x1="${x(d)}" x2="${x(d)}" y1="${y0}" y2="${y}" stroke="#ddd"/>`);
      out.push(`<text x="${x(d)}" y="${y + 12}" text-anchor="middle" font-size="10" fill="#666">${d >= 1 ? d : d.toPrecision(1)} ms</text>`);
    }
    y += panelGap;
  }
  const height = y;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="10" y="20" font-size="14" font-weight="bold">${esc(title)}</text>
<text x="${width - 10}" y="20" font-size="10" text-anchor="end" fill="#666">bar p50–p99.9 (ticks at p50, p99, p99.9), dot = max; log scale</text>
${out.join('\n')}
</svg>
`;
}
