import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { Liveness } from '../../server/src/signaling/liveness.js';

/** A stand-in socket: answers pings (or not) and records terminate(). */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  terminated = false;
  pings = 0;
  constructor(private readonly answers: boolean) { super(); }
  ping(): void { this.pings++; if (this.answers) setTimeout(() => this.emit('pong'), 5); }
  terminate(): void { this.terminated = true; this.readyState = 3; }
}

const sock = (answers: boolean) => new FakeSocket(answers) as unknown as WebSocket & FakeSocket;

describe('Liveness', () => {
  it('a socket that pongs and spoke lately is alive; one that does not pong is cut off', async () => {
    const live = new Liveness(50, 1000);
    const [a, b] = [sock(true), sock(false)];
    live.registered('a', a);
    live.registered('b', b);
    expect(await live.probe('a')).toBe(true);
    expect(a.terminated).toBe(false);
    expect(await live.probe('b')).toBe(false);
    expect(b.terminated).toBe(true);
    expect(await live.probe('nobody')).toBe(false);
  });

  it('a socket whose code has been silent too long is gone even if it would pong (a frozen tab); a frame keeps it alive', async () => {
    let now = 0;
    const live = new Liveness(50, 1000, () => now);
    const [quiet, chatty] = [sock(true), sock(true)];
    live.registered('quiet', quiet);
    live.registered('chatty', chatty);
    now = 900;
    chatty.emit('message', Buffer.from('{"type":"HEARTBEAT"}'));
    now = 1500;
    expect(await live.probe('chatty')).toBe(true);
    expect(await live.probe('quiet')).toBe(false);
    expect([quiet.terminated, quiet.pings]).toEqual([true, 0]);
  });

  it('concurrent probes of one id share one ping; a replaced socket is not forgotten with the old one', async () => {
    const live = new Liveness(50, 1000);
    const [old, fresh] = [sock(true), sock(true)];
    live.registered('x', old);
    const both = await Promise.all([live.probe('x'), live.probe('x')]);
    expect([both, old.pings]).toEqual([[true, true], 1]);
    live.registered('x', fresh);
    live.unregistered('x', old);
    expect(await live.probe('x')).toBe(true);
    expect(fresh.pings).toBe(1);
  });
});
