/**
 * Membership is consistent by construction: over random sequences of joins, leaves, kicks,
 * bans, duplicate links (a member's second link with a fresh ticket and the host's name) and
 * crashes (links torn down with no goodbye), the roster every live member sees converges to the
 * host's after each step, the host holds one link per member, and nobody is named like another.
 * Real host and client sessions (roles, admission, mesh) over the in-memory transport, so a
 * run covers many sequences quickly; the same attacks over real WebRTC are in hostile-peers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Session } from '../../sdk/src/session/session.js';
import { sessionCore } from '../../sdk/src/session/session.js';
import { memoryMesh } from '../helpers/memory-session.js';
import { until } from '../helpers/wait.js';

type Op = { op: 'join' | 'leave' | 'kick' | 'ban' | 'dup' | 'crash'; who: number };
const op = fc.record({ op: fc.constantFrom<Op['op']>('join', 'join', 'join', 'leave', 'kick', 'ban', 'dup', 'crash'), who: fc.nat(20) });

const view = (s: Session) => [...s.players.values()].map((p) => `${p.id}:${p.name}:${p.seat}`).sort().join(',');

describe('membership property', () => {
  it('after every join, leave, kick, ban, duplicate link and crash, every live member sees the host\'s roster', async () => {
    let sequences = 0;
    let steps = 0;
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 4, maxLength: 12 }), async (ops) => {
      sequences++;
      const mesh = memoryMesh({ maxPlayers: 6 });
      const host = mesh.host.session;
      const live = new Map<string, Session>();
      let n = 0;
      try {
        for (const { op: kind, who } of ops) {
          steps++;
          const ids = [...live.keys()];
          const target = ids.length ? ids[who % ids.length]! : undefined;
          if (kind === 'join') {
            const id = `p${n++}`;
            try { live.set(id, await mesh.join(id, who % 2 ? 'Ann' : `P${n}`)); } catch { /* full lobby: refused, fine */ }
          } else if (target && kind === 'leave') { await live.get(target)!.leave(); live.delete(target); }
          else if (target && kind === 'kick') { host.kick(target); live.delete(target); }
          else if (target && kind === 'ban') { host.ban(target); live.delete(target); }
          else if (target && kind === 'dup') expect(await mesh.duplicateLink(target)).toBe(false);
          else if (target && kind === 'crash') { mesh.crash(target); live.delete(target); }
          // Converged: the host holds exactly the live members, one link each, and each member agrees.
          const expected = ['host', ...live.keys()].sort();
          const linked = () => [...sessionCore(host).links.keys()].sort().join() === [...live.keys()].sort().join();
          await until(() => [...host.players.keys()].sort().join() === expected.join() && linked()
            && [...live.values()].every((s) => !s.isClosed && view(s) === view(host)), 3000, `roster after ${kind}`);
          const names = [...host.players.values()].map((p) => p.name.toLowerCase());
          expect(new Set(names).size).toBe(names.length);
        }
      } finally {
        await Promise.all([...live.values()].map((s) => s.leave()));
        await host.leave();
      }
    }), { seed: 4242, numRuns: 40 });
    console.log(`[membership] ${sequences} sequences, ${steps} steps, rosters converged after each`);
  }, 120_000);
});
