/**
 * A player in its own process for the faults benchmark (it is SIGSTOPped and resumed): joins
 * BENCH_CODE on BENCH_SERVER with default options and prints "joined <id>", "reconnecting",
 * "reconnected" and "close <reason> <code>".
 */
import { connect } from '../sdk/src/node.js';

const session = await connect({ server: process.env.BENCH_SERVER! }).join(process.env.BENCH_CODE!, { playerName: 'Stopped' });
session.on('reconnecting', () => console.log('reconnecting'));
session.on('reconnected', () => console.log('reconnected'));
session.on('close', (reason, error) => { console.log(`close ${reason} ${error?.code ?? '-'}`); setTimeout(() => process.exit(0), 100); });
console.log(`joined ${session.selfId}`);
process.on('SIGTERM', () => { void session.leave().then(() => process.exit(0)); });
setInterval(() => {}, 1 << 30);
