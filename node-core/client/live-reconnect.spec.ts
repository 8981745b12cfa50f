import { afterEach, describe, expect, it, vi } from 'vitest';
import { TandemClient } from './tandem-client.ts';

/** A WebSocket the spec opens and closes by hand. */
class FakeSocket {
  static opened: FakeSocket[] = [];
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  constructor() {
    FakeSocket.opened.push(this);
  }
  send(): void {}
  close(): void {}
}

describe('TandemClient: the live socket reconnects', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    FakeSocket.opened = [];
  });

  it('pauses longer after each failed attempt in a row, up to the ceiling, spread, and from the start after a success', async () => {
    vi.stubGlobal('WebSocket', FakeSocket);
    const pauses: number[] = [];
    const draws = [0, 0.999_999];
    const client = new TandemClient({
      nodes: ['http://10.0.0.11:8088', 'http://10.0.0.12:8088'],
      token: 'secret',
      retryDelayMs: 100,
      maxRetryDelayMs: 1000,
      random: () => draws.shift() ?? 0.5,
      sleep: (ms) => {
        pauses.push(ms);
        return Promise.resolve();
      },
    });
    const stop = client.subscribe(() => undefined);
    /** The newest socket closes, and the client has paused and dialled again. */
    const lost = async (): Promise<void> => {
      const count = FakeSocket.opened.length;
      FakeSocket.opened.at(-1)!.onclose?.();
      await vi.waitFor(() => expect(FakeSocket.opened).toHaveLength(count + 1));
    };
    for (let i = 0; i < 6; i++) await lost();
    // 100 ms doubling to the 1 s ceiling; the first two drawn low and high (±25 %).
    expect(pauses).toEqual([75, 250, 400, 800, 1000, 1000]);

    FakeSocket.opened.at(-1)!.onopen?.();
    await lost();
    expect(pauses.at(-1)).toBe(100);
    stop();
  });
});
