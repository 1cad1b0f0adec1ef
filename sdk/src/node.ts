/** hostmesh for Node: the browser API with WebRTC and WebSocket globals installed (bots, tests, benchmarks). */
import './link/node-globals.js';

export * from './index.js';
