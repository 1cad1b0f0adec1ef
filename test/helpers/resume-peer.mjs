// A player in its own process that prints its resume token, for tests that kill it and resume
// its seat from another process: joins <code> on <serverUrl> as <name> (or, with a third
// argument, resumes the seat of that token) and prints "joined <id> <seat> <resumeToken>",
// and "resume-failed <code>" when the seat was not taken back. Usage:
// node test/helpers/resume-peer.mjs <serverUrl> <code> <name> [resumeToken]  (dist/ must be built)
import { connect } from '../../dist/sdk/node.js';

const [server, code, name, resume] = process.argv.slice(2);
const options = { peerTimeoutMs: 1500, heartbeatIntervalMs: 250, ...JSON.parse(process.env.HOSTMESH_PEER_OPTIONS ?? '{}') };
try {
  const session = await connect({ server, ...options }).join(code, { playerName: name, ...(resume ? { resume } : {}) });
  session.onMessage('echo', (data, from) => session.send('echo-reply', data, { to: from }));
  console.log(`joined ${session.selfId} ${session.players.get(session.selfId)?.seat} ${session.resumeToken}`);
} catch (err) {
  console.log(`resume-failed ${err?.code ?? String(err)}`);
}
setInterval(() => {}, 1 << 30);
