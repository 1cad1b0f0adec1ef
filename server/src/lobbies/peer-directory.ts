/**
 * Where lobby hosts are, as the lobby rules ask it: the hash of the token a peer id is
 * connected to signaling with (proof that a lobby's creator is its host), which ids are online,
 * and whether an id's socket is on this node. One server answers from its own signaling; a
 * cluster answers from every node's presence entries in Redis (clusterPeers in start-server).
 */
import { createHash } from 'node:crypto';

/** Peer ids and their signaling connections. */
export interface PeerDirectory {
  /** SHA-256 (hex) of the token `id` is connected with (on any node), or undefined when it is not connected. */
  tokenHash(id: string): Promise<string | undefined>;
  /** Which of `ids` are connected (on any node). */
  online(ids: readonly string[]): Promise<boolean[]>;
  /** True when `id`'s signaling socket is on this node (always true for one server). */
  isLocal(id: string): boolean;
}

/** SHA-256 hex of a token. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The directory of one server, from the token each connected id registered with. */
export function localPeers(tokenOf: (id: string) => string | undefined): PeerDirectory {
  return {
    tokenHash: async (id) => {
      const token = tokenOf(id);
      return token === undefined ? undefined : tokenHash(token);
    },
    online: async (ids) => ids.map((id) => tokenOf(id) !== undefined),
    isLocal: () => true,
  };
}
