/**
 * Opus parameters in SDP (RFC 7587): `useinbandfec=1` (the decoder uses in-band FEC, so the
 * sender adds it), `usedtx=1` (silence is sent as rare comfort-noise frames), and
 * `maxaveragebitrate` (bits per second). libwebrtc configures its encoder from the remote
 * description's fmtp line, so both the offer and the answer carry them.
 */

/** Opus settings written into an SDP. */
export interface OpusSettings {
  /** Ask for discontinuous transmission. */
  dtx: boolean;
  /** Ask for in-band forward error correction. */
  fec: boolean;
  /** Average bitrate cap, bits per second (6000..510000). */
  maxBitrateBps: number;
}

/** Returns `sdp` with the Opus fmtp line(s) carrying `settings`; other codecs are untouched. */
export function tuneOpus(sdp: string, settings: OpusSettings): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(eol);
  const opus = new Set<string>();
  for (const line of lines) {
    const m = /^a=rtpmap:(\d+) opus\/48000/i.exec(line);
    if (m) opus.add(m[1]!);
  }
  const bitrate = Math.round(Math.min(510_000, Math.max(6_000, settings.maxBitrateBps)));
  const wanted: Record<string, string> = { useinbandfec: settings.fec ? '1' : '0', usedtx: settings.dtx ? '1' : '0', maxaveragebitrate: String(bitrate) };
  const seen = new Set<string>();
  const out = lines.map((line) => {
    const m = /^a=fmtp:(\d+) (.*)$/.exec(line);
    if (!m || !opus.has(m[1]!)) return line;
    seen.add(m[1]!);
    const params = new Map(m[2]!.split(';').map((kv) => kv.trim()).filter(Boolean).map((kv) => {
      const i = kv.indexOf('=');
      return i < 0 ? [kv, ''] as const : [kv.slice(0, i), kv.slice(i + 1)] as const;
    }));
    for (const [k, v] of Object.entries(wanted)) params.set(k, v);
    return `a=fmtp:${m[1]} ${[...params].map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join(';')}`;
  });
  // An Opus payload type without an fmtp line gets one right after its rtpmap.
  for (const pt of opus) {
    if (seen.has(pt)) continue;
    const at = out.findIndex((l) => l.startsWith(`a=rtpmap:${pt} `));
    out.splice(at + 1, 0, `a=fmtp:${pt} ${Object.entries(wanted).map(([k, v]) => `${k}=${v}`).join(';')}`);
  }
  return out.join(eol);
}
