/**
 * The dev panel: link-conditioner sliders (added latency, jitter, loss on this tab's sends),
 * so a developer can feel 150 ms and 5% loss between two tabs. Settings apply at once.
 */
import type { ConditionerSettings, LinkConditioner } from 'hostmesh';
import { h } from './dom.js';

type Key = keyof ConditionerSettings;
const sliders: { key: Key; label: string; max: number; step: number; unit: string }[] = [
  { key: 'latencyMs', label: 'Latency', max: 500, step: 5, unit: 'ms' },
  { key: 'jitterMs', label: 'Jitter', max: 200, step: 5, unit: 'ms' },
  { key: 'lossPct', label: 'Loss', max: 50, step: 1, unit: '%' },
];

/** Renders the conditioner sliders into `root` (hidden until toggled). */
export class DevPanel {
  constructor(private readonly root: HTMLElement, private readonly conditioner: LinkConditioner) {
    root.hidden = true;
    this.render();
  }

  /** Shows or hides the panel. */
  toggle(show = this.root.hidden): void {
    this.root.hidden = !show;
  }

  private render(): void {
    const rows = sliders.map(({ key, label, max, step, unit }) => {
      const value = h('output', { id: `cond-${key}-value` }, `${this.conditioner.settings[key]} ${unit}`);
      const input = h('input', { id: `cond-${key}`, 'data-testid': `cond-${key}`, type: 'range', min: 0, max, step, value: this.conditioner.settings[key] });
      input.oninput = () => {
        this.conditioner.set({ [key]: Number(input.value) });
        value.textContent = `${input.value} ${unit}`;
      };
      return h('label', { class: 'slider' }, h('span', {}, label), input, value);
    });
    const preset = (settings: ConditionerSettings, text: string) => {
      const b = h('button', { class: 'small secondary', type: 'button' }, text);
      b.onclick = () => { this.conditioner.set(settings); this.render(); };
      return b;
    };
    this.root.replaceChildren(
      h('div', { class: 'hud-title' }, 'Link conditioner (this tab’s sends)'), ...rows,
      h('div', { class: 'row' }, preset({ latencyMs: 0, jitterMs: 0, lossPct: 0 }, 'Off'),
        preset({ latencyMs: 150, jitterMs: 10, lossPct: 5 }, '150 ms · 5% loss'),
        preset({ latencyMs: 150, jitterMs: 40, lossPct: 10 }, 'Awful')),
      h('div', { class: 'muted small' }, 'Set it in both tabs to delay both directions. B hides.'));
  }
}
