/**
 * `hostmesh/devtools`: the network overlay.
 * @module hostmesh/devtools
 */
export * from '../../sdk/src/devtools.js';
