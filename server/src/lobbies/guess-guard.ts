/**
 * Limits on guessing join codes. A code that matches no lobby is a miss; misses are counted
 * per address (`codeMissesPerMinute`) and for the whole server (`globalCodeMissesPerMinute`),
 * and a look-up is refused before the store is asked once either budget is spent. Every route
 * that answers differently for a live and a dead code (look-up, join, host update, delete)
 * goes through here, so none is an oracle. Codes that cannot be codes (wrong length or
 * alphabet) cannot hit and cost nothing. The arithmetic is in docs/server.md.
 */
import { ApiError } from '../http/api-error.js';
import type { RateDecision } from '../limits/rate-limiter.js';
import { localLimiters, type Limiter, type LimiterFactory } from '../limits/limiter.js';
import type { LobbyRecord, LobbyStore } from '../stores/store.js';
import { normalizeCode } from './join-code.js';

/** Budgets for misses. */
export interface GuessLimits {
  perAddressPerMinute: number;
  globalPerMinute: number;
  codeLength: number;
}

const ALL = 'all';

function seconds(decision: Extract<RateDecision, { ok: false }>): number {
  return Math.max(1, Math.ceil(Math.min(decision.retryAfterMs, 3_600_000) / 1000));
}

/** Finds lobbies by typed code within the miss budgets. */
export class GuessGuard {
  private readonly perAddress: Limiter;
  private readonly global: Limiter;

  /** Budgets from `limiters` (shared by every node when they are Redis's). */
  constructor(private readonly store: LobbyStore, private readonly limits: GuessLimits, now: () => number = Date.now, limiters: LimiterFactory = localLimiters) {
    this.perAddress = limiters('miss', limits.perAddressPerMinute, now);
    this.global = limiters('miss-all', limits.globalPerMinute, now);
  }

  /** The lobby `rawCode` names, for a request from `address`; 404 LOBBY_NOT_FOUND or 429 RATE_LIMITED otherwise. */
  async find(address: string, rawCode: string): Promise<LobbyRecord> {
    const code = normalizeCode(rawCode, this.limits.codeLength);
    if (code === null) throw new ApiError(404, 'LOBBY_NOT_FOUND');
    const own = await this.perAddress.check(address);
    if (!own.ok) {
      const s = seconds(own);
      throw new ApiError(429, 'RATE_LIMITED', `Too many wrong join codes from this address. Check the code with the host, wait ${s} s and try again.`, s);
    }
    const all = await this.global.check(ALL);
    if (!all.ok) {
      const s = seconds(all);
      throw new ApiError(429, 'RATE_LIMITED', `Too many wrong join codes are being tried on this server right now. Wait ${s} s and try again.`, s);
    }
    const lobby = await this.store.get(code);
    if (lobby === undefined) {
      await Promise.all([this.perAddress.take(address), this.global.take(ALL)]);
      throw new ApiError(404, 'LOBBY_NOT_FOUND');
    }
    return lobby;
  }
}
