// A host in its own process, for tests that kill the host: hosts a public lobby on <serverUrl>
// and prints "hosting <code> <id>". Usage: node test/helpers/host-peer.mjs <serverUrl>  (dist/ must be built)
import { connect } from '../../dist/sdk/node.js';

const [server] = process.argv.slice(2);
const session = await connect({ server, peerTimeoutMs: 3000, heartbeatIntervalMs: 250 }).host({ name: 'Doomed', public: true, playerName: 'Host', ...JSON.parse(process.env.HOSTMESH_HOST_OPTIONS ?? '{}') });
console.log(`hosting ${session.code} ${session.selfId}`);
setInterval(() => {}, 1 << 30);
