/**
 * Keeps the host's lobby registered with the server. Each time signaling comes back after a
 * drop, the host re-registers the lobby under the same code (`PUT /api/lobbies/:code` with its
 * host secret and its signaling id and token): a refresh when the server still has it, a
 * re-creation when the server restarted or deleted it meanwhile, so newcomers can join by the
 * code again. A server that cannot be reached yet is retried; a refusal is final and reported.
 */
import { HostmeshError } from '../core/errors.js';
import type { LobbyApi } from '../lobby/lobby-client.js';
import type { Network } from '../link/network.js';
import type { LobbyMeta, RestoreLobbyRequest, UpdateLobbyRequest } from '../wire/lobby-api.js';

/** What the lobby was created with (kept current by the host's updates). */
export interface LobbySettings {
  name: string;
  maxPlayers: number;
  public: boolean;
  password: string | undefined;
  meta: LobbyMeta | undefined;
  open: boolean;
}

/** Longest wait between re-registration attempts while the lobby API is unreachable, ms. */
const MAX_RETRY_MS = 10_000;

/** Re-registers the lobby `code` after every signaling reconnect; `lost(error)` on a final refusal. */
export class LobbyRegistration {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private gone = false;

  constructor(
    private readonly net: Network,
    private readonly lobby: LobbyApi,
    private readonly code: string,
    private readonly hostSecret: string,
    private readonly settings: LobbySettings,
    private readonly players: () => number,
    private readonly lost: (error: HostmeshError) => void,
    private readonly succession: () => { claimSecret: string; hostEpoch: number } = () => ({ claimSecret: '', hostEpoch: 0 }),
  ) {
    let wasOpen = net.signalingState === 'open';
    net.on('signaling', (state) => {
      if (state === 'open' && !wasOpen) this.restore(0);
      wasOpen = state === 'open';
    });
  }

  /** True once the server refused the lobby for good. */
  get isLost(): boolean {
    return this.gone;
  }

  /** Records a successful host update, so a re-registration keeps it. */
  updated(changes: UpdateLobbyRequest): void {
    if (changes.name !== undefined) this.settings.name = changes.name;
    if (changes.meta !== undefined) this.settings.meta = changes.meta;
    if (changes.open !== undefined) this.settings.open = changes.open;
  }

  /** Stops retrying. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private restore(failures: number): void {
    clearTimeout(this.timer);
    if (this.stopped || this.gone || this.net.signalingState !== 'open') return;
    const s = this.settings;
    const { claimSecret, hostEpoch } = this.succession();
    const body: RestoreLobbyRequest = {
      hostEpoch, ...(claimSecret.includes('.') ? { claimSecret } : {}),
      name: s.name, maxPlayers: s.maxPlayers, public: s.public, open: s.open, players: this.players(),
      hostPeerId: this.net.id, hostPeerToken: this.net.token,
      ...(s.password === undefined ? {} : { password: s.password }),
      ...(s.meta === undefined ? {} : { meta: s.meta }),
    };
    this.lobby.restore(this.code, this.hostSecret, body).catch((err: unknown) => {
      if (this.stopped) return;
      const code = err instanceof HostmeshError ? err.code : 'SERVER_UNREACHABLE';
      // The server (or its signaling view of us) is not back yet: try again, slower each time.
      if (code === 'SERVER_UNREACHABLE' || code === 'SERVER_ERROR' || code === 'RATE_LIMITED' || code === 'HOST_UNREACHABLE') {
        this.timer = setTimeout(() => this.restore(failures + 1), Math.min(MAX_RETRY_MS, 250 * 2 ** failures));
        return;
      }
      this.gone = true;
      this.lost(new HostmeshError(code, `The server refused to restore lobby ${this.code} after signaling came back: ${(err as Error).message} Players already in the session keep playing; newcomers need a new lobby.`, { cause: err }));
    });
  }
}
