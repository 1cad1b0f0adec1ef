// A player in its own process for fault tests: joins <code> on <serverUrl> as <name>, answers
// 'echo' with 'echo-reply', and prints "joined <id>", every "signaling <state>" and "close <reason>".
// Usage: node test/helpers/outage-peer.mjs <serverUrl> <code> <name>  (dist/ must be built)
import { connect } from '../../dist/sdk/node.js';

const [server, code, name] = process.argv.slice(2);
const session = await connect({ server, peerTimeoutMs: 3000, heartbeatIntervalMs: 250, signalingRetryMinMs: 100, signalingRetryMaxMs: 1000 })
  .join(code, { playerName: name });
session.onMessage('echo', (data, from) => session.send('echo-reply', data, { to: from }));
session.on('signalingChange', (state) => console.log(`signaling ${state}`));
session.on('close', (reason) => console.log(`close ${reason}`));
console.log(`joined ${session.selfId}`);
setInterval(() => {}, 1 << 30);
