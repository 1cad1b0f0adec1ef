/** hostmesh: peer-to-peer multiplayer sessions for browser games (browser entry). */
export { connect } from './client.js';
export type { ConnectOptions, HostOptions, JoinOptions, Hostmesh, HostSession } from './client.js';
export { Session } from './session.js';
export type { SessionEvents, SendOptions, SessionCloseReason } from './session.js';
export type { PlayerInfo } from './players.js';
export { HostmeshError, ErrorAdvice } from './errors.js';
export type { ErrorCode } from './errors.js';
export type { LobbyInfo, LobbyMeta } from './lobby-api.js';
export type { LinkStats } from './link-stats.js';
export { PROTOCOL_VERSION, MsgType, MAX_UNRELIABLE_BYTES, MAX_RELIABLE_BYTES } from './protocol.js';
export type { PeerStats } from './session.js';
export type { PredictionOptions } from './client-replication.js';
export { defaultSchema } from './schema.js';
export type { Schema, FieldSpec, State, Entity, Value } from './schema.js';
export type { LinkConditioner, ConditionerSettings } from './conditioner.js';
