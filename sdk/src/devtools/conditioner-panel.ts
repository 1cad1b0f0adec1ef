/** Link-conditioner sliders: added latency, jitter and loss on this client's sends, with presets. */
import type { ConditionerSettings, LinkConditioner } from '../link/conditioner.js';
import { h } from './dom.js';

const SLIDERS: { key: keyof ConditionerSettings; label: string; max: number; step: number; unit: string }[] = [
  { key: 'latencyMs', label: 'latency', max: 500, step: 5, unit: 'ms' },
  { key: 'jitterMs', label: 'jitter', max: 200, step: 5, unit: 'ms' },
  { key: 'lossPct', label: 'loss', max: 50, step: 1, unit: '%' },
];

const PRESETS: [string, ConditionerSettings][] = [
  ['off', { latencyMs: 0, jitterMs: 0, lossPct: 0 }],
  ['150 ms · 5%', { latencyMs: 150, jitterMs: 10, lossPct: 5 }],
  ['awful', { latencyMs: 250, jitterMs: 60, lossPct: 15 }],
];

/** The sliders bound to `conditioner` (they read its settings when built). */
export function conditionerPanel(conditioner: LinkConditioner): HTMLElement {
  const box = h('div', { 'data-testid': 'devtools-conditioner' });
  const render = () => {
    const rows = SLIDERS.map(({ key, label, max, step, unit }) => {
      const value = h('output', {}, `${conditioner.settings[key]} ${unit}`);
      const input = h('input', { type: 'range', min: 0, max, step, value: conditioner.settings[key], 'data-testid': `cond-${key}`, 'aria-label': label });
      input.oninput = () => {
        conditioner.set({ [key]: Number(input.value) });
        value.textContent = `${input.value} ${unit}`;
      };
      return h('label', { class: 'slider' }, h('span', {}, label), input, value);
    });
    const presets = PRESETS.map(([label, settings]) => {
      const b = h('button', { type: 'button' }, label);
      b.onclick = () => { conditioner.set(settings); render(); };
      return b;
    });
    box.replaceChildren(h('h4', {}, 'link conditioner (this client’s sends)'), ...rows, h('div', { class: 'row' }, ...presets));
  };
  render();
  return box;
}
