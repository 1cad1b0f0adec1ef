// A player in its own process, for tests that kill a peer outright (SIGKILL: no goodbye).
// Usage: node test/helpers/bot.mjs <serverUrl> <code> <name>; prints "joined <id>" when in.
import { connect } from '../../dist/sdk/node.js';

const [server, code, name] = process.argv.slice(2);
const session = await connect({ server, peerTimeoutMs: 1500, heartbeatIntervalMs: 250 }).join(code, { playerName: name });
session.onMessage('echo', (data, from) => session.send('echo-reply', data, { to: from }));
console.log(`joined ${session.selfId}`);
setInterval(() => {}, 1 << 30);
