/**
 * The host shares an image (a custom avatar or arena picture) with everyone through
 * `sendFile('all')`: a file picker, a progress bar per receiver on the host, and on each client
 * a progress bar while it arrives, then the picture. Clients accept files from the host only,
 * up to 8 MB; anything else is refused.
 */
import type { Session } from 'hostmesh';
import { h } from './dom.js';

const MAX_BYTES = 8 * 1024 * 1024;

/** Renders the file-share card into `root`; returns a function that removes it. */
export function showFileShare(root: HTMLElement, session: Session): () => void {
  const bar = h('progress', { max: '1', value: '0', 'data-testid': 'share-progress' }) as HTMLProgressElement;
  const label = h('span', { class: 'muted small', 'data-testid': 'share-status' }, session.isHost ? 'share an image with everyone' : '');
  const picture = h('img', { alt: 'shared by the host', 'data-testid': 'share-image', class: 'share-image' }) as HTMLImageElement;
  picture.hidden = true;
  const card = h('div', { class: 'panel file-share', 'data-testid': 'file-share' });
  const urls: string[] = [];
  const show = (blob: Blob) => { const url = URL.createObjectURL(blob); urls.push(url); picture.src = url; picture.hidden = false; };
  if (session.isHost) {
    const input = h('input', { type: 'file', accept: 'image/*', 'data-testid': 'share-input' }) as HTMLInputElement;
    input.onchange = () => {
      const file = input.files?.[0];
      if (!file) return;
      show(file);
      const transfers = session.sendFile('all', file, { name: file.name, type: file.type });
      if (transfers.length === 0) { label.textContent = 'nobody else is here yet'; return; }
      const done = new Map<string, number>();
      const update = () => {
        const bytes = [...done.values()].reduce((a, b) => a + b, 0);
        bar.value = bytes / (file.size * transfers.length || 1);
      };
      for (const t of transfers) {
        t.on('progress', (p) => { done.set(t.to, p.bytes); update(); });
        t.done.then(() => { done.set(t.to, file.size); update(); label.textContent = `${file.name} shared`; },
          (err: Error) => { label.textContent = `${session.players.get(t.to)?.name ?? t.to}: ${err.message}`; });
      }
      label.textContent = `sending ${file.name} to ${transfers.length}…`;
    };
    card.append(input, bar, label, picture);
  } else {
    card.append(label, bar, picture);
    card.hidden = true;
  }
  root.append(card);
  const off = session.on('fileOffer', (offer) => {
    if (offer.from !== session.hostId || offer.size > MAX_BYTES || !offer.type.startsWith('image/')) { offer.refuse(); return; }
    card.hidden = false;
    label.textContent = `${session.players.get(offer.from)?.name ?? 'host'} shares ${offer.name}`;
    offer.on('progress', (p) => { bar.value = p.total ? p.bytes / p.total : 1; });
    offer.accept().then((file) => { bar.value = 1; label.textContent = `${file.name} from the host`; show(file.blob()); },
      (err: Error) => { label.textContent = err.message; });
  });
  return () => {
    off();
    for (const u of urls) URL.revokeObjectURL(u);
    card.remove();
  };
}
