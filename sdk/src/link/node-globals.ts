/**
 * Installs the browser globals PeerJS needs in Node: WebRTC from @roamhq/wrtc, WebSocket from
 * ws, and a `location` (PeerJS reads `location.protocol`). Imported first by the node entry.
 */
import wrtc from '@roamhq/wrtc';
import { WebSocket } from 'ws';

const g = globalThis as Record<string, unknown>;
g.RTCPeerConnection ??= wrtc.RTCPeerConnection;
g.RTCSessionDescription ??= wrtc.RTCSessionDescription;
g.RTCIceCandidate ??= wrtc.RTCIceCandidate;
g.WebSocket ??= WebSocket;
g.location ??= { protocol: 'http:' };
