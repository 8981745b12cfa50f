import { describe, expect, it } from 'vitest';
import { TandemClient } from './tandem-client.ts';

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
