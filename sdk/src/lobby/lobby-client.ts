/**
 * HTTP client for the server's lobby API. Network failures become SERVER_UNREACHABLE; error
 * answers become HostmeshErrors with the server's code and sentence.
 */
import { HostmeshError, isErrorCode } from '../core/errors.js';
import type {
  ClaimLobbyRequest, ClaimLobbyResponse, ClientConfig, CreateLobbyRequest, LobbyHostStatus, CreateLobbyResponse, JoinLobbyRequest, JoinLobbyResponse, LobbyInfo, RestoreLobbyRequest, UpdateLobbyRequest,
} from '../wire/lobby-api.js';

/** The lobby service a session uses: LobbyClient over HTTP, or an in-memory one in tests. */
export type LobbyApi = Pick<LobbyClient, 'config' | 'list' | 'create' | 'join' | 'update' | 'close' | 'restore' | 'hostStatus' | 'claim' | 'release'>;

/** Talks to one hostmesh server's `/api`. */
export class LobbyClient {
  /** Server base URL without a trailing slash. */
  readonly baseUrl: string;

  constructor(serverUrl: string, private readonly timeoutMs = 10_000) {
    this.baseUrl = serverUrl.replace(/\/+$/, '');
  }

  /** Fetches the client configuration (signaling path, ICE servers). */
  config(): Promise<ClientConfig> {
    return this.request<ClientConfig>('GET', '/api/config');
  }

  /** Lists public, open lobbies. */
  async list(): Promise<LobbyInfo[]> {
    return (await this.request<{ lobbies: LobbyInfo[] }>('GET', '/api/lobbies')).lobbies;
  }

  /** Creates a lobby hosted by `hostPeerId`. */
  create(body: CreateLobbyRequest): Promise<CreateLobbyResponse> {
    return this.request<CreateLobbyResponse>('POST', '/api/lobbies', body);
  }

  /** Passes admission for lobby `code`; returns the host's id and a ticket. */
  join(code: string, body: JoinLobbyRequest): Promise<JoinLobbyResponse> {
    return this.request<JoinLobbyResponse>('POST', `/api/lobbies/${encodeURIComponent(code)}/join`, body);
  }

  /** Updates a lobby as its host. */
  async update(code: string, hostSecret: string, body: UpdateLobbyRequest): Promise<LobbyInfo> {
    return (await this.request<{ lobby: LobbyInfo }>('PATCH', `/api/lobbies/${encodeURIComponent(code)}`, body, hostSecret)).lobby;
  }

  /** Re-registers a lobby as its host, under the same code (after the server forgot it, or to refresh it). */
  async restore(code: string, hostSecret: string, body: RestoreLobbyRequest): Promise<LobbyInfo> {
    return (await this.request<{ lobby: LobbyInfo }>('PUT', `/api/lobbies/${encodeURIComponent(code)}`, body, hostSecret)).lobby;
  }

  /** Who hosts lobby `code` now (a member with the claim secret asks while the host is silent). */
  hostStatus(code: string, claimSecret: string): Promise<LobbyHostStatus> {
    return this.request<LobbyHostStatus>('GET', `/api/lobbies/${encodeURIComponent(code)}/host`, undefined, claimSecret);
  }

  /** Takes over lobby `code` as its new host, succeeding `body.epoch` (a member, once the host is gone). */
  claim(code: string, claimSecret: string, body: ClaimLobbyRequest): Promise<ClaimLobbyResponse> {
    return this.request<ClaimLobbyResponse>('POST', `/api/lobbies/${encodeURIComponent(code)}/claim`, body, claimSecret);
  }

  /** Hands lobby `code` to its members as its leaving host: a member may claim it at once. */
  async release(code: string, hostSecret: string): Promise<void> {
    await this.request<unknown>('POST', `/api/lobbies/${encodeURIComponent(code)}/release`, undefined, hostSecret);
  }

  /** Deletes a lobby as its host. */
  async close(code: string, hostSecret: string): Promise<void> {
    await this.request<unknown>('DELETE', `/api/lobbies/${encodeURIComponent(code)}`, undefined, hostSecret);
  }

  private async request<T>(method: string, path: string, body?: unknown, bearer?: string): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    let res: Response;
    try {
      res = await fetch(this.baseUrl + path, {
        method, headers, signal: AbortSignal.timeout(this.timeoutMs),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      throw new HostmeshError('SERVER_UNREACHABLE', `The hostmesh server at ${this.baseUrl} cannot be reached. Check the URL and that the server is running.`, { cause: err });
    }
    const text = await res.text().catch(() => '');
    let json: unknown;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    if (res.ok) return json as T;
    const error = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    if (error && isErrorCode(error.code)) {
      throw new HostmeshError(error.code, typeof error.message === 'string' ? error.message : undefined);
    }
    throw new HostmeshError('SERVER_ERROR', `The hostmesh server answered ${res.status} to ${method} ${path}. Check that the URL points at a hostmesh server.`);
  }
}
