/**
 * Resume tokens: what a member needs to take its seat back from a new process or a reloaded
 * page: the lobby code, the host's id, our peer id and the signaling token it was registered with
 * (the server holds a freed id for its token), and our current seat token. One opaque string,
 * `hm1.<code>.<hostId>.<id>.<token>.<seat>`; it changes each time the seat token does. In a
 * browser it is kept in `sessionStorage` per lobby code (per tab, gone with the tab), so a reload
 * resumes the seat; a Node client passes it to `join(code, { resume })`.
 */

/** The parts of a resume token. */
export interface ResumeToken {
  code: string;
  hostId: string;
  id: string;
  token: string;
  seat: string;
}

const ID = /^[A-Za-z0-9_-]{1,128}$/;

/** The token for these parts. */
export function encodeResumeToken(t: ResumeToken): string {
  return ['hm1', t.code, t.hostId, t.id, t.token, t.seat].join('.');
}

/** The parts of `text`, or undefined when it is not a resume token. */
export function decodeResumeToken(text: unknown): ResumeToken | undefined {
  if (typeof text !== 'string' || text.length > 600) return undefined;
  const [v, code, hostId, id, token, seat, extra] = text.split('.');
  if (v !== 'hm1' || extra !== undefined || !code || !/^[0-9A-Z]{4,16}$/.test(code)) return undefined;
  if (!hostId || !ID.test(hostId) || !id || !ID.test(id) || !token || !ID.test(token) || !seat || !/^[0-9a-f]{32}$/.test(seat)) return undefined;
  return { code, hostId, id, token, seat };
}

/** A typed code in the form codes are stored under (upper case, no spaces or dashes, O as 0, I and L as 1). */
export function codeKey(code: string): string {
  return code.toUpperCase().replace(/[\s-]+/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

type Store = { getItem(k: string): string | null; setItem(k: string, v: string): void; removeItem(k: string): void };

function store(): Store | undefined {
  try {
    return (globalThis as { sessionStorage?: Store }).sessionStorage;
  } catch {
    return undefined; // storage blocked
  }
}

/** This tab's resume token for lobby `code` (browsers only; undefined elsewhere). */
export function loadResumeToken(code: string): string | undefined {
  try { return store()?.getItem(`hostmesh:seat:${codeKey(code)}`) ?? undefined; } catch { return undefined; }
}

/** Keeps this tab's resume token for its lobby (browsers only), or forgets it (`undefined`). */
export function saveResumeToken(code: string, token: string | undefined): void {
  try {
    const key = `hostmesh:seat:${codeKey(code)}`;
    if (token === undefined) store()?.removeItem(key); else store()?.setItem(key, token);
  } catch { /* storage full or blocked: no resume after a reload */ }
}
