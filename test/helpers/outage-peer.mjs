// A player in its own process for fault tests: joins <code> on <serverUrl> as <name>, answers
// 'echo' with 'echo-reply' and 'state?' with 'state', and prints "joined <id>", every "signaling <state>", "reconnecting",
// "reconnected" and "close <reason> <error code>". Options for connect() as JSON in
// HOSTMESH_PEER_OPTIONS (merged over fast defaults).
// Usage: node test/helpers/outage-peer.mjs <serverUrl> <code> <name>  (dist/ must be built)
import { connect } from '../../dist/sdk/node.js';

const [server, code, name] = process.argv.slice(2);
const options = { peerTimeoutMs: 3000, heartbeatIntervalMs: 250, signalingRetryMinMs: 100, signalingRetryMaxMs: 1000, ...JSON.parse(process.env.HOSTMESH_PEER_OPTIONS ?? '{}') };
const session = await connect({ server, ...options }).join(code, { playerName: name });
session.onMessage('echo', (data, from) => session.send('echo-reply', data, { to: from }));
// 'state?' is answered with the newest snapshot's tick and our own entity in it.
let newest = { tick: -1, me: null };
session.on('snapshot', (state, tick) => { newest = { tick, me: state[session.selfId] ?? null }; });
session.onMessage('state?', (_data, from) => session.send('state', newest, { to: from }));
session.on('signalingChange', (state) => console.log(`signaling ${state}`));
session.on('reconnecting', () => console.log('reconnecting'));
session.on('reconnected', () => {
  // Which way it came back: recoveries > 0 is the same link (ICE restart or a path that came back by itself).
  const link = session.stats()[session.hostId];
  console.log(`reconnected recoveries=${link?.recoveries ?? 0} iceRestarts=${link?.iceRestarts ?? 0} iceRestored=${link?.iceRestored ?? 0}`);
  const off = session.on('snapshot', (state) => { off(); console.log(`snapshot ${JSON.stringify(state[session.selfId] ?? null)}`); });
});
session.on('close', (reason, error) => { console.log(`close ${reason} ${error?.code ?? '-'}`); setTimeout(() => process.exit(0), 100); });
console.log(`joined ${session.selfId}`);
setInterval(() => {}, 1 << 30);
