/**
 * Installs the browser globals PeerJS needs in Node: WebRTC from @roamhq/wrtc, WebSocket from
 * ws, and a `location` (PeerJS reads `location.protocol`). Imported first by the node entry.
 * Both packages are optional peer dependencies (a browser game never downloads them), so a
 * missing one fails with the install line instead of a bare module-not-found.
 * The WebSocket always has an 'error' listener: `ws` throws an 'error' nobody listens to, and
 * PeerJS listens to none (a refused reconnect or a close during the handshake ended the process).
 */
import type * as Wrtc from '@roamhq/wrtc';
import type * as Ws from 'ws';

async function load<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    throw new Error(`hostmesh/node needs the optional packages @roamhq/wrtc and ws (${name} failed to load): npm install @roamhq/wrtc ws`, { cause: err });
  }
}

const wrtc = (await load<{ default: typeof Wrtc }>('@roamhq/wrtc', () => import('@roamhq/wrtc'))).default;
const { WebSocket } = await load<typeof Ws>('ws', () => import('ws'));

const g = globalThis as Record<string, unknown>;
g.RTCPeerConnection ??= wrtc.RTCPeerConnection;
g.RTCSessionDescription ??= wrtc.RTCSessionDescription;
g.RTCIceCandidate ??= wrtc.RTCIceCandidate;
// Voice between Node peers (session.voice.start({ stream })): a MediaStream of wrtc's tracks.
g.MediaStream ??= wrtc.MediaStream;
/** ws's WebSocket with an 'error' listener from the start: errors then arrive as 'close', as in browsers. */
class QuietWebSocket extends WebSocket {
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    this.on('error', () => { /* reported through 'close' */ });
  }
}
g.WebSocket ??= QuietWebSocket;
g.location ??= { protocol: 'http:' };
