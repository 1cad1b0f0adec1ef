/** Test helper: a round trip through the echo a child peer (test/helpers/outage-peer.mjs) answers. */
import type { Session } from '../../sdk/src/node.js';
import { nextEvent } from './wait.js';

/** Resolves when `from` gets `toId`'s echo of a fresh message (both ways through their direct link). */
export async function echo(from: Session, toId: string, label: string): Promise<void> {
  const n = Math.random();
  const got = nextEvent<[unknown]>((cb) => from.onMessage('echo-reply', (d) => { if ((d as { n: number }).n === n) cb(d); }), 5000, label);
  from.send('echo', { n }, { to: toId });
  await got;
}
