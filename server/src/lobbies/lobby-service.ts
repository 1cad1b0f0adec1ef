/**
 * Lobby rules, independent of HTTP: creation (the creator proves it owns the host id),
 * listing by page, look-up, admission (rate limit, code, open, password, capacity, in that
 * order), host updates, and deletion when the host is gone. Cheap checks run before costly
 * ones: rate limits and the guess budgets (guess-guard.ts) before the store, the per-lobby
 * password lockout and the server's password budget before scrypt. A lobby whose host's
 * signaling socket is gone is hidden at once (not listed; look-ups and joins answer 410
 * HOST_GONE) until the host is back, and deleted after the grace period (host-watch.ts).
 * Throws ApiErrors; lobby-routes.ts turns them into answers.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type {
  ClaimLobbyResponse, CreateLobbyResponse, JoinLobbyResponse, LobbyHostStatus, LobbyInfo,
} from '../../../sdk/src/wire/lobby-api.js';
import { signTicket } from '../../../sdk/src/lobby/ticket.js';
import { ApiError } from '../http/api-error.js';
import { RateLimiter } from '../limits/rate-limiter.js';
import { TokenBucket } from '../limits/token-bucket.js';
import type { ResolvedOptions } from '../options.js';
import type { LobbyRecord, LobbyStore } from '../stores/store.js';
import { GuessGuard } from './guess-guard.js';
import { bearerSecret, generateHostSecret, requireHostSecret, secretFitsCode } from './host-secret.js';
import { generateJoinCode, normalizeCode } from './join-code.js';
import { DEFAULT_MAX_SPECTATORS, parseClaimLobby, parseCreateLobby, parseJoinLobby, parseRestoreLobby, parseUpdateLobby, type CreateLobbyInput } from './lobby-validation.js';
import { hashPassword, verifyPassword } from './password.js';

const CODE_ATTEMPTS = 16;

/** Host-status look-ups and claims one lobby may take per minute (its members ask while the host is silent). */
export const SuccessionLimits = { statusPerLobbyPerMinute: 600, claimsPerLobbyPerMinute: 60 } as const;

/** What a claim secret is bound to: the code, under a name no host secret uses. */
function claimScope(code: string): string {
  return `claim:${code}`;
}

/** What the service needs from the rest of the server. */
export interface LobbyServiceDeps {
  options: ResolvedOptions;
  /** The token `peerId` is connected to signaling with; undefined when it is not connected. */
  peerToken: (peerId: string) => string | undefined;
  /** Called after a lobby is created, so the host's absence can be watched. */
  onHosted: (peerId: string) => void;
  /** Resolves true when `peerId`'s signaling socket answers a ping in time (one that does not is closed). Default: connected means alive. */
  probe?: (peerId: string) => Promise<boolean>;
  /** Clock, ms. Default: Date.now. */
  now?: () => number;
}

/** The public view of a lobby record. */
export function lobbyInfo(lobby: LobbyRecord): LobbyInfo {
  return {
    code: lobby.code, name: lobby.name, players: lobby.players, maxPlayers: lobby.maxPlayers,
    spectators: lobby.spectators ?? 0, maxSpectators: lobby.maxSpectators ?? DEFAULT_MAX_SPECTATORS, public: lobby.public, open: lobby.open, hasPassword: lobby.passwordHash !== null, meta: lobby.meta,
  };
}

/** Throws 429 RATE_LIMITED when `decision` refused. */
export function limited(decision: ReturnType<RateLimiter['take']>, what: string): void {
  if (decision.ok) return;
  const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  throw new ApiError(429, 'RATE_LIMITED', `Too many ${what} from this address. Wait ${seconds} s and try again.`, seconds);
}

function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** A page of `GET /api/lobbies`. */
export interface LobbyListPage {
  lobbies: LobbyInfo[];
  /** Cursor of the next page (pass as `?cursor=`); absent on the last page. */
  next?: string;
}

/** Lobby operations over a LobbyStore. */
export class LobbyService {
  private readonly store: LobbyStore;
  private readonly now: () => number;
  private readonly hosted = new Map<string, Set<string>>();
  /** Host ids whose signaling socket is gone: their lobbies are hidden. */
  private readonly away = new Set<string>();
  private readonly createLimiter: RateLimiter;
  private readonly joinLimiter: RateLimiter;
  private readonly lookupLimiter: RateLimiter;
  private readonly listLimiter: RateLimiter;
  private readonly passwordFailures: RateLimiter;
  private readonly passwordChecks: TokenBucket;
  private readonly guesses: GuessGuard;
  private readonly statusLimiter: RateLimiter;
  private readonly claimLimiter: RateLimiter;

  constructor(private readonly deps: LobbyServiceDeps) {
    const o = deps.options;
    this.store = o.store;
    this.now = deps.now ?? Date.now;
    this.createLimiter = new RateLimiter(o.createRatePerMinute, this.now);
    this.joinLimiter = new RateLimiter(o.joinRatePerMinute, this.now);
    this.lookupLimiter = new RateLimiter(o.lookupRatePerMinute, this.now);
    this.listLimiter = new RateLimiter(o.listRatePerMinute, this.now);
    this.passwordFailures = new RateLimiter(o.passwordFailuresPerLobbyPerMinute, this.now);
    this.passwordChecks = new TokenBucket(o.passwordChecksPerSecond, o.passwordChecksPerSecond, this.now);
    this.statusLimiter = new RateLimiter(SuccessionLimits.statusPerLobbyPerMinute, this.now);
    this.claimLimiter = new RateLimiter(SuccessionLimits.claimsPerLobbyPerMinute, this.now);
    this.guesses = new GuessGuard(this.store, {
      perAddressPerMinute: o.codeMissesPerMinute, globalPerMinute: o.globalCodeMissesPerMinute, codeLength: o.joinCodeLength,
    }, this.now);
  }

  /** Creates a lobby hosted by the body's `hostPeerId`, which `hostPeerToken` must prove. */
  async create(ip: string, body: unknown): Promise<CreateLobbyResponse> {
    limited(this.createLimiter.take(ip), 'lobby creations');
    const input = parseCreateLobby(body, this.deps.options.maxPlayersLimit);
    this.requireHostId(input);
    const most = this.deps.options.maxLobbiesPerHost;
    if ((this.hosted.get(input.hostPeerId)?.size ?? 0) >= most) {
      throw new ApiError(429, 'RATE_LIMITED', `This host already has ${most} lobbies. Close one (DELETE /api/lobbies/:code) before creating another.`);
    }
    if (input.password !== null) this.spendPasswordCheck();
    const record: LobbyRecord = {
      code: '', name: input.name, maxPlayers: input.maxPlayers, maxSpectators: input.maxSpectators, spectators: 0, public: input.public, open: true, players: 1,
      meta: input.meta, passwordHash: input.password === null ? null : await hashPassword(input.password),
      hostPeerId: input.hostPeerId, hostSecret: '', hostEpoch: 0, claimSecret: '', released: false, createdAtMs: this.now(),
    };
    for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
      record.code = generateJoinCode(this.deps.options.joinCodeLength);
      record.hostSecret = generateHostSecret(this.deps.options.lobbyKey, record.code);
      record.claimSecret = generateHostSecret(this.deps.options.lobbyKey, claimScope(record.code));
      if (await this.store.create(record)) {
        this.hostedBy(record);
        return { lobby: lobbyInfo(record), hostSecret: record.hostSecret, claimSecret: record.claimSecret, hostEpoch: 0 };
      }
    }
    throw new ApiError(503, 'SERVER_ERROR', 'The server could not find a free join code. Try again in a moment.');
  }

  /**
   * The host re-registers its lobby after signaling came back: a no-op refresh when the server
   * still has it, else the lobby is created again under the same code, provided the bearer
   * secret was issued for that code under this server's lobby key (a restart that forgot it).
   */
  async restore(ip: string, rawCode: string, authorization: string | undefined, body: unknown): Promise<LobbyInfo> {
    limited(this.createLimiter.take(ip), 'lobby creations');
    const secret = bearerSecret(authorization);
    const code = normalizeCode(rawCode, this.deps.options.joinCodeLength);
    if (code === null) throw new ApiError(404, 'LOBBY_NOT_FOUND');
    const input = parseRestoreLobby(body, this.deps.options.maxPlayersLimit);
    this.requireHostId(input);
    const known = await this.store.get(code);
    if (known) {
      requireHostSecret(authorization, known.hostSecret);
      if (known.hostPeerId !== input.hostPeerId) {
        throw new ApiError(409, 'UNAUTHORIZED', 'This lobby is hosted by another player id now. Only its current host may re-register it.');
      }
      const next: LobbyRecord = { ...known, players: Math.min(input.players, known.maxPlayers), open: input.open, released: false };
      if (!(await this.store.update(next))) throw new ApiError(404, 'LOBBY_NOT_FOUND');
      this.hostedBy(next);
      return lobbyInfo(next);
    }
    if (!secretFitsCode(this.deps.options.lobbyKey, code, secret)) {
      throw new ApiError(403, 'UNAUTHORIZED', 'This server does not know this lobby, and the host secret was not issued for its code under this server\'s lobby key (was the server restarted without a fixed LOBBY_KEY?). Host a new lobby.');
    }
    if (input.password !== null) this.spendPasswordCheck();
    const claimSecret = input.claimSecret !== null && secretFitsCode(this.deps.options.lobbyKey, claimScope(code), input.claimSecret)
      ? input.claimSecret : generateHostSecret(this.deps.options.lobbyKey, claimScope(code));
    const record: LobbyRecord = {
      code, name: input.name, maxPlayers: input.maxPlayers, maxSpectators: input.maxSpectators, spectators: 0, public: input.public, open: input.open, players: input.players,
      meta: input.meta, passwordHash: input.password === null ? null : await hashPassword(input.password),
      hostPeerId: input.hostPeerId, hostSecret: secret, hostEpoch: input.hostEpoch, claimSecret, released: false, createdAtMs: this.now(),
    };
    if (!(await this.store.create(record))) throw new ApiError(409, 'UNAUTHORIZED', 'Another lobby took this code meanwhile. Host a new lobby.');
    this.hostedBy(record);
    return lobbyInfo(record);
  }

  /** One page of public lobbies that accept players. */
  async list(ip: string, cursor: string | undefined, limit: number): Promise<LobbyListPage> {
    limited(this.listLimiter.take(ip), 'lobby list requests');
    const page = await this.store.listPublic(cursor, limit);
    const lobbies = page.lobbies.filter((l) => !this.away.has(l.hostPeerId)).map(lobbyInfo);
    return page.next === undefined ? { lobbies } : { lobbies, next: page.next };
  }

  /** Looks a lobby up by a code as typed. */
  async get(ip: string, rawCode: string): Promise<LobbyInfo> {
    limited(this.lookupLimiter.take(ip), 'lobby look-ups');
    return lobbyInfo(this.present(await this.guesses.find(ip, rawCode)));
  }

  /** Admission: returns the host's id and a ticket for `peerId`. */
  async join(ip: string, rawCode: string, body: unknown): Promise<JoinLobbyResponse> {
    limited(this.joinLimiter.take(ip), 'join attempts');
    const input = parseJoinLobby(body);
    const lobby = this.present(await this.guesses.find(ip, rawCode));
    if (!lobby.open) throw new ApiError(403, 'LOBBY_CLOSED');
    if (lobby.passwordHash !== null) await this.checkPassword(ip, lobby, input.password);
    if (input.spectator) {
      const most = lobby.maxSpectators ?? DEFAULT_MAX_SPECTATORS;
      if ((lobby.spectators ?? 0) >= most) throw new ApiError(409, 'LOBBY_FULL', `This lobby has no room for more spectators (${most}). Try again later, or join as a player.`);
    } else if (lobby.players >= lobby.maxPlayers) throw new ApiError(409, 'LOBBY_FULL');
    const ticket = signTicket(lobby.hostSecret, lobby.code, input.peerId, this.now() + this.deps.options.ticketTtlMs);
    return { lobby: lobbyInfo(lobby), hostPeerId: lobby.hostPeerId, ticket };
  }

  /** Host update: players, open, name, meta. */
  async update(ip: string, rawCode: string, authorization: string | undefined, body: unknown): Promise<LobbyInfo> {
    const lobby = await this.guesses.find(ip, rawCode);
    requireHostSecret(authorization, lobby.hostSecret);
    const patch = parseUpdateLobby(body, lobby.maxPlayers, lobby.maxSpectators ?? DEFAULT_MAX_SPECTATORS);
    const next: LobbyRecord = { ...lobby, ...patch };
    if (!(await this.store.update(next))) throw new ApiError(404, 'LOBBY_NOT_FOUND');
    return lobbyInfo(next);
  }

  /** Host deletes its lobby. */
  async remove(ip: string, rawCode: string, authorization: string | undefined): Promise<void> {
    const lobby = await this.guesses.find(ip, rawCode);
    requireHostSecret(authorization, lobby.hostSecret);
    await this.store.delete(lobby.code);
    this.untrack(lobby.hostPeerId, lobby.code);
  }

  /** A member asks who hosts the lobby now (with the claim secret): answered while its host is silent. */
  async hostStatus(ip: string, rawCode: string, authorization: string | undefined): Promise<LobbyHostStatus> {
    const lobby = await this.claimable(ip, rawCode, authorization, this.statusLimiter, 'host look-ups');
    return { hostPeerId: lobby.hostPeerId, hostEpoch: lobby.hostEpoch, present: this.hostPresent(lobby) };
  }

  /**
   * A member takes over a lobby whose host is gone (its signaling socket closed, or it handed the
   * lobby over): the claimant proves its own id, names the epoch it succeeds, and wins only while
   * the lobby is still at that epoch (compare-and-swap in the store), so exactly one claim per
   * epoch wins. The winner gets a new host secret; the join code now leads to it.
   */
  async claim(ip: string, rawCode: string, authorization: string | undefined, body: unknown): Promise<ClaimLobbyResponse> {
    const lobby = await this.claimable(ip, rawCode, authorization, this.claimLimiter, 'host claims');
    const input = parseClaimLobby(body);
    this.requireHostId(input);
    if (input.epoch !== lobby.hostEpoch || lobby.hostPeerId === input.hostPeerId) {
      throw new ApiError(409, 'HOST_CHANGED', `This lobby is hosted by ${lobby.hostPeerId} at epoch ${lobby.hostEpoch} now, not the epoch ${input.epoch} this claim succeeds. Follow that host.`);
    }
    // A host whose socket looks open but does not answer a ping (frozen, black-holed) is gone.
    if (this.hostPresent(lobby) && (await (this.deps.probe?.(lobby.hostPeerId) ?? Promise.resolve(true)))) {
      throw new ApiError(409, 'HOST_PRESENT', 'The host of this lobby is still connected to the server. A member can take over only once the host is gone.');
    }
    const next: LobbyRecord = {
      ...lobby, hostPeerId: input.hostPeerId, hostEpoch: lobby.hostEpoch + 1, released: false,
      hostSecret: generateHostSecret(this.deps.options.lobbyKey, lobby.code),
    };
    if (!(await this.store.replaceIf(next, lobby.hostEpoch))) {
      const now = await this.store.get(lobby.code);
      throw new ApiError(409, 'HOST_CHANGED', `Another member took over this lobby first${now ? ` (${now.hostPeerId}, epoch ${now.hostEpoch})` : ''}. Follow that host.`);
    }
    this.untrack(lobby.hostPeerId, lobby.code);
    this.hostedBy(next);
    return { lobby: lobbyInfo(next), hostSecret: next.hostSecret, hostEpoch: next.hostEpoch };
  }

  /** The host leaves and hands its lobby to its members: it is hidden, and a member may claim it at once. */
  async release(ip: string, rawCode: string, authorization: string | undefined): Promise<void> {
    const lobby = await this.guesses.find(ip, rawCode);
    requireHostSecret(authorization, lobby.hostSecret);
    if (!(await this.store.replaceIf({ ...lobby, released: true }, lobby.hostEpoch))) throw new ApiError(409, 'HOST_CHANGED');
  }

  /** Signaling says `peerId`'s socket is gone: its lobbies are hidden until it is back. */
  hostAway(peerId: string): void {
    if (this.hosted.has(peerId)) this.away.add(peerId);
  }

  /** Signaling says `peerId` is connected (again): its lobbies show. */
  hostBack(peerId: string): void {
    this.away.delete(peerId);
  }

  /** True when `peerId` hosts a lobby created through this process. */
  hosts(peerId: string): boolean {
    return this.hosted.has(peerId);
  }

  /** Deletes every lobby `peerId` hosts (its host is gone). Returns the deleted codes. */
  async hostGone(peerId: string): Promise<string[]> {
    const codes = [...(this.hosted.get(peerId) ?? [])];
    this.hosted.delete(peerId);
    this.away.delete(peerId);
    for (const code of codes) {
      const lobby = await this.store.get(code);
      if (lobby?.hostPeerId === peerId) await this.store.delete(code);
    }
    return codes;
  }

  /**
   * Lockout, then the server's budget, then scrypt; a failure costs the address and the lobby.
   * The lobby's failure token is taken before scrypt and given back on success, so concurrent
   * attempts cannot all pass the lockout check while the first ones are still hashing.
   */
  private async checkPassword(ip: string, lobby: LobbyRecord, password: string | null): Promise<void> {
    if (password === null) throw new ApiError(403, 'BAD_PASSWORD', 'This lobby needs a password. Ask the host for it and pass it when joining.');
    const lockout = this.passwordFailures.take(lobby.code);
    if (!lockout.ok) {
      const seconds = Math.max(1, Math.ceil(lockout.retryAfterMs / 1000));
      throw new ApiError(429, 'RATE_LIMITED', `Too many wrong passwords were tried for this lobby. Wait ${seconds} s, then try again with the password from the host.`, seconds);
    }
    try {
      this.spendPasswordCheck();
    } catch (err) {
      this.passwordFailures.refund(lobby.code);
      throw err;
    }
    if (await verifyPassword(password, lobby.passwordHash ?? '')) {
      this.passwordFailures.refund(lobby.code);
      return;
    }
    this.joinLimiter.take(ip);
    throw new ApiError(403, 'BAD_PASSWORD', 'The password is wrong. Ask the host for the lobby password and try again.');
  }

  private spendPasswordCheck(): void {
    if (!this.passwordChecks.take()) {
      throw new ApiError(429, 'RATE_LIMITED', 'The server is checking too many passwords right now. Wait a second and try again.', 1);
    }
  }

  /** The lobby of `rawCode` if `authorization` carries its claim secret, within `limiter`'s per-lobby budget. */
  private async claimable(ip: string, rawCode: string, authorization: string | undefined, limiter: RateLimiter, what: string): Promise<LobbyRecord> {
    const lobby = await this.guesses.find(ip, rawCode);
    const secret = bearerSecret(authorization);
    if (!sameSecret(secret, lobby.claimSecret)) {
      limited(this.lookupLimiter.take(ip), 'lobby look-ups');
      throw new ApiError(403, 'UNAUTHORIZED', 'The claim secret is wrong: only members of this lobby\'s session may ask for or take over its host.');
    }
    limited(limiter.take(lobby.code), what);
    return lobby;
  }

  /** True while the lobby's host is connected to signaling and has not handed it over. */
  private hostPresent(lobby: LobbyRecord): boolean {
    return !lobby.released && this.deps.peerToken(lobby.hostPeerId) !== undefined;
  }

  /** `lobby`, unless its host's signaling socket is gone or it handed the lobby over (then 410 HOST_GONE: no TURN hint, no wait for an offer nobody answers). */
  private present(lobby: LobbyRecord): LobbyRecord {
    if (this.away.has(lobby.hostPeerId) || lobby.released) {
      throw new ApiError(410, 'HOST_GONE', 'The host of this lobby is gone: its connection to the server closed. Ask for a new code, or try again in a moment in case it is only reconnecting.');
    }
    return lobby;
  }

  /** Throws unless `input.hostPeerToken` is the token `input.hostPeerId` is connected to signaling with. */
  private requireHostId(input: Pick<CreateLobbyInput, 'hostPeerId' | 'hostPeerToken'>): void {
    const token = this.deps.peerToken(input.hostPeerId);
    if (token === undefined) {
      throw new ApiError(409, 'HOST_UNREACHABLE', `The host peer id "${input.hostPeerId}" is not connected to this server's signaling. Open the PeerJS connection to /peerjs first, then create the lobby.`);
    }
    if (!sameSecret(token, input.hostPeerToken)) {
      throw new ApiError(403, 'UNAUTHORIZED', 'The "hostPeerToken" is not the token the host id\'s signaling connection was opened with: a lobby can only be created by its host. Send your own PeerJS id and token.');
    }
  }

  private hostedBy(record: LobbyRecord): void {
    this.track(record.hostPeerId, record.code);
    this.deps.onHosted(record.hostPeerId);
  }

  private track(peerId: string, code: string): void {
    const codes = this.hosted.get(peerId) ?? new Set<string>();
    codes.add(code);
    this.hosted.set(peerId, codes);
  }

  private untrack(peerId: string, code: string): void {
    const codes = this.hosted.get(peerId);
    codes?.delete(code);
    if (codes?.size === 0) this.hosted.delete(peerId);
  }
}
