// A browser game's entry, as a user writes it: typed against the installed package only.
import { connect, HostmeshError, ErrorAdvice, defaultSchema, type ErrorCode, type HostSession, type Session, type State } from 'hostmesh';
import { attachDevtools, type Devtools } from 'hostmesh/devtools';

/** Shows the network overlay on F8. */
export function devtoolsFor(session: Session, net: ReturnType<typeof connect>): Devtools {
  return attachDevtools(session, { conditioner: net.conditioner, hotkey: 'F8', position: 'bottom-right' });
}

/** Hosts a lobby and mirrors the world into it at every tick. */
export async function hostGame(server: string, world: State): Promise<HostSession> {
  const net = connect({ server, conditioner: { latencyMs: 0 } });
  const host = await net.host({ name: 'Arena', maxPlayers: 4, public: true, playerName: 'Ann', schema: defaultSchema });
  host.onInput((input, fromId) => { world[fromId] = { x: Number((input as { x?: unknown }).x ?? 0), y: 0 }; host.setState(world); });
  host.on('tick', () => host.setState(world));
  return host;
}

/** Joins by code and draws the interpolated state; errors become one line of advice. */
export async function joinGame(server: string, code: string): Promise<Session | string> {
  try {
    const me = await connect(server).join(code, { playerName: 'Bob' });
    me.on('snapshot', (state, tick) => { document.title = `${Object.keys(state).length} entities @ ${tick}`; });
    me.sendInput({ x: 1 });
    const stats = me.stats();
    for (const [id, peer] of Object.entries(stats)) console.log(id, peer.rttMs, peer.loss);
    return me;
  } catch (err) {
    if (err instanceof HostmeshError) {
      const code: ErrorCode = err.code;
      return `${code}: ${ErrorAdvice[code]}`;
    }
    throw err;
  }
}
