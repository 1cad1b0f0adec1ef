/**
 * The hostmesh wire protocol: version, one-byte message type codes, and limits.
 *
 * Every frame on a link is `[type byte][msgpack body]`. Codes are < 128 so they fit one byte
 * and never collide with a msgpack prefix by accident. The server, benchmarks and tests import
 * these names; nothing redefines them.
 */

/** Protocol version, exchanged in HELLO; peers with different versions refuse each other. */
export const PROTOCOL_VERSION = 1;

/** One-byte message type codes. */
export const MsgType = {
  /** Link handshake, reliable: `{ v: PROTOCOL_VERSION }`; receipt means the remote is ready. */
  HELLO: 1,
  /** Heartbeat probe, unreliable: `{ s: seq, t: senderTimeMs }`. */
  PING: 2,
  /** Heartbeat answer, unreliable: `{ s: seq, t: echoedSenderTimeMs, h: responderTimeMs }`. */
  PONG: 3,
  /** Graceful goodbye, reliable: `{ r: reason }`. */
  BYE: 4,
  /** Joiner to host, reliable: `{ ticket, name }`. */
  JOIN: 10,
  /** Host to joiner, reliable: the admitted player's view of the session. */
  WELCOME: 11,
  /** Host to joiner, reliable: `{ code, message }`; the link closes after it. */
  REJECT: 12,
  /** Host to members, reliable: `{ player }`. */
  PLAYER_JOIN: 13,
  /** Host to members, reliable: `{ id, reason }`. */
  PLAYER_LEAVE: 14,
  /** Returning member to host, reliable: `{ seat }`, its seat token (answered with WELCOME or REJECT). */
  REJOIN: 15,
  /** Host to members, reliable: `{ id }`: that member's link dropped; its seat is held. */
  PLAYER_DISCONNECT: 16,
  /** Host to members, reliable: `{ id }`: that member is back in its held seat. */
  PLAYER_RECONNECT: 17,
  /** Application message: `{ t: type, d: data }`, on either channel. */
  USER: 20,
  /** Member to host: `{ to, t, d }`, a USER message for a member this one has no direct link to. */
  RELAY: 21,
  /** Host to member: `{ f: fromId, t, d }`, a relayed USER message (the host vouches for `f`). */
  RELAYED: 22,
  /** Client to host, unreliable: `{ s: lastSeq, i: [oldest..newest inputs], w?: hostTimeShownWithNewest, v?: [each one's offset from w, 0.01 ms] }`. */
  INPUT: 30,
  /** Host to client, unreliable: one independently decodable snapshot part. */
  SNAPSHOT: 31,
  /** Client to host, unreliable: `{ k: snapshotTick }`. */
  SNAPSHOT_ACK: 32,
  /** Host to client, reliable: `{ i: entityId, f: field, k: version, d: msgpackBytes }`, a field value too large for a snapshot packet (sent by reference). */
  STATE_VALUE: 33,
  /** Host to members, reliable: what a successor needs (claim secret, epoch, settings, bans, next seat), when it changes. */
  HOST_STATE: 40,
  /** Host to members, reliable: `{ d: checkpoint, k: tick }`, the game's newest host checkpoint (coalesced, bounded rate). */
  CHECKPOINT: 41,
  /** Leaving host to members, reliable, before its BYE: `{ epoch }`; it released the lobby, so its successor takes over at once. */
  HANDOVER: 42,
  /** New host to a member, reliable: `{ epoch, ...welcome }`; it won the lobby at `epoch` and this is the member's new view (a new seat token). */
  HOST_CHANGE: 43,
} as const;

/** A message type code. */
export type MsgTypeCode = (typeof MsgType)[keyof typeof MsgType];

/** Largest message on the unreliable channel, bytes: one SCTP packet with headroom. */
export const MAX_UNRELIABLE_BYTES = 1100;

/** Largest message on the reliable channel, bytes: the cross-browser safe limit. */
export const MAX_RELIABLE_BYTES = 16 * 1024;

/** Negotiated data channel id of the unreliable channel (PeerJS uses low auto ids). */
export const UNRELIABLE_CHANNEL_ID = 900;

/** Label of the negotiated unreliable data channel. */
export const UNRELIABLE_CHANNEL_LABEL = 'hostmesh-unreliable';

/** Largest WebSocket frame the signaling server accepts, bytes. */
export const MAX_SIGNALING_FRAME_BYTES = 64 * 1024;

/** PeerServer key shared by server and clients. */
export const PEER_KEY = 'hostmesh';
