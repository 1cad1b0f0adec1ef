/** A small modal that asks for one value (the lobby password); resolves undefined on cancel. */
import { h } from './dom.js';

/** Options of `ask`. */
export interface AskOptions {
  title: string;
  message: string;
  /** Input type. Default: 'text'. */
  type?: 'text' | 'password';
  /** Button label. Default: 'OK'. */
  ok?: string;
}

/** Shows the modal over `root` and resolves with the entered value, or undefined. */
export function ask(root: HTMLElement, options: AskOptions): Promise<string | undefined> {
  return new Promise((resolve) => {
    const input = h('input', { id: 'prompt-input', 'data-testid': 'prompt-input', type: options.type ?? 'text', autocomplete: 'off' });
    const ok = h('button', { id: 'prompt-ok', 'data-testid': 'prompt-ok', type: 'submit' }, options.ok ?? 'OK');
    const cancel = h('button', { id: 'prompt-cancel', class: 'secondary', type: 'button' }, 'Cancel');
    const form = h('form', { class: 'card prompt', 'data-testid': 'prompt' },
      h('h2', {}, options.title), h('p', {}, options.message), input, h('div', { class: 'row' }, ok, cancel));
    const backdrop = h('div', { class: 'backdrop' }, form);
    const done = (value: string | undefined) => { backdrop.remove(); resolve(value); };
    form.onsubmit = (e) => { e.preventDefault(); done(input.value); };
    cancel.onclick = () => done(undefined);
    root.append(backdrop);
    input.focus();
  });
}
