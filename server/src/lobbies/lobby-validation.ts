/**
 * Validation of lobby API bodies. Each parser takes untrusted JSON and returns a typed value,
 * or throws a 400 BAD_REQUEST whose message names the field and the rule.
 */
import type { LobbyMeta } from '../../../sdk/src/wire/lobby-api.js';
import { badRequest } from '../http/api-error.js';
import { isValidPeerId, isValidPeerToken } from '../signaling/peer-id.js';

/** Limits on lobby fields. */
export const LobbyLimits = {
  nameMaxChars: 40,
  passwordMaxChars: 64,
  metaMaxKeys: 16,
  metaKeyMaxChars: 32,
  metaStringMaxChars: 64,
  metaMaxBytes: 1024,
} as const;

/** Spectator capacity when a lobby names none. */
export const DEFAULT_MAX_SPECTATORS = 16;
/** Largest spectator capacity. */
export const MAX_SPECTATORS = 64;

/** A validated `POST /api/lobbies` body. */
export interface CreateLobbyInput {
  name: string;
  maxPlayers: number;
  maxSpectators: number;
  public: boolean;
  password: string | null;
  meta: LobbyMeta;
  hostPeerId: string;
  /** The token the host registered its signaling id with: proof that it owns `hostPeerId`. */
  hostPeerToken: string;
}

/** A validated `PATCH /api/lobbies/:code` body. */
export interface UpdateLobbyInput {
  players?: number;
  spectators?: number;
  open?: boolean;
  name?: string;
  meta?: LobbyMeta;
}

type Body = Record<string, unknown>;

/**
 * Characters a display name never keeps: controls (C0, DEL, C1), format characters (bidi
 * overrides and isolates, zero-width spaces and joiners, the BOM), line and paragraph
 * separators, lone surrogates, private-use and unassigned code points.
 */
const UNSHOWABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\u2028\u2029]/gu;
const HAS_UNSHOWABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\u2028\u2029]/u;

/** True when `text` holds none of the characters cleanDisplayText removes. */
export function isShowable(text: string): boolean {
  return !HAS_UNSHOWABLE.test(text);
}

/** `text` as shown to other players: NFC, without unshowable characters, whitespace runs as one space, trimmed. */
export function cleanDisplayText(text: string): string {
  return text.normalize('NFC').replace(UNSHOWABLE, '').replace(/\s+/gu, ' ').trim();
}

function asObject(body: unknown): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('The request body must be a JSON object. Send Content-Type: application/json.');
  }
  return body as Body;
}

function parseName(value: unknown): string {
  // Cleaning a huge string would cost time first: refuse anything far over the limit as is.
  const name = typeof value === 'string' && value.length <= LobbyLimits.nameMaxChars * 4 ? cleanDisplayText(value) : '';
  if (name.length < 1 || name.length > LobbyLimits.nameMaxChars) {
    throw badRequest(`"name" must be a string of 1 to ${LobbyLimits.nameMaxChars} printable characters.`);
  }
  return name;
}

function parseToken(value: unknown, field: string): string {
  if (!isValidPeerToken(value)) {
    throw badRequest(`"${field}" must be the token your signaling connection was opened with (1 to 128 characters of A-Z, a-z, 0-9, _ and -).`);
  }
  return value;
}

function parseSecret(value: unknown, field: string): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/.test(value)) {
    throw badRequest(`"${field}" must be the secret the server issued for this lobby.`);
  }
  return value;
}

function parsePeerId(value: unknown, field: string): string {
  if (!isValidPeerId(value)) throw badRequest(`"${field}" must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -.`);
  return value;
}

function parsePassword(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || value.length > LobbyLimits.passwordMaxChars) {
    throw badRequest(`"password" must be a string of at most ${LobbyLimits.passwordMaxChars} characters.`);
  }
  return value;
}

function parseBoolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw badRequest(`"${field}" must be true or false.`);
  return value;
}

function parseInteger(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw badRequest(`"${field}" must be a whole number from ${min} to ${max}.`);
  }
  return value;
}

/** Validates lobby metadata: a flat object of short strings, finite numbers and booleans. */
export function parseMeta(value: unknown): LobbyMeta {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('"meta" must be a flat JSON object.');
  }
  const entries = Object.entries(value);
  if (entries.length > LobbyLimits.metaMaxKeys) throw badRequest(`"meta" may hold at most ${LobbyLimits.metaMaxKeys} keys.`);
  for (const [key, v] of entries) {
    if (key.length < 1 || key.length > LobbyLimits.metaKeyMaxChars) {
      throw badRequest(`"meta" keys must be 1 to ${LobbyLimits.metaKeyMaxChars} characters.`);
    }
    const ok =
      typeof v === 'boolean' ||
      (typeof v === 'number' && Number.isFinite(v)) ||
      (typeof v === 'string' && v.length <= LobbyLimits.metaStringMaxChars && isShowable(v));
    if (!isShowable(key)) throw badRequest('"meta" keys must be printable text without control or bidi-override characters.');
    if (!ok) {
      throw badRequest(`"meta.${key}" must be a boolean, a finite number or a printable string of at most ${LobbyLimits.metaStringMaxChars} characters.`);
    }
  }
  const meta: LobbyMeta = Object.fromEntries(entries) as LobbyMeta;
  if (Buffer.byteLength(JSON.stringify(meta)) > LobbyLimits.metaMaxBytes) {
    throw badRequest(`"meta" must be at most ${LobbyLimits.metaMaxBytes} bytes as JSON.`);
  }
  return meta;
}

/** Validates a `POST /api/lobbies` body. */
export function parseCreateLobby(body: unknown, maxPlayersLimit: number): CreateLobbyInput {
  const b = asObject(body);
  return {
    name: parseName(b.name),
    maxPlayers: parseInteger(b.maxPlayers, 'maxPlayers', 2, maxPlayersLimit),
    maxSpectators: b.maxSpectators === undefined ? DEFAULT_MAX_SPECTATORS : parseInteger(b.maxSpectators, 'maxSpectators', 0, MAX_SPECTATORS),
    public: parseBoolean(b.public, 'public'),
    password: parsePassword(b.password),
    meta: parseMeta(b.meta),
    hostPeerId: parsePeerId(b.hostPeerId, 'hostPeerId'),
    hostPeerToken: parseToken(b.hostPeerToken, 'hostPeerToken'),
  };
}

/** A validated `PUT /api/lobbies/:code` body: the lobby as its host holds it. */
export interface RestoreLobbyInput extends CreateLobbyInput {
  players: number;
  open: boolean;
  claimSecret: string | null;
  hostEpoch: number;
}

/** A validated `POST /api/lobbies/:code/claim` body. */
export interface ClaimLobbyInput {
  hostPeerId: string;
  hostPeerToken: string;
  epoch: number;
}

/** Largest host epoch accepted (a lobby changes host far fewer times). */
const MAX_EPOCH = 2 ** 31 - 1;

/** Validates a `POST /api/lobbies/:code/claim` body. */
export function parseClaimLobby(body: unknown): ClaimLobbyInput {
  const b = asObject(body);
  return {
    hostPeerId: parsePeerId(b.hostPeerId, 'hostPeerId'),
    hostPeerToken: parseToken(b.hostPeerToken, 'hostPeerToken'),
    epoch: parseInteger(b.epoch, 'epoch', 0, MAX_EPOCH),
  };
}

/** Validates a `PUT /api/lobbies/:code` body (a create body plus `players` and `open`). */
export function parseRestoreLobby(body: unknown, maxPlayersLimit: number): RestoreLobbyInput {
  const input = parseCreateLobby(body, maxPlayersLimit);
  const b = asObject(body);
  return {
    ...input,
    players: b.players === undefined ? 1 : parseInteger(b.players, 'players', 1, input.maxPlayers),
    open: b.open === undefined ? true : parseBoolean(b.open, 'open'),
    claimSecret: b.claimSecret === undefined ? null : parseSecret(b.claimSecret, 'claimSecret'),
    hostEpoch: b.hostEpoch === undefined ? 0 : parseInteger(b.hostEpoch, 'hostEpoch', 0, MAX_EPOCH),
  };
}

/** Validates a `POST /api/lobbies/:code/join` body. */
export function parseJoinLobby(body: unknown): { peerId: string; password: string | null; spectator: boolean } {
  const b = asObject(body);
  return { peerId: parsePeerId(b.peerId, 'peerId'), password: parsePassword(b.password), spectator: b.spectator === undefined ? false : parseBoolean(b.spectator, 'spectator') };
}

/** Validates a `PATCH /api/lobbies/:code` body against the lobby's capacity. */
export function parseUpdateLobby(body: unknown, maxPlayers: number, maxSpectators = MAX_SPECTATORS): UpdateLobbyInput {
  const b = asObject(body);
  const out: UpdateLobbyInput = {};
  if (b.players !== undefined) out.players = parseInteger(b.players, 'players', 0, maxPlayers);
  if (b.spectators !== undefined) out.spectators = parseInteger(b.spectators, 'spectators', 0, maxSpectators);
  if (b.open !== undefined) out.open = parseBoolean(b.open, 'open');
  if (b.name !== undefined) out.name = parseName(b.name);
  if (b.meta !== undefined) out.meta = parseMeta(b.meta);
  return out;
}
