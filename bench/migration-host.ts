/**
 * The host in its own process for the migration benchmark: hosts a lobby on BENCH_SERVER with
 * default options, a tick counter (entity "clock", { n }) and a score per player, a checkpoint,
 * and prints "hosting <code> <id>". SIGTERM leaves gracefully (a handover); SIGKILL is a crash.
 */
import { connect, type State } from '../sdk/src/node.js';

const session = await connect({ server: process.env.BENCH_SERVER! }).host({ name: 'migration', playerName: 'Host', tickRateHz: 30, maxPlayers: 16 });
const state: State = { clock: { n: 0 }, [session.selfId]: { score: 1 } };
let n = 0;
session.on('playerJoin', (p) => { state[p.id] = { score: 10 * p.seat }; });
session.on('tick', () => {
  state.clock = { n: ++n };
  session.setState({ ...state });
  session.setCheckpoint({ n });
});
process.on('SIGTERM', () => { void session.leave().then(() => process.exit(0)); });
console.log(`hosting ${session.code} ${session.selfId}`);
setInterval(() => {}, 1 << 30);
