/**
 * Chromium benchmarks: echo RTT over the five paths (64 B and 1 KiB, closed loop) and join
 * latency, between two pages of headless Debian Chromium (playwright-core, never a downloaded
 * browser) on the real server, which serves the bench page cross-origin isolated
 * (COOP/COEP), so performance.now() ticks at 5 µs; the page checks and records it. Each page
 * has its own browser context, like two players. Skipped, with the reason, when Chromium is
 * not installed.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { latencyChart } from './lib/chart.js';
import { PATHS } from './lib/node-paths.js';
import { benchMode, mdTable, writeArtifact, writeResult, type Goal } from './lib/report.js';
import { machineInfo } from './lib/machine.js';
import { benchServer } from './lib/server.js';
import { ratio, summarize, type Summary } from './lib/stats.js';

const mode = benchMode();
const samples = { smoke: 20, quick: 300, full: 2000 }[mode];
const joins = { smoke: 2, quick: 10, full: 40 }[mode];
const sizes = [64, 1024];
const exe = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (!exe) {
  const why = 'Debian chromium is not installed (sudo bash scripts/setup-system.sh installs it)';
  console.warn(`[chromium] SKIPPED: ${why}`);
  writeResult('echo-chromium', { config: {}, results: { skipped: why } }, `Skipped: ${why}`);
  process.exit(0);
}

type Bench = Record<string, (...args: never[]) => unknown>;
const call = <T>(page: Page, fn: string, ...args: unknown[]): Promise<T> =>
  page.evaluate(({ fn, args }) => ((globalThis as unknown as { bench: Bench }).bench[fn] as (...a: unknown[]) => T)(...args), { fn, args }) as Promise<T>;

let browser: Browser | undefined;
const server = await benchServer(process.env.BENCH_PUBLIC_DIR);
const results: Record<string, Record<string, Summary & { lost: number }>> = {};
let timing: { crossOriginIsolated: boolean; timerResolutionUs: number } | undefined;
let join: { toJoin: Summary; toSnapshot: Summary; failures: string[] } | undefined;
let chromiumVersion = 'unknown';
try {
  browser = await chromium.launch({
    executablePath: exe, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic',
      '--disable-features=WebRtcHideLocalIpsWithMdns', '--disable-renderer-backgrounding', '--disable-background-timer-throttling'],
  });
  chromiumVersion = browser.version();
  const open = async () => {
    const page = await (await browser!.newContext()).newPage();
    page.on('pageerror', (e) => console.error(`[chromium] page error: ${e.message}`));
    await page.goto(`${server.url}/bench/index.html`);
    await page.waitForFunction(() => 'bench' in globalThis);
    return page;
  };
  const [a, b] = [await open(), await open()]; // a answers, b measures
  timing = await call(b, 'timing');
  console.log(`[chromium] ${chromiumVersion}; crossOriginIsolated=${timing!.crossOriginIsolated}, performance.now() step ${timing!.timerResolutionUs} µs`);

  // Connect every path.
  await call(a, 'rawCreate', true);
  await call(b, 'rawCreate', false);
  const offer = await call(b, 'rawOffer');
  const answer = await call(a, 'rawAnswer', offer);
  await call(b, 'rawFinish', answer);
  await call(b, 'rawOpen');
  const { code } = await call<{ code: string }>(a, 'hmHost', server.url, 30);
  await call(b, 'hmJoin', server.url, code);
  const pjId = await call<string>(a, 'pjListen', server.url);
  await call(b, 'pjConnect', server.url, pjId);

  // Rounds alternate the paths so drift hits all alike.
  const rounds = mode === 'smoke' ? 1 : 4;
  const acc = new Map<string, { rtts: number[]; lost: number }>();
  for (let r = 0; r < rounds; r++) for (const p of PATHS) for (const size of sizes) {
    const res = await call<{ rtts: number[]; lost: number }>(b, 'echo', p, size, Math.ceil(samples / rounds), r === 0 ? 50 : 10, 2000);
    const k = `${p}|${size}`, prev = acc.get(k) ?? { rtts: [], lost: 0 };
    acc.set(k, { rtts: [...prev.rtts, ...res.rtts], lost: prev.lost + res.lost });
  }
  for (const p of PATHS) {
    results[p] = {};
    for (const size of sizes) { const x = acc.get(`${p}|${size}`)!; results[p]![String(size)] = { ...summarize(x.rtts), lost: x.lost }; }
  }

  // Join latency: a fresh page joins the lobby hosted by page a, many times.
  const j = await call<{ toJoin: number[]; toSnapshot: number[]; failures: string[] }>(await open(), 'joinLoop', server.url, code, joins + 1);
  join = { toJoin: summarize(j.toJoin.slice(1)), toSnapshot: summarize(j.toSnapshot.slice(1)), failures: j.failures };
  await call(b, 'close');
  await call(a, 'close');
} finally {
  await browser?.close().catch(() => {});
  await server.close();
}

const machine = { ...machineInfo(), chromium: chromiumVersion };
const p50 = (p: string, size: number) => results[p]?.[String(size)]?.p50;
const goals: Goal[] = sizes.map((size) => {
  const hm = p50('hostmesh-unreliable', size)!, r = p50('raw', size)!, diffUs = Math.round((hm - r) * 1000);
  return { goal: `hostmesh unreliable RTT p50 within 10% (or 50 µs) of the raw channel, ${size} B, Chromium`, met: hm <= r * 1.1 || diffUs <= 50, detail: `hostmesh ${hm} ms vs raw ${r} ms (${diffUs >= 0 ? '+' : ''}${diffUs} µs, ×${ratio(hm, r)})` };
});
writeArtifact('echo-chromium.svg', latencyChart(`Echo RTT in Chromium ${chromiumVersion} (two pages), closed loop, ${mode} run`, sizes.map((size) => ({
  title: `${size} B`, rows: PATHS.map((p) => ({ label: p, s: results[p]![String(size)]! })),
}))));
const rows = PATHS.flatMap((p) => sizes.map((size) => { const s = results[p]![String(size)]!; return [p, size, s.n, s.p50, s.p99, s.p999, s.max, ratio(s.p50, p50('raw', size))]; }));
writeResult('echo-chromium', {
  machine,
  config: { samplesPerPathAndSize: samples, joins, sizes, paths: PATHS, timing, pages: 'two pages, separate browser contexts, same headless Chromium' },
  results: { timing, echo: results, join }, goals,
  notes: [`crossOriginIsolated = ${timing?.crossOriginIsolated}; smallest performance.now() step seen: ${timing?.timerResolutionUs} µs.`, 'ratio = p50 / raw p50 in the same run.'],
}, [
  `## Echo RTT, Chromium, closed loop (ms)`, '', mdTable(['path', 'bytes', 'n', 'p50', 'p99', 'p99.9', 'max', 'p50 / raw'], rows), '', '![chart](echo-chromium.svg)', '',
  '## Join latency, Chromium (ms)', '',
  mdTable(['measure', 'n', 'p50', 'p99', 'max'], join ? [['join() resolved', join.toJoin.n, join.toJoin.p50, join.toJoin.p99, join.toJoin.max], ['first snapshot', join.toSnapshot.n, join.toSnapshot.p50, join.toSnapshot.p99, join.toSnapshot.max]] : []),
  '', `Join failures: ${join?.failures.length ?? 'n/a'}`,
].join('\n'));
process.exit(0);
