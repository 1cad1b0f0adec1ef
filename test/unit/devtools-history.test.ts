/** The devtools' pure parts: the RTT window drops old samples and gone peers; the graph scale rounds up to 1-2-5 steps. */
import { describe, expect, it } from 'vitest';
import { RttHistory } from '../../sdk/src/devtools/rtt-history.js';
import { niceCeil } from '../../sdk/src/devtools/rtt-graph.js';

describe('RttHistory', () => {
  it('keeps the last window per peer, skips NaN, and forgets peers that left', () => {
    const h = new RttHistory(1000);
    h.add('a', 0, NaN);
    for (let t = 0; t <= 2000; t += 250) h.add('a', t, t / 10);
    h.add('b', 1900, 42);
    h.prune(2000, new Set(['a', 'b']));
    expect(h.samples('a').map((s) => s.atMs)).toEqual([1000, 1250, 1500, 1750, 2000]);
    expect(h.max()).toBe(200);
    h.prune(2000, new Set(['b']));
    expect(h.peers()).toEqual(['b']);
    h.prune(5000, new Set(['b']));
    expect(h.samples('b')).toEqual([]);
    expect(h.max()).toBe(0);
  });
});

describe('niceCeil', () => {
  it('rounds up to 1, 2 or 5 times a power of ten', () => {
    expect([0.3, 1, 1.1, 3, 7, 42, 100, 180, 501].map(niceCeil)).toEqual([0.5, 1, 2, 5, 10, 50, 100, 200, 1000]);
  });
});
