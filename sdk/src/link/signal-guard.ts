/**
 * What PeerJS may see of the signaling messages other peers send us. The server relays
 * OFFER, ANSWER and CANDIDATE with any payload, and PeerJS trusts their shape: an OFFER whose
 * `serialization` it does not know throws out of the WebSocket's message handler (in Node that
 * ends the process), a malformed `sdp` rejects a promise nobody awaits, and an ANSWER or
 * CANDIDATE for an unknown connection is stored forever. `checkSignal` accepts only the shapes
 * hostmesh peers send; the PeerJS adapter drops the rest before PeerJS sees them.
 */

import { ICE_GONE_TYPE, ICE_SIGNAL_TYPE } from '../wire/protocol.js';

/** A relayed signaling message, as far as hostmesh reads it. */
export interface PeerSignal {
  /** 'OFFER' | 'ANSWER' | 'CANDIDATE'. */
  type: 'OFFER' | 'ANSWER' | 'CANDIDATE';
  /** Sender's peer id (set by the server). */
  src: string;
  /** PeerJS connection id. */
  connectionId: string;
  /** OFFER only: what the offering peer attached. */
  metadata: unknown;
  /** True for a media call's messages (voice), false for a data connection's. */
  media: boolean;
}

/** Longest SDP accepted, characters. */
const MAX_SDP_CHARS = 32 * 1024;
const ID = /^[A-Za-z0-9_-]{1,64}$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isSdp(v: unknown, type: 'offer' | 'answer'): boolean {
  return isObject(v) && v.type === type && typeof v.sdp === 'string' && v.sdp.length <= MAX_SDP_CHARS;
}

function isCandidate(v: unknown): boolean {
  if (!isObject(v) || typeof v.candidate !== 'string' || v.candidate.length > 1024) return false;
  const mid = v.sdpMid, index = v.sdpMLineIndex;
  return (mid === undefined || mid === null || (typeof mid === 'string' && mid.length <= 64))
    && (index === undefined || index === null || (Number.isInteger(index) && (index as number) >= 0 && (index as number) < 64));
}

/**
 * Classifies a message from the signaling socket: `'server'` for the server's own messages
 * (passed on), the relayed peer message when its shape is one hostmesh sends, else undefined (drop).
 */
export function checkSignal(msg: unknown): PeerSignal | 'server' | undefined {
  if (!isObject(msg) || typeof msg.type !== 'string') return undefined;
  const { type, src, payload } = msg;
  if (type === ICE_SIGNAL_TYPE || type === ICE_GONE_TYPE) return undefined; // handled by the PeerJS adapter, never by PeerJS

  if (type !== 'OFFER' && type !== 'ANSWER' && type !== 'CANDIDATE') return 'server';
  if (typeof src !== 'string' || !ID.test(src) || !isObject(payload)) return undefined;
  const connectionId = payload.connectionId;
  if (typeof connectionId !== 'string' || !ID.test(connectionId)) return undefined;
  const media = payload.type === 'media';
  if (type === 'OFFER') {
    const ok = media
      ? isSdp(payload.sdp, 'offer')
      : payload.type === 'data' && payload.serialization === 'raw' && isSdp(payload.sdp, 'offer')
        && (payload.label === undefined || (typeof payload.label === 'string' && payload.label.length <= 64))
        && (payload.reliable === undefined || typeof payload.reliable === 'boolean');
    return ok ? { type, src, connectionId, metadata: payload.metadata, media } : undefined;
  }
  if (payload.type !== undefined && payload.type !== 'data' && !media) return undefined;
  if (type === 'ANSWER') return isSdp(payload.sdp, 'answer') ? { type, src, connectionId, metadata: undefined, media } : undefined;
  return isCandidate(payload.candidate) ? { type, src, connectionId, metadata: undefined, media } : undefined;
}
