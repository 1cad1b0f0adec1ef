/**
 * Result files: `bench/results/<name>.json` (machine, config, every figure; for scripts to
 * compare) and `bench/results/<name>.md` (a human summary), plus Markdown table helpers.
 * The output directory is `BENCH_OUT` when set (the smoke test writes to a scratch dir).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { machineInfo, machineLine, type MachineInfo } from './machine.js';

/** Where result files go. */
export function resultsDir(): string {
  return process.env.BENCH_OUT ?? 'bench/results';
}

/** Mode of this run: 'quick', 'full' or 'smoke' (from BENCH_MODE). */
export function benchMode(): 'quick' | 'full' | 'smoke' {
  const m = process.env.BENCH_MODE;
  return m === 'full' || m === 'smoke' ? m : 'quick';
}

/** The envelope every result file has. */
export interface ResultFile<T> {
  name: string;
  mode: string;
  machine: MachineInfo;
  config: Record<string, unknown>;
  results: T;
  /** Goals checked by this benchmark: statement, whether met, and the figures behind it. */
  goals?: Goal[];
  notes?: string[];
}

/** A goal from the benchmark issue and whether this run met it. */
export interface Goal {
  goal: string;
  met: boolean | null;
  detail: string;
}

/** A Markdown table from a header and rows. */
export function mdTable(header: readonly string[], rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  const cell = (v: string | number | null | undefined) => (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? '–' : String(v));
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** Goals as a Markdown list. */
export function mdGoals(goals: readonly Goal[]): string {
  return goals.map((g) => `- ${g.met === null ? 'not measured' : g.met ? '**met**' : '**missed**'}: ${g.goal} — ${g.detail}`).join('\n');
}

/** Writes `<name>.json` and `<name>.md` and prints the Markdown; returns the JSON path. */
export function writeResult<T>(name: string, file: Omit<ResultFile<T>, 'name' | 'mode' | 'machine'> & { machine?: MachineInfo }, markdownBody: string): string {
  const dir = resultsDir();
  mkdirSync(dir, { recursive: true });
  const machine = file.machine ?? machineInfo();
  const full: ResultFile<T> = { name, mode: benchMode(), ...file, machine };
  const jsonPath = join(dir, `${name}.json`);
  writeFileSync(jsonPath, `${JSON.stringify(full, null, 2)}\n`);
  const md = [
    `# ${name} (${full.mode} run)`,
    '',
    `Machine: ${machineLine(machine)}`,
    '',
    markdownBody.trim(),
    ...(full.goals?.length ? ['', '## Goals', '', mdGoals(full.goals)] : []),
    ...(full.notes?.length ? ['', '## Notes', '', ...full.notes.map((n) => `- ${n}`)] : []),
    '',
  ].join('\n');
  writeFileSync(join(dir, `${name}.md`), md);
  console.log(`\n${md}`);
  return jsonPath;
}

/** Writes another result file (e.g. an SVG chart) into the results directory. */
export function writeArtifact(fileName: string, content: string): void {
  mkdirSync(resultsDir(), { recursive: true });
  writeFileSync(join(resultsDir(), fileName), content);
}
