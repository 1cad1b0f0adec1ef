/**
 * A server in its own process for attack tests (memory read from /proc): options as JSON in
 * HOSTMESH_TEST_OPTIONS; prints "listening <url>"; stops on SIGTERM.
 */
import { startServer } from '../../server/src/index.js';

const srv = await startServer({ port: 0, ...(JSON.parse(process.env.HOSTMESH_TEST_OPTIONS ?? '{}') as object) });
process.stdout.write(`listening ${srv.url}\n`);
process.on('SIGTERM', () => { void srv.close().then(() => process.exit(0)); });
