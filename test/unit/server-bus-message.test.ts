/**
 * What arrives on a node's Redis channel is parsed totally: the two known shapes within size
 * pass, anything else (any bytes, wrong types, bad ids or codes, too big) is refused, never thrown.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_BUS_MESSAGE_BYTES, parseBusMessage } from '../../server/src/cluster/bus-message.js';

describe('bus messages between nodes', () => {
  it('accepts the two shapes and nothing else', () => {
    expect(parseBusMessage(JSON.stringify({ kind: 'signal', dst: 'peer-1', text: '{"type":"OFFER"}' }))).toEqual({ kind: 'signal', dst: 'peer-1', text: '{"type":"OFFER"}' });
    expect(parseBusMessage(Buffer.from(JSON.stringify({ kind: 'hosted', host: 'h1', code: 'ABCD2345' })))).toEqual({ kind: 'hosted', host: 'h1', code: 'ABCD2345' });
    for (const bad of [
      'null', '5', '[]', '"x"', '{', '{"kind":"signal","dst":"a b","text":"x"}', '{"kind":"signal","dst":"a","text":5}',
      '{"kind":"hosted","host":"h","code":"lower"}', '{"kind":"hosted","host":"h","code":"ABC"}', '{"kind":"other","dst":"a","text":"x"}',
      JSON.stringify({ kind: 'signal', dst: 'a', text: 'x'.repeat(MAX_BUS_MESSAGE_BYTES) }),
    ]) expect(parseBusMessage(bad), bad.slice(0, 60)).toBeUndefined();
  });

  it('never throws on any bytes or any JSON value', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => { parseBusMessage(Buffer.from(bytes)); }), { numRuns: 2000 });
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      const parsed = parseBusMessage(JSON.stringify(value) ?? 'null');
      if (parsed !== undefined) expect(['signal', 'hosted']).toContain(parsed.kind);
    }), { numRuns: 2000 });
  });
});
