/**
 * The pure parts of voice and file transfer: Opus SDP tuning, proximity gain, the chunk frame
 * and its CRC-32, the FILE_OFFER check (hostile shapes refused, names stripped of paths), and
 * the progress meter's rate on a fake clock.
 */
import { describe, expect, it } from 'vitest';
import { tuneOpus } from '../../sdk/src/media/opus-sdp.js';
import { distance, proximityGain } from '../../sdk/src/media/proximity.js';
import { crc32, decodeChunk, encodeChunk } from '../../sdk/src/transfer/chunk-frame.js';
import { chunkCount, cleanFileName, readOffer } from '../../sdk/src/transfer/file-offer.js';
import { ProgressMeter } from '../../sdk/src/transfer/progress.js';

const chromeOffer = [
  'v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0',
  'a=rtpmap:111 opus/48000/2', 'a=rtcp-fb:111 transport-cc', 'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:63 red/48000/2', 'a=fmtp:63 111/111', 'a=rtpmap:9 G722/8000', '',
].join('\r\n');

describe('tuneOpus', () => {
  it('sets FEC, DTX and the bitrate on the Opus fmtp line only, keeping the others', () => {
    const out = tuneOpus(chromeOffer, { dtx: true, fec: true, maxBitrateBps: 24_000 });
    expect(out).toContain('a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1;maxaveragebitrate=24000\r\n');
    expect(out).toContain('a=fmtp:63 111/111\r\n');
    expect(out.split('\r\n').length).toBe(chromeOffer.split('\r\n').length);
    expect(tuneOpus(chromeOffer, { dtx: false, fec: false, maxBitrateBps: 1 })).toContain('useinbandfec=0;usedtx=0;maxaveragebitrate=6000');
  });

  it('adds an fmtp line when Opus has none, and leaves an SDP without Opus alone', () => {
    const bare = 'v=0\nm=audio 9 RTP 111\na=rtpmap:111 opus/48000/2\na=rtcp:9\n';
    expect(tuneOpus(bare, { dtx: true, fec: true, maxBitrateBps: 32_000 })).toBe('v=0\nm=audio 9 RTP 111\na=rtpmap:111 opus/48000/2\na=fmtp:111 useinbandfec=1;usedtx=1;maxaveragebitrate=32000\na=rtcp:9\n');
    const pcmu = 'v=0\r\na=rtpmap:0 PCMU/8000\r\n';
    expect(tuneOpus(pcmu, { dtx: true, fec: true, maxBitrateBps: 32_000 })).toBe(pcmu);
  });
});

describe('proximityGain', () => {
  const opts = { refDistance: 100, maxDistance: 500 };
  it('is full near, silent far, linear between, and silent for a broken distance', () => {
    expect(proximityGain(0, opts)).toBe(1);
    expect(proximityGain(100, opts)).toBe(1);
    expect(proximityGain(300, opts)).toBeCloseTo(0.5);
    expect(proximityGain(500, opts)).toBe(0);
    expect(proximityGain(9999, opts)).toBe(0);
    expect(proximityGain(NaN, opts)).toBe(0);
    expect(distance({ x: 0, y: 0 }, { x: 3, y: 4 })).toBe(5);
  });
});

describe('file chunks', () => {
  it('CRC-32 matches the standard check value, and a chunk round-trips', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    const payload = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);
    const c = decodeChunk(encodeChunk(41, payload))!;
    expect(c.index).toBe(41);
    expect(c.intact).toBe(true);
    expect([...c.payload]).toEqual([...payload]);
  });

  it('a flipped bit anywhere in the payload is caught; a short body is no chunk', () => {
    const frame = encodeChunk(3, new Uint8Array(256).fill(9));
    for (const at of [8, 100, frame.length - 1]) {
      const bad = frame.slice();
      bad[at] = bad[at]! ^ 0x01;
      expect(decodeChunk(bad)!.intact).toBe(false);
    }
    expect(decodeChunk(new Uint8Array(7))).toBeUndefined();
  });
});

describe('readOffer', () => {
  const good = { id: 'abc_1', name: 'map.json', type: 'application/json', size: 20, hash: new Uint8Array(32), chunk: 16375 };
  it('accepts what a sender makes and cleans the name', () => {
    expect(readOffer(good)).toMatchObject({ id: 'abc_1', name: 'map.json', size: 20 });
    expect(readOffer({ ...good, name: '../../etc/passwd' })!.name).toBe('passwd');
    expect(readOffer({ ...good, name: 'C:\\x\\evil\u0000.exe' })!.name).toBe('evil.exe');
    expect(readOffer({ ...good, name: '..' })!.name).toBe('file');
    expect(readOffer({ ...good, type: 'text/\u0007bell' })!.type).toBe('');
    expect(cleanFileName('x'.repeat(400)).length).toBe(255);
    expect(chunkCount(0, 16375)).toBe(0);
    expect(chunkCount(16376, 16375)).toBe(2);
  });

  it('refuses hostile shapes', () => {
    for (const bad of [
      null, 5, 'offer', [], { ...good, id: 'x'.repeat(65) }, { ...good, id: 'a b' }, { ...good, size: -1 }, { ...good, size: 1.5 },
      { ...good, size: 2 ** 60 }, { ...good, hash: new Uint8Array(31) }, { ...good, hash: 'aa' }, { ...good, chunk: 10 }, { ...good, chunk: 65536 },
    ]) expect(readOffer(bad)).toBeUndefined();
  });
});

describe('ProgressMeter', () => {
  it('reports the rate over the last two seconds', () => {
    let now = 0;
    const m = new ProgressMeter(10_000, () => now);
    expect(m.update(0).rateBytesPerSec).toBe(0);
    now = 1000;
    expect(m.update(1000)).toEqual({ bytes: 1000, total: 10_000, rateBytesPerSec: 1000 });
    now = 5000;
    m.update(3000);
    now = 6000;
    expect(m.update(7000).rateBytesPerSec).toBe(4000); // samples older than 2 s are gone
  });
});
