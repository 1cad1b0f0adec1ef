/**
 * Child process of host-cost.ts: joins Node clients to the host on command and keeps them
 * playing (an input every 33 ms, snapshots counted). Commands over IPC:
 * `{ add: n }` -> `{ added, total }`, `{ count: true }` -> `{ snapshots: number[] }` (per client, since
 * the last count), `{ quit: true }`.
 */
import { connect, type Session } from '../sdk/src/node.js';

const server = process.env.HM_SERVER!, code = process.env.HM_CODE!;
const clients: { s: Session; snaps: number }[] = [];
const inputTimer = setInterval(() => {
  for (const c of clients) if (!c.s.isClosed) c.s.sendInput({ dx: Math.random() - 0.5, dy: Math.random() - 0.5 });
}, 33);

process.on('message', (m: { add?: number; count?: boolean; quit?: boolean }) => {
  void (async () => {
    if (m.add) {
      let added = 0, error: string | undefined;
      for (let i = 0; i < m.add; i++) {
        try {
          const s = await connect({ server, peerTimeoutMs: 30_000, connectTimeoutMs: 30_000 }).join(code, { playerName: `c${clients.length}` });
          const c = { s, snaps: 0 };
          s.on('snapshot', () => { c.snaps++; });
          clients.push(c);
          added++;
        } catch (err) { error = String(err); break; }
      }
      process.send!({ added, total: clients.length, ...(error ? { error } : {}) });
    } else if (m.count) {
      process.send!({ snapshots: clients.map((c) => { const n = c.snaps; c.snaps = 0; return n; }) });
    } else if (m.quit) {
      clearInterval(inputTimer);
      await Promise.allSettled(clients.map((c) => c.s.leave()));
      process.exit(0);
    }
  })();
});
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true });
