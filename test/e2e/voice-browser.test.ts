/**
 * Voice in real Chromium through the real server. Chromium's fake microphone plays a 440 Hz
 * WAV written by the test (one WAV per browser process, FACTS.md), so page A talks with
 * getUserMedia; page B talks with a 660 Hz OscillatorNode stream. Each listener checks the
 * spectrum of what arrives with an AnalyserNode: A's tone reaches B, mute silences it, the
 * push-to-talk key (bindPushToTalk, V) lets it through only while held, a third page joining late
 * hears both tones, and a leaver's stream ends. A page whose browser denies the microphone gets
 * MIC_DENIED and stays in the game.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../server/src/index.js';
import { browserSkipReason, launchBrowser, loadSdk, watchErrors } from '../helpers/browser.js';

type Hm = typeof import('../../sdk/src/index.js');
declare const hm: Hm;

/** A 16-bit mono PCM WAV of a sine tone. */
function toneWav(hz: number, seconds: number, rate = 48_000): Buffer {
  const n = rate * seconds;
  const buf = Buffer.alloc(44 + n * 2);
  buf.write('RIFF', 0); buf.writeUInt32LE(36 + n * 2, 4); buf.write('WAVE', 8);
  buf.write('fmt ', 12); buf.writeUInt32LE(16, 16); buf.writeUInt16LE(1, 20); buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(rate, 24); buf.writeUInt32LE(rate * 2, 28); buf.writeUInt16LE(2, 32); buf.writeUInt16LE(16, 34);
  buf.write('data', 36); buf.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) buf.writeInt16LE(Math.round(12_000 * Math.sin((2 * Math.PI * hz * i) / rate)), 44 + i * 2);
  return buf;
}

/** In the page: an analyser on every voice stream that arrives, and `level(id, hz)`: dB of the tone's bin over off-tone bins (0 for silence). */
function installEars(): void {
  const w = window as unknown as { ears: Map<string, AnalyserNode>; level(id: string, hz: number): number; ctx: AudioContext; s: { voice: { on(e: string, cb: (id: string, st?: MediaStream) => void): void } } };
  w.ears = new Map();
  w.ctx = new AudioContext();
  w.s.voice.on('stream', (id, stream) => {
    const an = w.ctx.createAnalyser();
    an.fftSize = 4096;
    w.ctx.createMediaStreamSource(stream!).connect(an);
    w.ears.set(id, an);
  });
  w.s.voice.on('streamEnd', (id) => { w.ears.delete(id); });
  w.level = (id, hz) => {
    const an = w.ears.get(id);
    if (!an) return -Infinity;
    const bins = new Float32Array(an.frequencyBinCount);
    an.getFloatFrequencyData(bins);
    const peakAt = (f: number) => {
      const at = Math.round((f / (w.ctx.sampleRate / 2)) * bins.length);
      return Math.max(bins[at - 1]!, bins[at]!, bins[at + 1]!, -200);
    };
    // dB of the tone's bin above the louder of two off-tone bins: silence gives 0 or less.
    const peak = peakAt(hz);
    return peak < -90 ? 0 : peak - Math.max(peakAt(hz * 1.7), peakAt(hz * 0.6));
  };
}

describe.skipIf(browserSkipReason)(`voice in Chromium${browserSkipReason ? ` (skipped: ${browserSkipReason})` : ''}`, () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  beforeAll(async () => {
    server = await startServer({ port: 0 });
    const wav = join(mkdtempSync(join(tmpdir(), 'hm-voice-')), 'tone440.wav');
    writeFileSync(wav, toneWav(440, 20));
    browser = await launchBrowser([
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${wav}`, '--autoplay-policy=no-user-gesture-required',
    ]);
  }, 60_000);
  afterAll(async () => { await browser?.close(); await server?.close(); });

  async function page(label: string, errors: string[]): Promise<Page> {
    const p = await browser.newPage();
    errors.push(...watchErrors(p, label));
    await p.goto(`${server.url}/healthz`);
    await loadSdk(p);
    return p;
  }

  /** Waits in Node until `level(id, hz)` in `p` passes `test`. */
  async function waitLevel(p: Page, id: string, hz: number, test: (db: number) => boolean, what: string, timeoutMs = 20_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let db = -Infinity;
    while (Date.now() < deadline) {
      db = await p.evaluate(([i, h]) => (window as unknown as { level(id: string, hz: number): number }).level(i as string, h as number), [id, hz] as const);
      if (test(db)) return db;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${what}: level ${db.toFixed(1)} dB`);
  }

  it('a 440 Hz tone from A reaches B; mute silences it; push-to-talk; a late joiner hears both talkers', async () => {
    const errors: string[] = [];
    const [a, b] = [await page('A', errors), await page('B', errors)];
    const code = await a.evaluate(async () => {
      const s = await hm.connect(location.origin).host({ name: 'Voice', playerName: 'A' });
      (window as unknown as { s: typeof s }).s = s;
      return s.code;
    });
    await a.evaluate(installEars);
    const bId = await b.evaluate(async (c) => {
      const s = await hm.connect(location.origin).join(c, { playerName: 'B' });
      (window as unknown as { s: typeof s; talk: string[] }).s = s;
      const w = window as unknown as { talk: string[] };
      w.talk = [];
      s.voice.on('talking', (id, on) => w.talk.push(`${id}:${on}`));
      return s.selfId;
    }, code);
    await b.evaluate(installEars);
    const aId = await a.evaluate(async () => {
      const s = (window as unknown as { s: { voice: { start(o?: object): Promise<void> }; selfId: string } }).s;
      await s.voice.start(); // the fake microphone: the 440 Hz WAV
      return s.selfId;
    });

    expect(await waitLevel(b, aId, 440, (db) => db > 20, 'tone at B')).toBeGreaterThan(25);
    expect(await b.evaluate((id) => (window as unknown as { talk: string[] }).talk.includes(`${id}:true`), aId)).toBe(true);
    // The sender's bitrate cap went in through RTCRtpSender.setParameters, and FEC/DTX through the SDP.
    const sender = await a.evaluate(async () => {
      const s = (window as unknown as { s: { voice: { connections(): { direction: string; pc: RTCPeerConnection }[] } } }).s;
      const out = s.voice.connections().find((c) => c.direction === 'out')!;
      for (let i = 0; i < 50 && !out.pc.getSenders()[0]?.getParameters().encodings?.[0]?.maxBitrate; i++) await new Promise((r) => setTimeout(r, 100));
      return { max: out.pc.getSenders()[0]?.getParameters().encodings?.[0]?.maxBitrate, sdp: out.pc.remoteDescription?.sdp ?? '' };
    });
    expect(sender.max).toBe(32_000);
    expect(sender.sdp).toMatch(/useinbandfec=1/);
    expect(sender.sdp).toMatch(/usedtx=1/);

    await a.evaluate(() => (window as unknown as { s: { voice: { mute(): void } } }).s.voice.mute());
    await waitLevel(b, aId, 440, (db) => db < 6, 'silence at B after mute');
    expect(await b.evaluate((id) => (window as unknown as { talk: string[] }).talk.includes(`${id}:false`), aId)).toBe(true);
    await a.evaluate(() => (window as unknown as { s: { voice: { unmute(): void } } }).s.voice.unmute());
    await waitLevel(b, aId, 440, (db) => db > 20, 'tone back after unmute');

    // Push-to-talk on the V key through bindPushToTalk.
    await a.evaluate(() => { const w = window as unknown as { s: { voice: never } }; hm.bindPushToTalk(w.s.voice); });
    await waitLevel(b, aId, 440, (db) => db < 6, 'silence with push-to-talk up');
    await a.keyboard.down('KeyV');
    await waitLevel(b, aId, 440, (db) => db > 20, 'tone while V is held');
    await a.keyboard.up('KeyV');
    await waitLevel(b, aId, 440, (db) => db < 6, 'silence after V is released');
    await a.keyboard.down('KeyV');

    // B talks too, at 660 Hz from an oscillator; C joins late and hears both.
    await b.evaluate(async () => {
      const ctx = new AudioContext();
      const osc = ctx.createOscillator();
      osc.frequency.value = 660;
      const dest = ctx.createMediaStreamDestination();
      osc.connect(dest);
      osc.start();
      await (window as unknown as { s: { voice: { start(o: object): Promise<void> } } }).s.voice.start({ stream: dest.stream });
    });
    await waitLevel(a, bId, 660, (db) => db > 20, '660 Hz from B at A');
    const c = await page('C', errors);
    await c.evaluate(async (cc) => {
      const s = await hm.connect(location.origin).join(cc, { playerName: 'C' });
      (window as unknown as { s: typeof s }).s = s;
    }, code);
    await c.evaluate(installEars);
    // The ears were installed after join: the streams may have arrived already, so ask for them again by id.
    await c.evaluate(() => {
      const w = window as unknown as { s: { voice: { connections(): { playerId: string; direction: string; pc: RTCPeerConnection }[] } }; ears: Map<string, AnalyserNode>; ctx: AudioContext };
      for (const conn of w.s.voice.connections()) {
        if (conn.direction !== 'in' || w.ears.has(conn.playerId)) continue;
        const track = conn.pc.getReceivers()[0]?.track;
        if (!track) continue;
        const an = w.ctx.createAnalyser();
        an.fftSize = 4096;
        w.ctx.createMediaStreamSource(new MediaStream([track])).connect(an);
        w.ears.set(conn.playerId, an);
      }
    });
    await waitLevel(c, aId, 440, (db) => db > 20, '440 Hz from A at late joiner C', 30_000);
    await waitLevel(c, bId, 660, (db) => db > 20, '660 Hz from B at late joiner C', 30_000);

    // B leaves: A's and C's streams from B end; A keeps hearing... and C keeps hearing A.
    await b.evaluate(() => (window as unknown as { s: { leave(): Promise<void> } }).s.leave());
    await a.waitForFunction((id) => !(window as unknown as { ears: Map<string, unknown> }).ears.has(id), bId, { timeout: 15_000 });
    await waitLevel(c, aId, 440, (db) => db > 20, 'C still hears A after B left');
    expect(errors).toEqual([]);
  }, 180_000);

  it('a denied microphone gives MIC_DENIED and the player stays in the game', async () => {
    const plain = await launchBrowser(); // no fake-ui flag: headless Chromium denies the microphone
    try {
      const [a, b] = [await plain.newPage(), await plain.newPage()];
      for (const p of [a, b]) { await p.goto(`${server.url}/healthz`); await loadSdk(p); }
      const code = await a.evaluate(async () => {
        const s = await hm.connect(location.origin).host({ name: 'NoMic' });
        (window as unknown as { s: typeof s }).s = s;
        return s.code;
      });
      const result = await b.evaluate(async (c) => {
        const s = await hm.connect(location.origin).join(c, { playerName: 'B' });
        let code = 'none';
        try { await s.voice.start(); } catch (err) { code = (err as { code: string }).code; }
        s.send('still', 'here');
        return { code, closed: s.isClosed, publishing: s.voice.publishing };
      }, code);
      expect(result).toEqual({ code: 'MIC_DENIED', closed: false, publishing: false });
      await a.waitForFunction(() => (window as unknown as { s: { players: Map<string, unknown> } }).s.players.size === 2);
    } finally {
      await plain.close();
    }
  }, 60_000);
});
