/** A tiny element builder for the overlay (attributes: true present, false/undefined absent). */

/** A child: nodes and strings are appended; null and undefined are skipped. */
export type Child = Node | string | null | undefined;

/** Creates an element with attributes and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K, attrs: Record<string, string | number | boolean | undefined> = {}, ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== false && v !== undefined) el.setAttribute(k, v === true ? '' : String(v));
  for (const c of children) if (c !== null && c !== undefined) el.append(c);
  return el;
}
