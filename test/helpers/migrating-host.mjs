// A host in its own process for host-migration tests: hosts <serverUrl>, gives every player an
// entity { score: 10 × seat }, counts ticks in entity "clock" ({ n }), keeps a checkpoint
// { seed: 7, n }, and prints "hosting <code> <id>". On SIGTERM it leaves gracefully (a
// handover); SIGKILL is a crash. Options for connect() as JSON in HOSTMESH_PEER_OPTIONS.
// Usage: node test/helpers/migrating-host.mjs <serverUrl>  (dist/ must be built)
import { connect } from '../../dist/sdk/node.js';

const [server] = process.argv.slice(2);
const options = { peerTimeoutMs: 3000, heartbeatIntervalMs: 250, ...JSON.parse(process.env.HOSTMESH_PEER_OPTIONS ?? '{}') };
const session = await connect({ server, ...options }).host({ name: 'Migrating', public: true, playerName: 'Host', tickRateHz: 20, maxPlayers: 16 });
const state = { clock: { n: 0 }, [session.selfId]: { score: 0 } };
session.on('playerJoin', (p) => { state[p.id] = { score: 10 * p.seat }; });
session.on('tick', () => {
  state.clock.n++;
  session.setState(state);
  session.setCheckpoint({ seed: 7, n: state.clock.n });
});
session.on('close', (reason, error) => console.log(`close ${reason} ${error?.code ?? '-'}`));
process.on('SIGTERM', () => { void session.leave().then(() => process.exit(0)); });
console.log(`hosting ${session.code} ${session.selfId}`);
setInterval(() => {}, 1 << 30);
