/**
 * The answer to a request Node's HTTP parser refuses (malformed, headers too large, too slow):
 * still a JSON error with a sentence, then the connection is closed. Without a `clientError`
 * listener Node answers a bare 400; a slow client gets 408.
 */
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/** Answers parser errors of `server` with JSON errors and closes those connections. */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const code = String(err.code ?? 'HPE_INVALID');
    const status = code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const message = status === 408
      ? 'The request took too long to arrive. Send the whole request at once and try again.'
      : status === 431
        ? 'The request headers are too large. Send fewer or shorter headers.'
        : `The HTTP request could not be parsed (${code.slice(0, 40)}). Send a well-formed HTTP/1.1 request.`;
    const body = JSON.stringify({ error: { code: 'BAD_REQUEST', message } });
    if (socket.writable && !socket.destroyed) {
      socket.end(`HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    }
    setTimeout(() => socket.destroy(), 1000).unref();
  });
}
