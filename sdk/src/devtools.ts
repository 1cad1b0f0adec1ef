/** hostmesh/devtools: a drop-in network overlay for any game (`attachDevtools(session)`). */
export { attachDevtools } from './devtools/devtools.js';
export type { Devtools, DevtoolsOptions, DevtoolsPosition } from './devtools/devtools.js';
