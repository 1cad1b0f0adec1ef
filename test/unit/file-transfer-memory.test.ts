/**
 * sendFile on the in-memory test network (hostmesh/testing): the same transfer code over
 * in-memory bulk channels, so a game's own tests can send files without WebRTC; a stranger's
 * side channel is refused by the side gate.
 */
import { describe, expect, it } from 'vitest';
import { createTestNetwork } from '../../sdk/src/testing.js';
import { sessionCore } from '../../sdk/src/session/session.js';
import type { IncomingTransfer } from '../../sdk/src/index.js';

describe('file transfer on the in-memory network', () => {
  it('delivers a file byte for byte and refuses a non-member', async () => {
    const t = createTestNetwork();
    const a = await t.connect().host({ name: 'mem' });
    const b = await t.connect().join(a.code);
    const offer = new Promise<IncomingTransfer>((r) => b.on('fileOffer', r));
    const data = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 31) & 0xff);
    const [tx] = a.sendFile(b.selfId, data, { name: 'replay.bin', type: 'application/octet-stream' });
    const file = await (await offer).accept();
    await tx!.done;
    expect(file.name).toBe('replay.bin');
    expect([...file.bytes]).toEqual([...data]);

    const c = await t.connect().host({ name: 'other' }); // in another session: a stranger to a
    await expect(sessionCore(c).net.openBulk(a.selfId)).rejects.toMatchObject({ code: 'PEER_UNREACHABLE' });
    expect(() => a.sendFile(c.selfId, data)).toThrow(/no other player/);
    await Promise.all([a.leave(), b.leave(), c.leave()]);
  });
});
