/**
 * `hostmesh/testing`: in-memory sessions for tests.
 * @module hostmesh/testing
 */
export * from '../../sdk/src/testing.js';
