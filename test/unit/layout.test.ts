/**
 * The source tree's shape: no import cycles in sdk/ or server/, and the SDK's layer folders
 * import one way only (docs/architecture.md). Imports are read with the TypeScript compiler's
 * own pre-processor, type-only imports included: a type cycle is still a cycle for a reader.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

/** Which SDK layer folders each layer may import from (besides itself). */
const sdkLayers: Record<string, readonly string[]> = {
  core: [],
  wire: ['core'],
  snapshot: ['core', 'wire'],
  netcode: ['core', 'wire', 'snapshot'],
  link: ['core', 'wire'],
  lobby: ['core', 'wire'],
  media: ['core', 'wire', 'link'],
  transfer: ['core', 'wire', 'link'],
  session: ['core', 'wire', 'snapshot', 'netcode', 'link', 'lobby', 'media', 'transfer'],
  devtools: ['core', 'wire', 'snapshot', 'netcode', 'link', 'lobby', 'media', 'transfer', 'session'],
  testing: ['core', 'wire', 'snapshot', 'netcode', 'link', 'lobby', 'media', 'transfer', 'session'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports of every file under `dir`, resolved to files (any outside `dir` kept as-is). */
function importGraph(dir: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(dir)) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const deps = info.importedFiles.map((f) => f.fileName).filter((s) => s.startsWith('.'))
      .map((s) => resolve(dirname(file), s).replace(/\.js$/, '.ts'));
    graph.set(file, deps);
  }
  return graph;
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index); low.set(v, index++); stack.push(v); on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do { w = stack.pop()!; on.delete(w); scc.push(relative(root, w)); } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe('source layout', () => {
  it('finds a cycle when there is one (the checker itself can fail)', () => {
    const g = new Map([['/a.ts', ['/b.ts']], ['/b.ts', ['/c.ts']], ['/c.ts', ['/a.ts']], ['/d.ts', ['/a.ts']]]);
    expect(cycles(g)).toHaveLength(1);
    expect(cycles(new Map([['/a.ts', ['/b.ts']], ['/b.ts', []]]))).toEqual([]);
  });

  it.each(['sdk', 'server'])('%s has no import cycles', (pkg) => {
    expect(cycles(importGraph(join(root, pkg)))).toEqual([]);
  });

  it('SDK layers import one way (netcode and snapshot know nothing of link or session; link nothing of session)', () => {
    const src = join(root, 'sdk/src');
    const layerOf = (file: string) => relative(src, file).split('/')[0]!;
    const violations: string[] = [];
    for (const [file, deps] of importGraph(src)) {
      const from = layerOf(file);
      const allowed = sdkLayers[from];
      if (!allowed) {
        // Only the entries live at the root; every other file belongs to a layer folder.
        if (!['index.ts', 'node.ts', 'devtools.ts', 'testing.ts'].includes(from)) violations.push(`${relative(root, file)}: not in a layer folder`);
        continue;
      }
      for (const dep of deps) {
        const to = layerOf(dep);
        if (to !== from && !allowed.includes(to)) violations.push(`${relative(root, file)} -> ${relative(root, dep)}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('the server does not import SDK internals above the wire and lobby layers', () => {
    const allowed = ['core', 'wire', 'lobby'];
    const bad = [...importGraph(join(root, 'server'))].flatMap(([file, deps]) => deps
      .filter((d) => d.startsWith(join(root, 'sdk/src')) && !allowed.includes(relative(join(root, 'sdk/src'), d).split('/')[0]!))
      .map((d) => `${relative(root, file)} -> ${relative(root, d)}`));
    expect(bad).toEqual([]);
  });
});
