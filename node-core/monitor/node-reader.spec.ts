import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer } from 'ws';
import { ManualClock, type Clock } from '../clock/index.ts';
import { NodeReader, type MonitorTiming } from './node-reader.ts';

const TIMING: MonitorTiming = {
  requestTimeoutMs: 2000,
  staleMs: 3333,
  pollMs: 777,
  retryBaseMs: 250,
  retryMaxMs: 5000,
  refreshMs: 99_999,
};

/**
 * A node's live socket that answers the token with a status while `up`, and otherwise drops each connection
 * as it comes (the reader sees "connection reset": unreachable).
 */
async function fakeNode(): Promise<{
  url: string;
  up: boolean;
  drop: () => void;
  close: () => Promise<void>;
}> {
  const server = http.createServer((_request, response) => {
    response.statusCode = 503;
    response.end();
  });
  const live = new WebSocketServer({ noServer: true });
  const node = {
    url: '',
    up: false,
    drop: () => {
      for (const ws of live.clients) ws.terminate();
    },
    close: () => Promise.resolve(),
  };
  server.on('upgrade', (request, socket, head) => {
    if (!node.up) return void socket.destroy();
    live.handleUpgrade(request, socket, head, (ws) =>
      ws.once('message', () =>
        ws.send(JSON.stringify({ type: 'status', status: { node: { status: 'active' } } })),
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  node.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  node.close = () =>
    new Promise((resolve) => {
      node.drop();
      server.close(() => resolve());
    });
  return node;
}

describe('NodeReader: retries of a node that does not answer', () => {
  let stop = (): Promise<void> => Promise.resolve();
  afterEach(() => stop());

  it('wait longer each time in a row, up to the ceiling, spread by the random source, and start over once it answers', async () => {
    const node = await fakeNode();
    const manual = new ManualClock();
    const retries: number[] = [];
    // The clock's timers, noting each retry's pause (the stale, poll and refresh timers have pauses of their own).
    const clock: Clock = {
      now: () => manual.now(),
      setTimeout: (callback, delayMs) => {
        if (![TIMING.pollMs, TIMING.staleMs, TIMING.refreshMs].includes(delayMs)) retries.push(delayMs);
        return manual.setTimeout(callback, delayMs);
      },
      clearTimeout: (handle) => manual.clearTimeout(handle),
    };
    const draws = [0, 0.999_999];
    const reader = new NodeReader(
      { url: node.url, token: 't', tokenFile: null, fingerprint: null },
      TIMING,
      () => manual.now(),
      () => undefined,
      { clock, random: () => draws.shift() ?? 0.5 },
    );
    stop = async () => {
      reader.stop();
      await node.close();
    };
    reader.start();
    // Each failure schedules the next try; the manual clock runs it.
    const failures = async (count: number): Promise<void> => {
      for (let i = 0; i < count; i++) {
        const before = retries.length;
        if (i > 0 || before > 0) manual.advance(retries.at(-1)!);
        await vi.waitFor(() => expect(retries.length).toBe(before + 1), { timeout: 10_000 });
      }
    };
    await failures(7);
    // 250 ms doubling to the 5 s ceiling; the first two drawn low and high (±25 %).
    expect(retries).toEqual([188, 625, 1000, 2000, 4000, 5000, 5000]);
    expect(reader.reach).toBe('unreachable');

    node.up = true;
    manual.advance(retries.at(-1)!);
    await vi.waitFor(() => expect(reader.answering).toBe(true), { timeout: 10_000 });
    // The node goes away again: the first pause is the shortest again.
    node.up = false;
    node.drop();
    await vi.waitFor(() => expect(retries.length).toBe(8), { timeout: 10_000 });
    expect(retries.at(-1)).toBe(250);
  }, 30_000);

  it('a node that answers HTTP but offers no live socket is polled for its status', async () => {
    const server = http.createServer((request, response) => {
      response.setHeader('content-type', 'application/json');
      if (request.url === '/api/status') response.end(JSON.stringify({ node: { status: 'standby' } }));
      else response.end('[]');
    });
    // A proxy or an older node: the live socket's upgrade is answered 404.
    server.on('upgrade', (_request, socket) =>
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const manual = new ManualClock();
    const reader = new NodeReader(
      {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        token: 't',
        tokenFile: null,
        fingerprint: null,
      },
      TIMING,
      () => manual.now(),
      () => undefined,
      { clock: manual, random: () => 0.5 },
    );
    stop = async () => {
      reader.stop();
      await new Promise((resolve) => server.close(resolve));
    };
    reader.start();
    // The refused socket counts as a failed attempt; the next one polls.
    await vi.waitFor(() => expect(reader.problem).toBe('live socket refused (404)'), { timeout: 10_000 });
    manual.advance(TIMING.retryBaseMs);
    await vi.waitFor(() => expect(reader.answering).toBe(true), { timeout: 10_000 });
    expect(reader.via).toBe('poll');
    expect(reader.status?.node.status).toBe('standby');
  }, 30_000);
});
