/**
 * Wires voice chat (media/) and file transfer (transfer/) into a session: the side gate (only
 * current members may open a file connection or call us), VOICE_STATE frames in and out on the
 * members' game links, and the ends: a member who leaves takes its calls and transfers along,
 * and the session's close ends all of them.
 */
import { VoiceChat, type VoiceState } from '../media/voice-chat.js';
import { FileTransfers } from '../transfer/file-transfers.js';
import { MsgType } from '../wire/protocol.js';
import type { SessionCore } from './session-core.js';

/** A session's voice chat and file transfers. */
export interface SessionMedia {
  /** Voice chat. */
  voice: VoiceChat;
  /** File transfers. */
  files: FileTransfers;
}

/** Attaches voice and file transfer to `core`; call once the session exists. */
export function attachMedia(core: SessionCore): SessionMedia {
  const isMember = (id: string) => !core.isClosed && id !== core.selfId && core.roster.has(id);
  core.net.setSideGate((id) => isMember(id));
  const files = new FileTransfers({
    net: core.net,
    selfId: core.selfId,
    others: () => [...core.roster.keys()].filter((id) => id !== core.selfId),
    isMember,
  });
  const voice = new VoiceChat({
    net: core.net,
    selfId: core.selfId,
    isMember,
    sendState: (state: VoiceState, to?: string) => {
      const targets = to === undefined ? [...core.links.values()] : [core.links.get(to)].filter((l) => l !== undefined);
      for (const link of targets) {
        try { link.sendReliable(MsgType.VOICE_STATE, state); } catch { /* that link is closing */ }
      }
    },
  });
  core.internal.on('frame', (type, body, fromId) => { if (type === MsgType.VOICE_STATE) voice.remoteState(fromId, body); });
  core.events.on('playerLeave', (player) => { files.memberLeft(player.id); voice.memberLeft(player.id); });
  core.addCleanup(() => { voice.close(); files.close(); });
  voice.announce();
  return { voice, files };
}
