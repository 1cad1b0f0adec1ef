/** The typed emitter: subscribe, unsubscribe, isolation of throwing listeners, and type safety. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Emitter } from '../../sdk/src/core/emitter.js';

interface TestEvents {
  /** No arguments. */
  tick: [];
  /** Two arguments. */
  move: [x: number, y: number];
  /** An optional argument. */
  close: [reason: string, error?: Error];
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Emitter', () => {
  it('calls listeners with the emitted arguments, in subscription order', () => {
    const e = new Emitter<TestEvents>();
    const calls: string[] = [];
    e.on('move', (x, y) => calls.push(`a${x},${y}`));
    e.on('move', (x, y) => calls.push(`b${x},${y}`));
    e.on('tick', () => calls.push('tick'));
    e.emit('move', 1, 2);
    e.emit('tick');
    expect(calls).toEqual(['a1,2', 'b1,2', 'tick']);
  });

  it('emitting an event with no listeners does nothing', () => {
    const e = new Emitter<TestEvents>();
    expect(() => e.emit('tick')).not.toThrow();
  });

  it('on() returns an unsubscribe function, safe to call twice', () => {
    const e = new Emitter<TestEvents>();
    const cb = vi.fn();
    const off = e.on('tick', cb);
    e.emit('tick');
    off();
    off();
    e.emit('tick');
    expect(cb).toHaveBeenCalledTimes(1);
  });

  it('the same function subscribed to two events unsubscribes from one only', () => {
    const e = new Emitter<TestEvents>();
    const cb = vi.fn();
    const offTick = e.on('tick', cb);
    e.on('close', cb);
    offTick();
    e.emit('tick');
    e.emit('close', 'x');
    expect(cb).toHaveBeenCalledTimes(1);
    expect(cb).toHaveBeenCalledWith('x');
  });

  it('a listener that unsubscribes another during emit does not break the current emit', () => {
    const e = new Emitter<TestEvents>();
    const second = vi.fn();
    let offSecond = () => {};
    e.on('tick', () => offSecond());
    offSecond = e.on('tick', second);
    e.emit('tick');
    expect(second).toHaveBeenCalledTimes(1); // snapshot of listeners taken at emit time
    e.emit('tick');
    expect(second).toHaveBeenCalledTimes(1);
  });

  it('a listener added during emit is not called by that emit', () => {
    const e = new Emitter<TestEvents>();
    const late = vi.fn();
    e.on('tick', () => { e.on('tick', late); });
    e.emit('tick');
    expect(late).not.toHaveBeenCalled();
  });

  it('a throwing listener is reported and does not stop the others', () => {
    const e = new Emitter<TestEvents>();
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const after = vi.fn();
    e.on('move', () => { throw new Error('boom'); });
    e.on('move', after);
    expect(() => e.emit('move', 3, 4)).not.toThrow();
    expect(after).toHaveBeenCalledWith(3, 4);
    expect(error).toHaveBeenCalledTimes(1);
    expect(String(error.mock.calls[0]?.[0])).toContain("'move'");
  });

  it('clear() removes every listener', () => {
    const e = new Emitter<TestEvents>();
    const cb = vi.fn();
    e.on('tick', cb);
    e.on('move', cb);
    e.clear();
    e.emit('tick');
    e.emit('move', 1, 1);
    expect(cb).not.toHaveBeenCalled();
  });

  it('rejects wrong event names and listener signatures at compile time', () => {
    const e = new Emitter<TestEvents>();
    // @ts-expect-error: not an event of TestEvents
    e.on('nope', () => {});
    // @ts-expect-error: not an event of TestEvents
    e.emit('nope');
    // @ts-expect-error: 'move' listeners receive numbers, not strings
    e.on('move', (x: string) => void x);
    // @ts-expect-error: 'move' needs two numbers
    e.emit('move', 1);
    // @ts-expect-error: 'move' needs numbers
    e.emit('move', '1', '2');
    // @ts-expect-error: 'tick' takes no arguments
    e.emit('tick', 1);
    // @ts-expect-error: 'close' reason must be a string
    e.emit('close', 5);
    // Correct uses compile, including an omitted optional argument and fewer listener params.
    e.on('close', (reason, error) => void [reason.length, error?.message]);
    e.on('move', (x) => void x.toFixed());
    e.emit('close', 'done');
    e.emit('close', 'failed', new Error('x'));
    expect(true).toBe(true);
  });
});
