import { describe, expect, it, vi } from 'vitest';
import { TandemClient, type LiveMessage } from './tandem-client.ts';

describe('TandemClient: retries', () => {
  it('waits longer after each round around an unreachable pair, spread by its random source, then gives up', async () => {
    const pauses: number[] = [];
    let calls = 0;
    const client = new TandemClient({
      nodes: ['http://10.0.0.11:8088', 'http://10.0.0.12:8088'],
      token: 't',
      rounds: 5,
      retryDelayMs: 100,
      maxRetryDelayMs: 500,
      random: () => 0.5,
      fetch: () => {
        calls++;
        return Promise.reject(new TypeError('connect ECONNREFUSED'));
      },
      sleep: (ms) => {
        pauses.push(ms);
        return Promise.resolve();
      },
    });
    await expect(client.status()).rejects.toMatchObject({ code: 'UNREACHABLE' });
    expect(calls).toBe(10);
    expect(pauses).toEqual([100, 200, 400, 500]);
  });

  it('two clients cut off together pause for different times (jitter)', async () => {
    const pausesOf = async (random: number): Promise<number[]> => {
      const pauses: number[] = [];
      const client = new TandemClient({
        nodes: ['http://a', 'http://b'],
        token: 't',
        rounds: 2,
        random: () => random,
        fetch: () => Promise.reject(new TypeError('fetch failed')),
        sleep: (ms) => {
          pauses.push(ms);
          return Promise.resolve();
        },
      });
      await client.status().catch(() => undefined);
      return pauses;
    };
    expect(await pausesOf(0.1)).not.toEqual(await pausesOf(0.9));
  });
});

describe('TandemClient: live', () => {
  /** A WebSocket the test drives: it records what the client sends and delivers what the test pushes. */
  class FakeSocket {
    static last: FakeSocket | null = null;
    readonly sent: string[] = [];
    onopen: (() => void) | null = null;
    onmessage: ((event: { data: string }) => void) | null = null;
    onclose: (() => void) | null = null;
    readonly url: string;
    constructor(url: string) {
      this.url = url;
      FakeSocket.last = this;
    }
    send(text: string): void {
      this.sent.push(text);
    }
    close(): void {}
  }

  it('signs in with the token and hands on the messages it knows, skipping the rest', () => {
    vi.stubGlobal('WebSocket', FakeSocket);
    try {
      const client = new TandemClient({ nodes: ['http://10.0.0.11:8088'], token: 'secret' });
      const received: LiveMessage[] = [];
      const stop = client.subscribe((message) => received.push(message));
      const socket = FakeSocket.last!;
      expect(socket.url).toBe('ws://10.0.0.11:8088/api/live');
      socket.onopen?.();
      expect(socket.sent).toEqual(['{"type":"auth","token":"secret"}']);
      socket.onmessage?.({ data: '{"type":"weather","sky":"blue"}' });
      socket.onmessage?.({ data: 'not json' });
      socket.onmessage?.({ data: '{"type":"values","values":[{"name":"a","value":1},{"value":2}]}' });
      expect(received).toEqual([{ type: 'values', values: [{ name: 'a', value: 1 }] }]);
      stop();
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
