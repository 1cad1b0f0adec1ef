/** Typed errors: every code has advice, and PeerJS error types map to the right codes. */
import { describe, expect, it } from 'vitest';
import { ErrorAdvice, HostmeshError, fromPeerError, isErrorCode, type ErrorCode } from '../../sdk/src/core/errors.js';

/** A PeerJS-like PeerError: an Error with a `type`. */
function peerError(type: string, message = `peerjs ${type}`): Error & { type: string } {
  return Object.assign(new Error(message), { type });
}

describe('ErrorAdvice', () => {
  const entries = Object.entries(ErrorAdvice) as [ErrorCode, string][];

  it('every code is UPPER_SNAKE and its advice a full, non-empty sentence', () => {
    expect(entries.length).toBeGreaterThan(10);
    for (const [code, advice] of entries) {
      expect(code).toMatch(/^[A-Z][A-Z_]+$/);
      expect(advice.trim().length).toBeGreaterThan(10);
      expect(advice).toMatch(/^[A-Z]/);
      expect(advice).toMatch(/\.$/);
    }
  });

  it('contains the contract codes', () => {
    for (const code of ['LOBBY_NOT_FOUND', 'LOBBY_FULL', 'BAD_PASSWORD', 'SERVER_UNREACHABLE', 'PEER_UNREACHABLE', 'MESSAGE_TOO_LARGE', 'DECODE_FAILED']) {
      expect(isErrorCode(code)).toBe(true);
    }
  });
});

describe('HostmeshError', () => {
  it('defaults its message to the advice and keeps the code, name and cause', () => {
    const cause = new Error('root');
    const err = new HostmeshError('LOBBY_FULL', undefined, { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('HostmeshError');
    expect(err.code).toBe('LOBBY_FULL');
    expect(err.message).toBe(ErrorAdvice.LOBBY_FULL);
    expect(err.cause).toBe(cause);
    expect(new HostmeshError('TIMEOUT', 'custom').message).toBe('custom');
    expect('cause' in new HostmeshError('TIMEOUT')).toBe(false);
  });
});

describe('isErrorCode', () => {
  it('accepts known codes only, never inherited keys', () => {
    expect(isErrorCode('KICKED')).toBe(true);
    for (const v of ['kicked', 'toString', '__proto__', 'constructor', 'hasOwnProperty', '', 5, null, undefined, {}]) {
      expect(isErrorCode(v)).toBe(false);
    }
  });
});

describe('fromPeerError', () => {
  const cases: [string, ErrorCode][] = [
    ['network', 'SERVER_UNREACHABLE'],
    ['server-error', 'SERVER_UNREACHABLE'],
    ['socket-error', 'SERVER_UNREACHABLE'],
    ['socket-closed', 'SERVER_UNREACHABLE'],
    ['unavailable-id', 'SERVER_UNREACHABLE'],
    ['peer-unavailable', 'PEER_UNREACHABLE'],
    ['webrtc', 'PEER_UNREACHABLE'],
    ['negotiation-failed', 'PEER_UNREACHABLE'],
    ['connection-closed', 'PEER_UNREACHABLE'],
    ['browser-incompatible', 'PEER_UNREACHABLE'],
    ['something-new', 'PEER_UNREACHABLE'],
  ];

  for (const [type, code] of cases) {
    it(`maps PeerJS '${type}' to ${code}`, () => {
      const source = peerError(type);
      const err = fromPeerError(source);
      expect(err).toBeInstanceOf(HostmeshError);
      expect(err.code).toBe(code);
      expect(err.cause).toBe(source);
      expect(err.message.length).toBeGreaterThan(10);
    });
  }

  it('keeps the foreign detail in the message', () => {
    expect(fromPeerError(peerError('network', 'Lost connection to server.')).message).toContain('Lost connection to server.');
    expect(fromPeerError(peerError('browser-incompatible')).message).toMatch(/browser/i);
  });

  it('passes a HostmeshError through unchanged', () => {
    const err = new HostmeshError('KICKED');
    expect(fromPeerError(err)).toBe(err);
  });

  it('handles non-errors: strings, null, undefined, DOMException', () => {
    for (const foreign of ['plain string', null, undefined, 42, new DOMException('Failed', 'OperationError')]) {
      const err = fromPeerError(foreign);
      expect(err).toBeInstanceOf(HostmeshError);
      expect(err.code).toBe('PEER_UNREACHABLE');
    }
  });
});
