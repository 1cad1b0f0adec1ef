/**
 * Shapes of the server's HTTP API, shared by the server and the SDK's lobby client.
 * Every error answer is `{ error: { code, message } }` with a 4xx/5xx status.
 */
import type { ErrorCode } from '../core/errors.js';

/** Small lobby metadata: a flat map of short strings, numbers and booleans. */
export type LobbyMeta = Record<string, string | number | boolean>;

/** A lobby as the server shows it. */
export interface LobbyInfo {
  /** Join code, upper case. */
  code: string;
  /** Display name. */
  name: string;
  /** Players in the lobby, as last reported by the host (the host counts itself). */
  players: number;
  /** Capacity, host included. */
  maxPlayers: number;
  /** Spectators watching, as last reported by the host (they take no player seat). */
  spectators: number;
  /** Spectator capacity. */
  maxSpectators: number;
  /** Listed by `GET /api/lobbies`. */
  public: boolean;
  /** Accepts new players. */
  open: boolean;
  /** A password is needed to join. */
  hasPassword: boolean;
  /** Host-set metadata. */
  meta: LobbyMeta;
}

/** One STUN/TURN server as RTCPeerConnection takes it (declared here: Node projects have no DOM lib). */
export interface IceServer {
  /** `stun:` / `turn:` URL(s). */
  urls: string | string[];
  /** TURN username. */
  username?: string;
  /** TURN credential. */
  credential?: string;
}

/** `GET /api/config` answer: what a client needs to reach signaling and peers. */
export interface ClientConfig {
  /** Server protocol version; equals PROTOCOL_VERSION. */
  protocolVersion: number;
  /** PeerServer mount path, e.g. `/peerjs`. */
  peerPath: string;
  /** PeerServer key. */
  peerKey: string;
  /** ICE servers to use (STUN/TURN), TURN with short-lived credentials; empty by default. */
  iceServers: IceServer[];
}

/** `POST /api/lobbies` body. */
export interface CreateLobbyRequest {
  name: string;
  maxPlayers: number;
  /** Spectator capacity (0..64). Default: 16. */
  maxSpectators?: number;
  public: boolean;
  password?: string;
  meta?: LobbyMeta;
  /** The host's signaling id; it must be connected to the PeerServer. */
  hostPeerId: string;
  /** The token the host's signaling connection was opened with: proves it owns `hostPeerId`. */
  hostPeerToken: string;
}

/** `POST /api/lobbies` answer. */
export interface CreateLobbyResponse {
  lobby: LobbyInfo;
  /** Secret that authorises host updates and signs join tickets; never shown to others. */
  hostSecret: string;
  /** Secret the host shares with its members only, so that one of them can claim the lobby when the host is gone. */
  claimSecret: string;
  /** The lobby's host epoch (0 at creation; one more per host change). */
  hostEpoch: number;
}

/** `POST /api/lobbies/:code/claim` body (with `Authorization: Bearer <claimSecret>`): a member takes over a lobby whose host is gone. */
export interface ClaimLobbyRequest {
  /** The claimant's signaling id; it must be connected to the PeerServer. */
  hostPeerId: string;
  /** The token the claimant's signaling connection was opened with. */
  hostPeerToken: string;
  /** The host epoch the claimant succeeds: the claim wins only while the lobby is still at this epoch. */
  epoch: number;
}

/** `POST /api/lobbies/:code/claim` answer: the claimant is the host now. */
export interface ClaimLobbyResponse {
  lobby: LobbyInfo;
  /** The new host's secret (the old one no longer works). */
  hostSecret: string;
  /** The lobby's new host epoch. */
  hostEpoch: number;
}

/** `GET /api/lobbies/:code/host` answer (with `Authorization: Bearer <claimSecret>`): who hosts the lobby now. */
export interface LobbyHostStatus {
  /** The host's signaling id. */
  hostPeerId: string;
  /** The lobby's host epoch. */
  hostEpoch: number;
  /** True while that host is connected to signaling and has not handed the lobby over. */
  present: boolean;
}

/** `PUT /api/lobbies/:code` body (with `Authorization: Bearer <hostSecret>`): the host re-registers its lobby after signaling came back. */
export interface RestoreLobbyRequest extends CreateLobbyRequest {
  /** Players in the session now, host included. */
  players: number;
  /** Accepts new players. */
  open: boolean;
  /** The lobby's claim secret, so that members can still claim it after the server forgot it. Default: a new one. */
  claimSecret?: string;
  /** The host epoch the host holds the lobby at. Default: 0. */
  hostEpoch?: number;
}

/** `POST /api/lobbies/:code/join` body. */
export interface JoinLobbyRequest {
  /** The joiner's signaling id, bound into the ticket. */
  peerId: string;
  password?: string;
  /** Join as a spectator: takes no player seat, counts toward `maxSpectators`. */
  spectator?: boolean;
}

/** `POST /api/lobbies/:code/join` answer. */
export interface JoinLobbyResponse {
  lobby: LobbyInfo;
  /** The host's signaling id to connect to. */
  hostPeerId: string;
  /** Admission ticket the host verifies with its secret (see lobby/ticket.ts). */
  ticket: string;
}

/** `PATCH /api/lobbies/:code` body (with `Authorization: Bearer <hostSecret>`). */
export interface UpdateLobbyRequest {
  players?: number;
  /** Spectators in the session now. */
  spectators?: number;
  open?: boolean;
  name?: string;
  meta?: LobbyMeta;
}

/** Error body of every failed API call. */
export interface ApiErrorBody {
  error: { code: ErrorCode; message: string };
}
