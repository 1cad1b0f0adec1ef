/** hostmesh/testing: real host and client sessions in one process over an in-memory network, for a game's own tests. */
export { createTestNetwork } from './testing/test-network.js';
export type { TestNetwork, TestNetworkOptions, TestConnectOptions } from './testing/test-network.js';
