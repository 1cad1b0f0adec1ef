/**
 * `hostmesh/server`: the server.
 * @module hostmesh/server
 */
export * from '../../server/src/index.js';
