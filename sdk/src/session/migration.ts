/**
 * Host migration, member side: noticing that the host is gone, electing its successor, and
 * telling a real new host from a forged one. Three signs, fastest first:
 * - HANDOVER then BYE: the host left on purpose and released the lobby; elect at once.
 * - The host's link is silent for a few snapshot intervals (`suspectMs`): ask the server
 *   (`GET /api/lobbies/:code/host`, with the claim secret) whether the host's signaling socket is
 *   gone. A crashed process's socket closes at once, so this is the fast path.
 * - The host's link stays silent for half the peer timeout: the first in the succession order
 *   claims anyway; the server then checks the host's socket with a WebSocket ping and takes over
 *   only when it does not answer (a host black-holed or frozen). A host that answers keeps its
 *   lobby: a member that merely lost its own link goes back to its seat instead (seat-reconnect.ts).
 * The successor is the first member of the succession order (succession.ts); the next one claims
 * `CANDIDATE_STEP_MS` later if nobody has won by then, and so on. Claims are compare-and-swap on
 * the lobby's host epoch at the server, so exactly one wins; the others learn the winner from the
 * server and follow it (its HOST_CHANGE is accepted only once the server confirms it, or, with the
 * server down after a HANDOVER, when it is the first in the order). A signaling outage alone never
 * migrates: without the server nobody claims, unless the host said HANDOVER.
 */
import { HostmeshError } from '../core/errors.js';
import type { LobbyApi } from '../lobby/lobby-client.js';
import type { ClaimLobbyResponse, LobbyHostStatus } from '../wire/lobby-api.js';
import type { SessionCore } from './session-core.js';
import { successionOrder } from './succession.js';

/** Shortest gap between two host look-ups while the host is silent, ms. */
export const POLL_MS = 400;

/** How much later each next member in the succession order claims when nobody has won yet, ms. */
export const CANDIDATE_STEP_MS = 2000;

/** Waits between claims the server answered HOST_PRESENT (its socket not closed yet), ms; and how many. */
const PRESENT_RETRY = { ms: 300, times: 12 } as const;

/** What the member's role does with the outcome. */
export interface MigrationHooks {
  /** We won the lobby (or, after a HANDOVER with the server down, the order says it is us): take over. */
  becomeHost(claim: ClaimLobbyResponse | undefined): void;
  /** The server says `hostId` hosts at `epoch` now: make sure we hear its HOST_CHANGE (dial it when we have no link). */
  follow(hostId: string, epoch: number): void;
}

/** One member's view of the host's health and of the election. */
export class Succession {
  private stopped = false;
  private polling = false;
  private lastPollMs = -Infinity;
  private claiming = false;
  private electing = false;
  private lastClaimMs = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The host said HANDOVER: it is leaving on purpose. */
  private handedOver = false;
  /** The server or signaling told us the host is gone. */
  private confirmedGone = false;
  /** Epoch → host id the server confirmed. */
  private readonly confirmed = new Map<number, string>();
  /** The look-up HOST_CHANGE frames wait for. */
  private verifying: Promise<LobbyHostStatus | undefined> | undefined;
  private lastVerifyMs = -Infinity;

  constructor(private readonly session: SessionCore, private readonly lobby: LobbyApi, private readonly hooks: MigrationHooks) {}

  /** True once the host is known to be gone (a handover, the server, or signaling said so). */
  get hostGone(): boolean {
    return this.handedOver || this.confirmedGone;
  }

  /** The host said HANDOVER: its BYE follows. */
  handover(): void {
    this.handedOver = true;
  }

  /** The host's link closed with its goodbye after a HANDOVER: elect now. */
  hostLeft(): void {
    this.handedOver = true;
    this.elect();
  }

  /** Signaling says the host's id is not connected (an offer to it came back unanswerable). */
  hostUnavailable(): void {
    this.confirmedGone = true;
    this.elect();
  }

  /** The host's link has been silent for `silentMs` (`claimAfterMs`: when the first in line claims anyway). */
  silent(silentMs: number, claimAfterMs: number): void {
    if (this.stopped || !this.session.succession) return;
    void this.poll();
    if (silentMs >= claimAfterMs && this.rank() === 0 && performance.now() - this.lastClaimMs >= claimAfterMs) void this.claim(1);
  }

  /**
   * True when `hostId` is the new host at `epoch`: the server confirms it or, with the server down
   * after the host left, the order names it. Look-ups for this share one request in flight and at
   * most one per POLL_MS, so a member flooding HOST_CHANGE frames cannot make us flood the server.
   */
  async verify(hostId: string, epoch: number): Promise<boolean> {
    if (this.confirmed.get(epoch) === hostId) return true;
    this.verifying ??= (async () => {
      await new Promise((r) => setTimeout(r, Math.max(0, this.lastVerifyMs + POLL_MS - performance.now())));
      this.lastVerifyMs = performance.now();
      return this.status(true);
    })().finally(() => { this.verifying = undefined; });
    const status = await this.verifying;
    if (this.confirmed.get(epoch) === hostId) return true;
    if (status) return status.hostPeerId === hostId && status.hostEpoch === epoch;
    return this.hostGone && epoch === (this.session.succession?.epoch ?? 0) + 1 && this.order()[0]?.id === hostId;
  }

  /** Stops every timer and look-up (we follow a new host, became one, or closed). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private order() {
    return successionOrder(this.session.roster.values(), this.session.hostId, this.session.away);
  }

  private rank(): number {
    return this.order().findIndex((p) => p.id === this.session.selfId);
  }

  /** Starts the election once: the first in line claims now, each next one a step later. */
  private elect(): void {
    if (this.stopped || this.electing || !this.session.succession) return;
    this.electing = true;
    const rank = this.rank();
    if (rank < 0) return; // away or a spectator: we follow whoever wins
    this.timer = setTimeout(() => void this.claim(PRESENT_RETRY.times), rank * CANDIDATE_STEP_MS);
  }

  /** Asks the server whether the host is still there (at most every POLL_MS unless `now`). */
  private async poll(): Promise<void> {
    if (this.polling || performance.now() - this.lastPollMs < POLL_MS) return;
    const status = await this.status(false);
    if (!status || this.stopped) return;
    if (status.hostEpoch === this.session.epoch && status.hostPeerId === this.session.hostId && !status.present) {
      this.confirmedGone = true;
      this.elect();
    }
  }

  /** The server's view of the lobby's host; undefined when it cannot be asked. A newer host is followed. */
  private async status(now: boolean): Promise<LobbyHostStatus | undefined> {
    const s = this.session.succession;
    if (!s || s.claimSecret === '' || (!now && this.polling)) return undefined;
    this.polling = true;
    this.lastPollMs = performance.now();
    try {
      const status = await this.lobby.hostStatus(this.session.code, s.claimSecret);
      if (typeof status?.hostPeerId !== 'string' || !Number.isSafeInteger(status.hostEpoch)) return undefined;
      this.confirmed.set(status.hostEpoch, status.hostPeerId);
      if (!this.stopped && status.hostEpoch > this.session.epoch && status.hostPeerId !== this.session.selfId && this.session.roster.has(status.hostPeerId)) {
        this.hooks.follow(status.hostPeerId, status.hostEpoch);
      }
      return status;
    } catch {
      return undefined; // the server is down or busy: the links and timeouts decide meanwhile
    } finally {
      this.polling = false;
    }
  }

  /** Claims the lobby at the current epoch; retries while the server still sees the host's socket. */
  private async claim(retries: number): Promise<void> {
    const s = this.session.succession;
    if (this.stopped || this.claiming || !s) return;
    this.claiming = true;
    this.lastClaimMs = performance.now();
    try {
      const won = await this.lobby.claim(this.session.code, s.claimSecret, { hostPeerId: this.session.selfId, hostPeerToken: this.session.net.token, epoch: s.epoch });
      if (!this.stopped) { this.stop(); this.hooks.becomeHost(won); }
    } catch (err) {
      if (this.stopped) return;
      const code = err instanceof HostmeshError ? err.code : 'SERVER_ERROR';
      if (code === 'HOST_CHANGED') { void this.status(true); return; }
      if (code === 'HOST_PRESENT') {
        // Its socket may not have closed yet (a leave in flight); a live host keeps its lobby.
        if (retries > 1 && this.hostGone) this.timer = setTimeout(() => void this.claim(retries - 1), PRESENT_RETRY.ms);
        return;
      }
      // The server cannot settle it (down, or it forgot the lobby): only a host that said it was
      // leaving is replaced without the server, by the first in line.
      if (this.handedOver && this.rank() === 0 && code !== 'RATE_LIMITED' && code !== 'UNAUTHORIZED') { this.stop(); this.hooks.becomeHost(undefined); }
    } finally {
      this.claiming = false;
    }
  }
}
