/** hostmesh: peer-to-peer multiplayer sessions for browser games (browser entry). */
export { connect } from './session/connect.js';
export type { ConnectOptions, HostOptions, JoinOptions, Hostmesh, HostSession } from './session/connect.js';
export type { HostControls } from './session/host-role.js';
export type { HostReplicationStats } from './session/host-replication.js';
export type { ClientReplicationStats } from './session/client-replication.js';
export { Session } from './session/session.js';
export type { SessionEvents, SendOptions, SessionCloseReason } from './session/session.js';
export type { PlayerInfo } from './session/players.js';
export { HostmeshError, ErrorAdvice } from './core/errors.js';
export type { ErrorCode } from './core/errors.js';
export type { LobbyInfo, LobbyMeta, UpdateLobbyRequest } from './wire/lobby-api.js';
export type { LinkStats } from './link/link-stats.js';
export { PROTOCOL_VERSION, MsgType, MAX_UNRELIABLE_BYTES, MAX_RELIABLE_BYTES } from './wire/protocol.js';
export type { PeerStats } from './session/session.js';
export type { PredictionOptions } from './session/client-replication.js';
export { defaultSchema } from './snapshot/schema.js';
export type { Schema, FieldSpec, FloatField, AngleField, IntField, BoolField, StringField, QuatField, State, Entity, Value } from './snapshot/schema.js';
export type { LinkConditioner, ConditionerSettings } from './link/conditioner.js';
