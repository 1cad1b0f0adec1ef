/** Protocol constants: one-byte unique codes, limits that fit one SCTP packet and browsers. */
import { describe, expect, it } from 'vitest';
import {
  MAX_RELIABLE_BYTES, MAX_SIGNALING_FRAME_BYTES, MAX_UNRELIABLE_BYTES, MsgType, PEER_KEY, PROTOCOL_VERSION,
  UNRELIABLE_CHANNEL_ID, UNRELIABLE_CHANNEL_LABEL,
} from '../../sdk/src/wire/protocol.js';

describe('protocol', () => {
  const codes = Object.values(MsgType);

  it('message type codes are unique integers in 1..127 (one byte, never a msgpack prefix clash)', () => {
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) {
      expect(Number.isInteger(code)).toBe(true);
      expect(code).toBeGreaterThan(0);
      expect(code).toBeLessThan(128);
    }
  });

  it('names are upper snake case', () => {
    for (const name of Object.keys(MsgType)) expect(name).toMatch(/^[A-Z][A-Z_]*$/);
  });

  it('the version is a positive integer', () => {
    expect(Number.isInteger(PROTOCOL_VERSION)).toBe(true);
    expect(PROTOCOL_VERSION).toBeGreaterThan(0);
  });

  it('an unreliable message fits one SCTP packet (about 1,160 bytes in Chromium)', () => {
    expect(MAX_UNRELIABLE_BYTES).toBeGreaterThan(256);
    expect(MAX_UNRELIABLE_BYTES).toBeLessThanOrEqual(1100);
  });

  it('a reliable message stays within the cross-browser 16 KiB limit and above the unreliable one', () => {
    expect(MAX_RELIABLE_BYTES).toBeLessThanOrEqual(16 * 1024);
    expect(MAX_RELIABLE_BYTES).toBeGreaterThan(MAX_UNRELIABLE_BYTES);
  });

  it('the negotiated channel id is valid and away from PeerJS auto ids', () => {
    expect(Number.isInteger(UNRELIABLE_CHANNEL_ID)).toBe(true);
    expect(UNRELIABLE_CHANNEL_ID).toBeGreaterThanOrEqual(16);
    expect(UNRELIABLE_CHANNEL_ID).toBeLessThan(1024);
    expect(UNRELIABLE_CHANNEL_LABEL).toMatch(/\S/);
  });

  it('signaling frames are capped well below the ws default of 100 MiB', () => {
    expect(MAX_SIGNALING_FRAME_BYTES).toBeGreaterThanOrEqual(MAX_RELIABLE_BYTES);
    expect(MAX_SIGNALING_FRAME_BYTES).toBeLessThanOrEqual(1024 * 1024);
    expect(PEER_KEY).toMatch(/^[a-z0-9-]+$/);
  });
});
