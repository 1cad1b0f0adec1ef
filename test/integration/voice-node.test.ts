/**
 * Voice between real Node peers: @roamhq/wrtc's nonstandard RTCAudioSource (10 ms frames of
 * 16-bit PCM) feeds a 440 Hz tone into `voice.start({ stream })`; the other member's
 * RTCAudioSink on the stream `voice` hands over gets the tone (Goertzel power at 440 Hz far
 * above 1,000 Hz); mute turns it into silence; talk state arrives in-band; the Opus SDP asks for
 * FEC and DTX; the sender's bitrate is capped; a late joiner is called; a leaver's call ends.
 */
import wrtc from '@roamhq/wrtc';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type Session } from '../../sdk/src/node.js';
import { startServer } from '../../server/src/index.js';
import { nextEvent, until } from '../helpers/wait.js';

type Server = Awaited<ReturnType<typeof startServer>>;
const open: Session[] = [];
const cleanups: (() => void)[] = [];
let server: Server | undefined;

afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  await Promise.all(open.splice(0).map((s) => s.leave()));
  await server?.close();
  server = undefined;
});

/** A 440 Hz tone source: returns the track and stops with the test. */
function tone(hz = 440): MediaStreamTrack {
  const source = new wrtc.nonstandard.RTCAudioSource();
  const rate = 48_000, frame = 480;
  let t = 0;
  const timer = setInterval(() => {
    const samples = new Int16Array(frame);
    for (let i = 0; i < frame; i++, t++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * hz * t) / rate));
    source.onData({ samples, sampleRate: rate, bitsPerSample: 16, channelCount: 1, numberOfFrames: frame });
  }, 10);
  const track = source.createTrack() as unknown as MediaStreamTrack;
  cleanups.push(() => { clearInterval(timer); track.stop(); });
  return track;
}

/** Goertzel power of `hz` in `x` (normalized by length). */
function power(x: Float64Array, hz: number, rate: number): number {
  const k = 2 * Math.cos((2 * Math.PI * hz) / rate);
  let s1 = 0, s2 = 0;
  for (let i = 0; i < x.length; i++) { const s0 = x[i]! + k * s1 - s2; s2 = s1; s1 = s0; }
  return (s1 * s1 + s2 * s2 - k * s1 * s2) / (x.length * x.length);
}

/** Collects what arrives on `stream`'s audio track; `window()` gives the last ~200 ms. */
function listen(stream: MediaStream) {
  const sink = new wrtc.nonstandard.RTCAudioSink(stream.getAudioTracks()[0] as never);
  let recent: number[] = [];
  let rate = 48_000;
  let frames = 0;
  sink.ondata = (d: { samples: Int16Array; sampleRate: number; channelCount: number }) => {
    rate = d.sampleRate;
    frames++;
    for (let i = 0; i < d.samples.length; i += d.channelCount) recent.push(d.samples[i]!);
    if (recent.length > rate) recent = recent.slice(-rate / 5);
  };
  cleanups.push(() => sink.stop());
  return {
    get frames() { return frames; },
    window: () => ({ x: Float64Array.from(recent.slice(-rate / 5)), rate }),
    toneRatio(): number {
      const { x, rate: r } = this.window();
      if (x.length < r / 10) return 0;
      return power(x, 440, r) / Math.max(1e-9, power(x, 1000, r));
    },
    rms(): number {
      const { x } = this.window();
      return Math.sqrt(x.reduce((a, v) => a + v * v, 0) / Math.max(1, x.length));
    },
  };
}

async function lobby(n: number) {
  server = await startServer({ port: 0 });
  const net = connect({ server: server.url });
  const host = await net.host({ name: 'Voice', playerName: 'A' });
  open.push(host);
  const others: Session[] = [];
  for (let i = 0; i < n - 1; i++) { const s = await net.join(host.code, { playerName: `P${i}` }); open.push(s); others.push(s); }
  await until(() => [host, ...others].every((s) => s.players.size === n), 10_000, 'all in');
  return { net, host, others };
}

describe('voice between Node peers (@roamhq/wrtc RTCAudioSource / RTCAudioSink)', () => {
  it('a tone from A arrives at B; mute silences it; talk state comes in-band', async () => {
    const { host: a, others: [b] } = await lobby(2);
    const talking: [string, boolean][] = [];
    b!.voice.on('talking', (id, on) => talking.push([id, on]));
    const streamAtB = nextEvent<[string, MediaStream]>((cb) => b!.voice.on('stream', cb), 15_000, 'stream at B');
    await a.voice.start({ stream: new MediaStream([tone()]) });
    const [from, stream] = await streamAtB;
    expect(from).toBe(a.selfId);
    const ear = listen(stream);
    await until(() => ear.toneRatio() > 100, 15_000, '440 Hz at B');
    await until(() => talking.some(([id, on]) => id === a.selfId && on), 5000, 'A talking at B');
    expect(b!.voice.talking.has(a.selfId)).toBe(true);

    // The negotiated Opus parameters: FEC and DTX asked for, and the sender's cap in place.
    const out = a.voice.connections().find((c) => c.playerId === b!.selfId && c.direction === 'out')!;
    const remoteSdp = out.pc.remoteDescription?.sdp ?? '';
    expect(remoteSdp).toMatch(/a=fmtp:\d+ .*useinbandfec=1/);
    expect(remoteSdp).toMatch(/usedtx=1/);
    // The cap: maxaveragebitrate in the negotiated Opus line (node-webrtc keeps no maxBitrate in
    // getParameters(); the Chromium test checks RTCRtpSender.setParameters).
    expect(remoteSdp).toMatch(/maxaveragebitrate=32000/);
    expect(out.pc.getSenders()[0]?.getParameters().codecs?.find((c) => c.mimeType === 'audio/opus')?.sdpFmtpLine).toMatch(/maxaveragebitrate=32000/);

    a.voice.mute();
    await until(() => talking.some(([id, on]) => id === a.selfId && !on), 5000, 'A quiet at B');
    await until(() => ear.rms() < 50 && ear.toneRatio() < 10, 10_000, 'silence at B');
    a.voice.unmute();
    await until(() => ear.toneRatio() > 100, 10_000, 'tone back at B');
  }, 60_000);

  it('push-to-talk sends only while pressed; a late joiner hears a talker; a leaver\'s calls end', async () => {
    const { net, host: a, others: [b] } = await lobby(2);
    // B (not the host) talks; the host A listens.
    const streamAtA = nextEvent<[string, MediaStream]>((cb) => a.voice.on('stream', cb), 15_000, 'stream at A');
    await b!.voice.start({ stream: new MediaStream([tone()]), pushToTalk: true });
    expect(b!.voice.transmitting).toBe(false);
    const ear = listen((await streamAtA)[1]);
    await until(() => ear.frames > 50, 10_000, 'audio frames at A');
    expect(ear.toneRatio()).toBeLessThan(10);
    b!.voice.pressTalk();
    expect(b!.voice.transmitting).toBe(true);
    await until(() => ear.toneRatio() > 100, 15_000, 'tone while pressed');
    b!.voice.releaseTalk();
    await until(() => ear.rms() < 50, 10_000, 'silence after release');
    b!.voice.pressTalk();

    // C joins late: B (already talking) calls it.
    const c = await net.join(a.code, { playerName: 'C' });
    open.push(c);
    const [from, stream] = await nextEvent<[string, MediaStream]>((cb) => c.voice.on('stream', cb), 20_000, 'stream at C');
    expect(from).toBe(b!.selfId);
    const earC = listen(stream);
    await until(() => earC.toneRatio() > 100, 15_000, '440 Hz at late joiner C');
    await until(() => c.voice.talking.has(b!.selfId), 5000, 'B talking at C');

    // B leaves: A's and C's calls from B end, and B is no longer talking anywhere.
    const ended = nextEvent<[string]>((cb) => a.voice.on('streamEnd', cb), 15_000, 'streamEnd at A');
    open.splice(open.indexOf(b!), 1);
    await b!.leave();
    expect((await ended)[0]).toBe(b!.selfId);
    await until(() => !a.voice.talking.has(b!.selfId) && !c.voice.talking.has(b!.selfId), 10_000, 'B quiet at A and C');
    await until(() => a.voice.connections().length === 0 && c.voice.connections().length === 0, 10_000, 'no calls left');
  }, 90_000);

  it('the host leaving (host migration) does not break voice between the others', async () => {
    const { host: a, others: [b, c] } = await lobby(3);
    const streamAtC = nextEvent<[string, MediaStream]>((cb) => c!.voice.on('stream', cb), 15_000, 'stream at C');
    await b!.voice.start({ stream: new MediaStream([tone()]) });
    const ear = listen((await streamAtC)[1]);
    await until(() => ear.toneRatio() > 100, 15_000, 'tone at C');
    const changed = nextEvent<[string]>((cb) => c!.on('hostChange', cb), 30_000, 'hostChange at C');
    open.splice(open.indexOf(a), 1);
    await a.leave();
    await changed;
    expect(c!.isClosed).toBe(false);
    // The call from B to C never went through the host: new frames of the tone keep coming, and B is still talking at C.
    const framesThen = ear.frames;
    await until(() => ear.frames > framesThen + 50 && ear.toneRatio() > 100, 10_000, 'new tone frames at C after the host left');
    expect(c!.voice.talking.has(b!.selfId)).toBe(true);
    expect(c!.voice.connections().some((x) => x.playerId === b!.selfId && x.direction === 'in')).toBe(true);
  }, 90_000);

  it('a member flooding calls gets three answered per 10 s; a non-voice call is refused; voice goes on', async () => {
    const { host: a, others: [b] } = await lobby(2);
    const stream = new MediaStream([tone()]);
    const net = (await import('../../sdk/src/session/session.js')).sessionCore(b!).net;
    net.call(a.selfId, stream, { kind: 'screen' });
    for (let i = 0; i < 6; i++) net.call(a.selfId, stream, { kind: 'voice' });
    await until(() => a.voice.stats.callsAnswered + a.voice.stats.callsRefused === 7, 15_000, 'all calls seen');
    expect(a.voice.stats).toEqual({ callsAnswered: 3, callsRefused: 4 });
    expect(a.voice.connections().filter((c) => c.direction === 'in').length).toBeLessThanOrEqual(1);
    const got = nextEvent<[unknown, string]>((cb) => a.onMessage('ok', cb));
    b!.send('ok', 1);
    expect((await got)[0]).toBe(1);
  }, 60_000);

  it('voice on the in-memory network and a stream without audio fail with typed errors; the session goes on', async () => {
    const { createTestNetwork } = await import('../../sdk/src/testing.js');
    const t = createTestNetwork();
    const h = await t.connect().host({ name: 'mem' });
    const j = await t.connect().join(h.code);
    await until(() => h.players.size === 2, 5000, 'joined');
    // The in-memory network carries no media: start() publishes, but no call can be placed (no throw out of it).
    await h.voice.start({ stream: new MediaStream([tone()]) });
    expect(h.voice.publishing).toBe(true);
    expect(h.voice.connections()).toEqual([]);
    const noAudio = new MediaStream([]);
    await expect(j.voice.start({ stream: noAudio })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const got = nextEvent<[unknown, string]>((cb) => h.onMessage('ok', cb));
    j.send('ok', 1);
    expect((await got)[0]).toBe(1);
    await j.leave();
    await h.leave();
  }, 30_000);
});
