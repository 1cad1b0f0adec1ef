/**
 * `hostmesh`: the browser entry; `hostmesh/node` exports the same API with the WebRTC and WebSocket globals installed (bots, tests).
 * @module hostmesh
 */
export * from '../../sdk/src/index.js';
