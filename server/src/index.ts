/**
 * hostmesh server: signaling (PeerServer), lobbies with join codes, TURN credentials, and the
 * demo game on one port. Start it with `startServer(options)` or the `hostmesh-server` CLI.
 */
export { startServer, type RunningServer } from './start-server.js';
export { defaults, type ServerOptions } from './options.js';
export type { TurnOptions, IceServer } from './ice/turn-credentials.js';
export type { LobbyRecord, LobbyStore, LobbyPage } from './stores/store.js';
export { MemoryLobbyStore, createMemoryStore } from './stores/memory.js';
export type { LogLevel, LogOption } from './log.js';
