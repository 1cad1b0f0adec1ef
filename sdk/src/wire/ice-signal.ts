/**
 * The ICE-restart envelope: how two peers restart ICE on their existing RTCPeerConnection
 * without PeerJS (a second PeerJS OFFER for a live connection makes PeerJS close it). It travels
 * through the signaling server as `{ type: ICE_SIGNAL_TYPE, dst, payload }`; the server checks it
 * with `checkIceSignal`, stamps the sender's authenticated id as `src` and forwards it to `dst`
 * (dropped when `dst` is not connected: a restart is retried, never queued). The receiver checks it
 * again and hands it only to the link whose remote is `src` and whose PeerJS connection is
 * `connectionId`. `gen` numbers the restarts of one connection (0 is PeerJS's first negotiation):
 * offers and answers carry the generation they belong to, candidates the sender's generation.
 */

/** What an ICE-restart envelope carries. */
export type IceSignal =
  | { connectionId: string; gen: number; kind: 'offer' | 'answer'; sdp: string }
  | { connectionId: string; gen: number; kind: 'candidate'; candidate: IceCandidateInit }
  | { connectionId: string; gen: number; kind: 'request' };

/** An ICE candidate as it travels (the fields of RTCIceCandidateInit hostmesh sends). */
export interface IceCandidateInit {
  /** The candidate line. */
  candidate: string;
  /** Media stream id, if any. */
  sdpMid?: string | null;
  /** Media line index, if any. */
  sdpMLineIndex?: number | null;
}

/** Longest SDP in an envelope, characters. */
export const MAX_ICE_SDP_CHARS = 32 * 1024;
/** Highest restart generation accepted. */
export const MAX_ICE_GEN = 2 ** 31 - 1;
const ID = /^[A-Za-z0-9_-]{1,64}$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function candidateOf(v: unknown): IceCandidateInit | undefined {
  if (!isObject(v) || typeof v.candidate !== 'string' || v.candidate.length > 1024) return undefined;
  const mid = v.sdpMid, index = v.sdpMLineIndex;
  if (!(mid === undefined || mid === null || (typeof mid === 'string' && mid.length <= 64))) return undefined;
  if (!(index === undefined || index === null || (Number.isInteger(index) && (index as number) >= 0 && (index as number) < 64))) return undefined;
  return { candidate: v.candidate, sdpMid: (mid as string | null | undefined) ?? null, sdpMLineIndex: (index as number | null | undefined) ?? null };
}

/** The envelope's payload rebuilt from exactly its known fields, or undefined when its shape is not one hostmesh sends. Total: never throws. */
export function checkIceSignal(payload: unknown): IceSignal | undefined {
  if (!isObject(payload)) return undefined;
  const { connectionId, gen, kind } = payload;
  if (typeof connectionId !== 'string' || !ID.test(connectionId)) return undefined;
  if (typeof gen !== 'number' || !Number.isInteger(gen) || gen < 0 || gen > MAX_ICE_GEN) return undefined;
  if (kind === 'offer' || kind === 'answer') {
    const sdp = payload.sdp;
    return typeof sdp === 'string' && sdp.length > 0 && sdp.length <= MAX_ICE_SDP_CHARS ? { connectionId, gen, kind, sdp } : undefined;
  }
  if (kind === 'candidate') {
    const candidate = candidateOf(payload.candidate);
    return candidate ? { connectionId, gen, kind, candidate } : undefined;
  }
  return kind === 'request' ? { connectionId, gen, kind } : undefined;
}
