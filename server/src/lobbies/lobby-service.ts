/**
 * Lobby rules, independent of HTTP: creation, listing, look-up, admission (rate limit,
 * existence, open, password, capacity, in that order), host updates, and deletion when the
 * host is gone. Throws ApiErrors; lobby-routes.ts turns them into answers.
 */
import type {
  CreateLobbyResponse, JoinLobbyResponse, LobbyInfo,
} from '../../../sdk/src/wire/lobby-api.js';
import { signTicket } from '../../../sdk/src/lobby/ticket.js';
import { ApiError } from '../http/api-error.js';
import { generateHostSecret, requireHostSecret } from './host-secret.js';
import { generateJoinCode, normalizeCode } from './join-code.js';
import { parseCreateLobby, parseJoinLobby, parseUpdateLobby } from './lobby-validation.js';
import type { ResolvedOptions } from '../options.js';
import { hashPassword, verifyPassword } from './password.js';
import { RateLimiter } from '../http/rate-limiter.js';
import type { LobbyRecord, LobbyStore } from '../stores/store.js';

const CODE_ATTEMPTS = 16;

/** What the service needs from the rest of the server. */
export interface LobbyServiceDeps {
  options: ResolvedOptions;
  /** True when `peerId` is connected to signaling. */
  isConnected: (peerId: string) => boolean;
  /** Called after a lobby is created, so the host's absence can be watched. */
  onHosted: (peerId: string) => void;
  /** Clock, ms. Default: Date.now. */
  now?: () => number;
}

/** The public view of a lobby record. */
export function lobbyInfo(lobby: LobbyRecord): LobbyInfo {
  return {
    code: lobby.code, name: lobby.name, players: lobby.players, maxPlayers: lobby.maxPlayers,
    public: lobby.public, open: lobby.open, hasPassword: lobby.passwordHash !== null, meta: lobby.meta,
  };
}

function limited(decision: ReturnType<RateLimiter['take']>, what: string): void {
  if (decision.ok) return;
  const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  throw new ApiError(429, 'RATE_LIMITED', `Too many ${what} from this address. Wait ${seconds} s and try again.`, seconds);
}

/** Lobby operations over a LobbyStore. */
export class LobbyService {
  private readonly store: LobbyStore;
  private readonly now: () => number;
  private readonly hosted = new Map<string, Set<string>>();
  private readonly createLimiter: RateLimiter;
  private readonly joinLimiter: RateLimiter;
  private readonly lookupLimiter: RateLimiter;

  constructor(private readonly deps: LobbyServiceDeps) {
    this.store = deps.options.store;
    this.now = deps.now ?? Date.now;
    this.createLimiter = new RateLimiter(deps.options.createRatePerMinute, this.now);
    this.joinLimiter = new RateLimiter(deps.options.joinRatePerMinute, this.now);
    this.lookupLimiter = new RateLimiter(deps.options.lookupRatePerMinute, this.now);
  }

  /** Creates a lobby hosted by the body's `hostPeerId`. */
  async create(ip: string, body: unknown): Promise<CreateLobbyResponse> {
    limited(this.createLimiter.take(ip), 'lobby creations');
    const input = parseCreateLobby(body, this.deps.options.maxPlayersLimit);
    if (!this.deps.isConnected(input.hostPeerId)) {
      throw new ApiError(409, 'HOST_UNREACHABLE', `The host peer id "${input.hostPeerId}" is not connected to this server's signaling. Open the PeerJS connection to /peerjs first, then create the lobby.`);
    }
    const record: LobbyRecord = {
      code: '', name: input.name, maxPlayers: input.maxPlayers, public: input.public, open: true, players: 1,
      meta: input.meta, passwordHash: input.password === null ? null : await hashPassword(input.password),
      hostPeerId: input.hostPeerId, hostSecret: generateHostSecret(), createdAtMs: this.now(),
    };
    for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
      record.code = generateJoinCode();
      if (await this.store.create(record)) {
        this.track(record.hostPeerId, record.code);
        this.deps.onHosted(record.hostPeerId);
        return { lobby: lobbyInfo(record), hostSecret: record.hostSecret };
      }
    }
    throw new ApiError(503, 'SERVER_ERROR', 'The server could not find a free join code. Try again in a moment.');
  }

  /** Public lobbies that accept players. */
  async list(): Promise<LobbyInfo[]> {
    return (await this.store.list()).filter((l) => l.public && l.open).map(lobbyInfo);
  }

  /** Looks a lobby up by a code as typed. */
  async get(ip: string, rawCode: string): Promise<LobbyInfo> {
    limited(this.lookupLimiter.take(ip), 'lobby look-ups');
    return lobbyInfo(await this.find(rawCode));
  }

  /** Admission: returns the host's id and a ticket for `peerId`. */
  async join(ip: string, rawCode: string, body: unknown): Promise<JoinLobbyResponse> {
    limited(this.joinLimiter.take(ip), 'join attempts');
    const input = parseJoinLobby(body);
    const lobby = await this.find(rawCode);
    if (!lobby.open) throw new ApiError(403, 'LOBBY_CLOSED');
    if (lobby.passwordHash !== null && !(await verifyPassword(input.password, lobby.passwordHash))) {
      this.joinLimiter.take(ip);
      throw new ApiError(403, 'BAD_PASSWORD', input.password === null
        ? 'This lobby needs a password. Ask the host for it and pass it when joining.'
        : 'The password is wrong. Ask the host for the lobby password and try again.');
    }
    if (lobby.players >= lobby.maxPlayers) throw new ApiError(409, 'LOBBY_FULL');
    const ticket = signTicket(lobby.hostSecret, lobby.code, input.peerId, this.now() + this.deps.options.ticketTtlMs);
    return { lobby: lobbyInfo(lobby), hostPeerId: lobby.hostPeerId, ticket };
  }

  /** Host update: players, open, name, meta. */
  async update(rawCode: string, authorization: string | undefined, body: unknown): Promise<LobbyInfo> {
    const lobby = await this.find(rawCode);
    requireHostSecret(authorization, lobby.hostSecret);
    const patch = parseUpdateLobby(body, lobby.maxPlayers);
    const next: LobbyRecord = { ...lobby, ...patch };
    if (!(await this.store.update(next))) throw new ApiError(404, 'LOBBY_NOT_FOUND');
    return lobbyInfo(next);
  }

  /** Host deletes its lobby. */
  async remove(rawCode: string, authorization: string | undefined): Promise<void> {
    const lobby = await this.find(rawCode);
    requireHostSecret(authorization, lobby.hostSecret);
    await this.store.delete(lobby.code);
    this.untrack(lobby.hostPeerId, lobby.code);
  }

  /** True when `peerId` hosts a lobby created through this process. */
  hosts(peerId: string): boolean {
    return this.hosted.has(peerId);
  }

  /** Deletes every lobby `peerId` hosts (its host is gone). Returns the deleted codes. */
  async hostGone(peerId: string): Promise<string[]> {
    const codes = [...(this.hosted.get(peerId) ?? [])];
    this.hosted.delete(peerId);
    for (const code of codes) {
      const lobby = await this.store.get(code);
      if (lobby?.hostPeerId === peerId) await this.store.delete(code);
    }
    return codes;
  }

  private async find(rawCode: string): Promise<LobbyRecord> {
    const code = normalizeCode(rawCode);
    const lobby = code === null ? undefined : await this.store.get(code);
    if (lobby === undefined) throw new ApiError(404, 'LOBBY_NOT_FOUND');
    return lobby;
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
