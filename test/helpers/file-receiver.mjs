// A file receiver in its own process, for tests that stop it (SIGSTOP) mid-transfer: joins
// <code> on <serverUrl>, accepts every file offer, and prints "joined <id>", "accepted <name>"
// and "received <name> <bytes> <sha256>". Usage: node test/helpers/file-receiver.mjs <serverUrl> <code>  (dist/ must be built)
import { createHash } from 'node:crypto';
import { connect } from '../../dist/sdk/node.js';

const [server, code] = process.argv.slice(2);
const session = await connect({ server }).join(code, { playerName: 'Receiver' });
session.on('fileOffer', (offer) => {
  console.log(`accepted ${offer.name}`);
  offer.accept().then(
    (file) => console.log(`received ${file.name} ${file.bytes.length} ${createHash('sha256').update(file.bytes).digest('hex')}`),
    (err) => console.log(`failed ${offer.name} ${err.code}`),
  );
});
console.log(`joined ${session.selfId}`);
setInterval(() => {}, 1 << 30);
