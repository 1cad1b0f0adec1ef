/**
 * Tiny HTTP helper for server tests: one call, status + parsed JSON body + headers.
 */

/** An HTTP answer. */
export interface HttpAnswer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** Sends `body` (JSON-encoded unless a string) and parses the answer when it is JSON. */
export async function http<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<HttpAnswer<T>> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const res = await fetch(baseUrl + path, init);
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

/** Asserts-free check that an answer is a hostmesh JSON error; returns its code. */
export function errorCode(answer: HttpAnswer): string | undefined {
  const error = (answer.body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return typeof error?.code === 'string' && typeof error.message === 'string' && error.message.length > 10 ? error.code : undefined;
}
