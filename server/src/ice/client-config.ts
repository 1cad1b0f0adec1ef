/**
 * The `GET /api/config` answer: signaling path and key, protocol version, and ICE servers
 * (the static list plus TURN entries with fresh REST credentials; never the TURN secret).
 */
import type { ClientConfig } from '../../../sdk/src/wire/lobby-api.js';
import { PEER_KEY, PROTOCOL_VERSION } from '../../../sdk/src/wire/protocol.js';
import type { ResolvedOptions } from '../options.js';
import { turnCredentials } from './turn-credentials.js';

/** Mount path of the PeerServer. */
export const PEER_PATH = '/peerjs';

/** Builds the client configuration at time `nowMs`. */
export function clientConfig(options: Pick<ResolvedOptions, 'iceServers' | 'turn'>, nowMs: number = Date.now()): ClientConfig {
  const iceServers: RTCIceServer[] = options.iceServers.map((s) => ({ ...s }));
  if (options.turn !== undefined) iceServers.push(turnCredentials(options.turn, nowMs));
  return { protocolVersion: PROTOCOL_VERSION, peerPath: PEER_PATH, peerKey: PEER_KEY, iceServers };
}
