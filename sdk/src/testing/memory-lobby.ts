/**
 * An in-memory lobby service with the server's admission rules (capacity, open, password,
 * codes that forgive case, spaces and dashes) and real signed tickets, so the host role admits
 * joiners exactly as it does behind a hostmesh server. Codes and secrets are deterministic.
 */
import { HostmeshError } from '../core/errors.js';
import { signTicket } from '../lobby/ticket.js';
import type { LobbyApi } from '../lobby/lobby-client.js';
import { PROTOCOL_VERSION } from '../wire/protocol.js';
import type {
  ClaimLobbyRequest, ClaimLobbyResponse, ClientConfig, CreateLobbyRequest, CreateLobbyResponse, LobbyHostStatus, JoinLobbyRequest, JoinLobbyResponse, LobbyInfo, RestoreLobbyRequest, UpdateLobbyRequest,
} from '../wire/lobby-api.js';

interface Entry { info: LobbyInfo; password: string | undefined; hostSecret: string; hostPeerId: string; claimSecret: string; hostEpoch: number; released: boolean }

/** How long a ticket admits its joiner, ms (the server's figure). */
const TICKET_TTL_MS = 60_000;

/** Lobbies held in memory for one test network. */
export class MemoryLobby implements LobbyApi {
  private readonly lobbies = new Map<string, Entry>();
  private created = 0;

  /** `present(id)` tells whether a host id is still connected (the hub's signaling), for claims. */
  constructor(private readonly present: (id: string) => boolean = () => true) {}

  /** Every lobby, public or not (for assertions). */
  all(): LobbyInfo[] {
    return [...this.lobbies.values()].map((e) => ({ ...e.info, meta: { ...e.info.meta } }));
  }

  /** The configuration a client would get (unused in memory, kept for the LobbyApi shape). */
  async config(): Promise<ClientConfig> {
    return { protocolVersion: PROTOCOL_VERSION, peerPath: '', peerKey: '', iceServers: [] };
  }

  /** Public lobbies that accept players. */
  async list(): Promise<LobbyInfo[]> {
    return this.all().filter((l) => l.public && l.open);
  }

  /** Creates a lobby; invalid options are BAD_REQUEST, as at the server. */
  async create(body: CreateLobbyRequest): Promise<CreateLobbyResponse> {
    if (!Number.isInteger(body.maxPlayers) || body.maxPlayers < 2 || body.maxPlayers > 64) {
      throw new HostmeshError('BAD_REQUEST', 'maxPlayers must be an integer from 2 to 64.');
    }
    if (typeof body.name !== 'string' || body.name.trim() === '' || body.name.length > 64) {
      throw new HostmeshError('BAD_REQUEST', 'name must be 1 to 64 characters.');
    }
    const n = ++this.created;
    const code = memoryCode(n);
    const info: LobbyInfo = {
      code, name: body.name, players: 1, maxPlayers: body.maxPlayers, spectators: 0, maxSpectators: body.maxSpectators ?? 16, public: body.public, open: true,
      hasPassword: body.password !== undefined && body.password !== '', meta: { ...(body.meta ?? {}) },
    };
    const hostSecret = `memory-host-secret-${n}`;
    const claimSecret = `memory-claim-secret-${n}`;
    this.lobbies.set(code, { info, password: info.hasPassword ? body.password : undefined, hostSecret, hostPeerId: body.hostPeerId, claimSecret, hostEpoch: 0, released: false });
    return { lobby: { ...info }, hostSecret, claimSecret, hostEpoch: 0 };
  }

  /** Admission: LOBBY_NOT_FOUND, LOBBY_CLOSED, BAD_PASSWORD, LOBBY_FULL, or a signed ticket. */
  async join(code: string, body: JoinLobbyRequest): Promise<JoinLobbyResponse> {
    const entry = this.lobbies.get(normalize(code));
    if (!entry) throw new HostmeshError('LOBBY_NOT_FOUND');
    if (entry.released || !this.present(entry.hostPeerId)) throw new HostmeshError('HOST_GONE');
    if (!entry.info.open) throw new HostmeshError('LOBBY_CLOSED');
    if (entry.password !== undefined && body.password !== entry.password) throw new HostmeshError('BAD_PASSWORD');
    if (body.spectator ? entry.info.spectators >= entry.info.maxSpectators : entry.info.players >= entry.info.maxPlayers) throw new HostmeshError('LOBBY_FULL');
    const ticket = signTicket(entry.hostSecret, entry.info.code, body.peerId, Date.now() + TICKET_TTL_MS);
    return { lobby: { ...entry.info }, hostPeerId: entry.hostPeerId, ticket };
  }

  /** Host update (player count, open, name, meta); UNAUTHORIZED with another secret. */
  async update(code: string, hostSecret: string, body: UpdateLobbyRequest): Promise<LobbyInfo> {
    const entry = this.owned(code, hostSecret);
    entry.info = { ...entry.info, ...body, meta: { ...(body.meta ?? entry.info.meta) } };
    return { ...entry.info };
  }

  /** Re-registers a lobby as its host (the memory lobby never forgets one, so this refreshes it). */
  async restore(code: string, hostSecret: string, body: RestoreLobbyRequest): Promise<LobbyInfo> {
    const entry = this.owned(code, hostSecret);
    entry.info = { ...entry.info, players: body.players, open: body.open };
    return { ...entry.info };
  }

  /** Who hosts the lobby now, for a member holding its claim secret. */
  async hostStatus(code: string, claimSecret: string): Promise<LobbyHostStatus> {
    const entry = this.claimable(code, claimSecret);
    return { hostPeerId: entry.hostPeerId, hostEpoch: entry.hostEpoch, present: !entry.released && this.present(entry.hostPeerId) };
  }

  /** A member takes over a lobby whose host is gone, at the epoch it names (HOST_CHANGED, HOST_PRESENT otherwise). */
  async claim(code: string, claimSecret: string, body: ClaimLobbyRequest): Promise<ClaimLobbyResponse> {
    const entry = this.claimable(code, claimSecret);
    if (body.epoch !== entry.hostEpoch || body.hostPeerId === entry.hostPeerId) throw new HostmeshError('HOST_CHANGED');
    if (!entry.released && this.present(entry.hostPeerId)) throw new HostmeshError('HOST_PRESENT');
    entry.hostPeerId = body.hostPeerId;
    entry.hostEpoch++;
    entry.released = false;
    entry.hostSecret = `${entry.hostSecret}'`;
    return { lobby: { ...entry.info }, hostSecret: entry.hostSecret, hostEpoch: entry.hostEpoch };
  }

  /** The host hands the lobby to its members. */
  async release(code: string, hostSecret: string): Promise<void> {
    this.owned(code, hostSecret).released = true;
  }

  /** Deletes a lobby as its host. */
  async close(code: string, hostSecret: string): Promise<void> {
    this.owned(code, hostSecret);
    this.lobbies.delete(normalize(code));
  }

  private claimable(code: string, claimSecret: string): Entry {
    const entry = this.lobbies.get(normalize(code));
    if (!entry) throw new HostmeshError('LOBBY_NOT_FOUND');
    if (entry.claimSecret !== claimSecret) throw new HostmeshError('UNAUTHORIZED');
    return entry;
  }

  private owned(code: string, hostSecret: string): Entry {
    const entry = this.lobbies.get(normalize(code));
    if (!entry) throw new HostmeshError('LOBBY_NOT_FOUND');
    if (entry.hostSecret !== hostSecret) throw new HostmeshError('UNAUTHORIZED');
    return entry;
  }
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The n-th code: 8 characters of the server's alphabet, like a real one ('T0000001', 'T0000002', ...). */
function memoryCode(n: number): string {
  let out = '';
  for (let v = n; out.length < 7; v = Math.floor(v / 32)) out = (CROCKFORD[v % 32] ?? '0') + out;
  return `T${out}`;
}

function normalize(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}
