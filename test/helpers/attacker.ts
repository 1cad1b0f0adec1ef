/**
 * A hostile peer for tests: real signaling and real WebRTC (the SDK's own PeerNetwork and Link),
 * but it sends whatever a test asks: frames before JOIN, raw bytes that are not msgpack, floods,
 * forged offers and signaling messages, second links. It reaches into the SDK's internals
 * (private fields) on purpose: an attacker is not bound by the public API.
 */
import '../../sdk/src/link/node-globals.js';
import { Packr } from 'msgpackr';
import type { LinkChannels } from '../../sdk/src/link/channel.js';
import type { Link } from '../../sdk/src/link/link.js';
import { PeerNetwork } from '../../sdk/src/link/peer-network.js';
import { LobbyClient } from '../../sdk/src/lobby/lobby-client.js';
import { decodeFrame, encodeFrame } from '../../sdk/src/wire/codec.js';

/** msgpackr with its extensions on: references and cycles that a plain decoder would build. */
const cloning = new Packr({ structuredClone: true });

/** A hostile peer. */
export interface Attacker {
  /** Its signaling id. */
  readonly id: string;
  /** Its network (signaling + links). */
  readonly net: PeerNetwork;
  /** Passes the lobby's admission for `code` (a real ticket for this id). */
  ticket(code: string): Promise<{ ticket: string; hostPeerId: string }>;
  /** Opens a link to `remoteId` with `metadata` on the offer. */
  link(remoteId: string, metadata: unknown): Promise<Link>;
  /** Joins the lobby as a player would, at the frame level: ticket, link, JOIN; resolves with the host link. */
  joinAsPlayer(code: string, name: string): Promise<{ link: Link; ticket: string; hostPeerId: string }>;
  /** Sends raw bytes on one channel of `link`, bypassing every check. */
  raw(link: Link, reliable: boolean, bytes: Uint8Array): void;
  /** Calls `cb` with every frame that arrives on `link`'s channels, decoded, before the link's own handling. */
  onFrame(link: Link, cb: (type: number, body: unknown, bytes: number) => void): void;
  /** Sends `[type][msgpack with extensions]`: a body a plain peer would never produce. */
  cyclic(link: Link, type: number, body: unknown): void;
  /** Sends a raw message over its signaling socket (the server relays OFFER/ANSWER/CANDIDATE). */
  signal(message: unknown): void;
  /** Leaves signaling, keeping its links. */
  dropSignaling(): void;
  /** Closes everything. */
  close(): void;
}

/** Opens a hostile peer on `serverUrl`'s signaling. */
export async function openAttacker(serverUrl: string): Promise<Attacker> {
  const lobby = new LobbyClient(serverUrl, 5000);
  const net = await PeerNetwork.open(serverUrl, await lobby.config(), {
    connectTimeoutMs: 2500, link: { budgets: null, heartbeatIntervalMs: 200, timeoutMs: 3000 }, iceTransportPolicy: 'all',
  });
  const peer = (net as unknown as { peer: { socket: { send(m: unknown): void }; disconnect(): void; removeAllListeners(event: string): void } }).peer;
  const channels = (link: Link) => (link as unknown as { channels: LinkChannels }).channels;
  const attacker: Attacker = {
    id: net.id,
    net,
    async ticket(code) {
      const admission = await lobby.join(code, { peerId: net.id });
      return { ticket: admission.ticket, hostPeerId: admission.hostPeerId };
    },
    link: (remoteId, metadata) => net.connect(remoteId, metadata),
    async joinAsPlayer(code, name) {
      const { ticket, hostPeerId } = await attacker.ticket(code);
      const link = await net.connect(hostPeerId, { kind: 'join', ticket });
      link.sendReliable(10 /* JOIN */, { ticket, name });
      return { link, ticket, hostPeerId };
    },
    raw: (link, reliable, bytes) => { const c = channels(link); (reliable ? c.reliable : c.unreliable).send(bytes); },
    onFrame(link, cb) {
      for (const channel of [channels(link).reliable, channels(link).unreliable]) {
        channel.addEventListener('message', (ev) => {
          const bytes = new Uint8Array(ev.data as ArrayBuffer);
          try { cb(bytes[0]!, decodeFrame(bytes, 1 << 20).body, bytes.length); } catch { cb(bytes[0]!, undefined, bytes.length); }
        });
      }
    },
    cyclic(link, type, body) {
      const packed = cloning.pack(body);
      const frame = new Uint8Array(packed.length + 1);
      frame[0] = type;
      frame.set(packed, 1);
      channels(link).reliable.send(frame);
    },
    signal: (message) => peer.socket.send(message),
    dropSignaling: () => { peer.removeAllListeners('disconnected'); peer.disconnect(); }, // no reconnect
    close: () => net.destroy(),
  };
  return attacker;
}

/** A frame as the SDK would encode it. */
export const frame = encodeFrame;
