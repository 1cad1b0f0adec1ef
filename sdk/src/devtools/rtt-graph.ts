/** Draws an RttHistory into a canvas: one line per peer over the window, a scale on the left. */
import type { RttHistory } from './rtt-history.js';

/** Line colours, one per peer in order. */
export const PEER_COLORS = ['#4fc3f7', '#f6c343', '#ef5da8', '#7bd88f', '#b18cff', '#ff8a4c', '#5eead4', '#f87171'] as const;

/** Colour of the i-th peer. */
export function peerColor(i: number): string {
  return PEER_COLORS[i % PEER_COLORS.length] ?? '#ffffff';
}

/** Redraws `canvas` from `history` at `nowMs`; `order` fixes each peer's colour. */
export function drawRttGraph(canvas: HTMLCanvasElement, history: RttHistory, nowMs: number, order: readonly string[]): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width, height } = canvas;
  const top = 12, bottom = height - 4, left = 30;
  const scale = niceCeil(Math.max(history.max(), 1));
  ctx.clearRect(0, 0, width, height);
  ctx.font = '10px ui-monospace, Menlo, monospace';
  ctx.fillStyle = '#93a0bd';
  ctx.strokeStyle = '#2a3a5e';
  ctx.lineWidth = 1;
  for (const f of [0, 0.5, 1]) {
    const y = bottom - f * (bottom - top);
    ctx.beginPath(); ctx.moveTo(left, y + 0.5); ctx.lineTo(width, y + 0.5); ctx.stroke();
    ctx.fillText(`${Number((scale * f).toFixed(scale < 10 ? 1 : 0))}`, 2, y + 3);
  }
  ctx.fillText(`RTT ms · last ${Math.round(history.windowMs / 1000)} s`, left + 4, 9);
  ctx.lineWidth = 1.5;
  for (const id of history.peers()) {
    const samples = history.samples(id);
    ctx.strokeStyle = peerColor(Math.max(0, order.indexOf(id)));
    ctx.beginPath();
    samples.forEach((s, i) => {
      const x = left + (1 - (nowMs - s.atMs) / history.windowMs) * (width - left);
      const y = bottom - (s.rttMs / scale) * (bottom - top);
      if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    });
    ctx.stroke();
  }
}

/** The next 1, 2 or 5 times a power of ten at or above `v`. */
export function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * p).find((c) => c >= v) ?? 10 * p;
}
