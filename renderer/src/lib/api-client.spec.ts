import { describe, expect, it, vi } from 'vitest';
import { failoverEvent, statusView } from '../test/fixtures.ts';
import {
  ApiClient,
  ApiError,
  liveUrl,
  type ClientTimers,
  type LiveConnection,
  type LiveHandlers,
  type LiveSocket,
} from './api-client.ts';

/** Timers that run only when the test says so (style.md 8: tests never sleep). */
class ManualTimers implements ClientTimers {
  time = 1_000_000;
  #next = 1;
  readonly pending = new Map<number, { at: number; callback: () => void }>();
  setTimeout(callback: () => void, ms: number): number {
    const id = this.#next++;
    this.pending.set(id, { at: this.time + ms, callback });
    return id;
  }
  clearTimeout(id: number): void {
    this.pending.delete(id);
  }
  now(): number {
    return this.time;
  }
  random(): number {
    return 0.5;
  }
  /** Moves time on, running every timer that falls due, in order. */
  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    for (;;) {
      const due = [...this.pending.entries()]
        .filter(([, t]) => t.at <= until)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
      await flush();
    }
    this.time = until;
  }
}

class FakeSocket implements LiveSocket {
  readyState = 0;
  sent: string[] = [];
  closedWith: { code?: number | undefined; reason?: string | undefined } | null = null;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  readonly url: string;
  constructor(url: string) {
    this.url = url;
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  receive(message: unknown): void {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(message) }));
  }
  drop(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.onclose?.(new CloseEvent('close', { code, reason }));
  }
}

/** The JSON text a request sent. */
function bodyOf(init: RequestInit | undefined): string {
  if (typeof init?.body !== 'string') throw new Error('expected a JSON body');
  return init.body;
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function setup(
  fetchImpl: (url: string, init?: RequestInit) => Promise<Response> = () => Promise.resolve(json({})),
) {
  const timers = new ManualTimers();
  const sockets: FakeSocket[] = [];
  // The client always fetches a URL string.
  const fetchMock = vi.fn((url: string, init?: RequestInit) => fetchImpl(url, init));
  const client = new ApiClient({
    baseUrl: 'http://127.0.0.1:8088/',
    token: 'secret-token',
    fetch: fetchMock as unknown as typeof fetch,
    createSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    timers,
  });
  const connections: LiveConnection[] = [];
  const handlers = {
    status: vi.fn(),
    event: vi.fn(),
    connection: (c: LiveConnection) => void connections.push(c),
    error: vi.fn(),
  } satisfies LiveHandlers;
  return { client, timers, sockets, fetchMock, handlers, connections };
}

describe('ApiClient requests', () => {
  it('sends the bearer token and answers the parsed body', async () => {
    const { client, fetchMock } = setup(() => Promise.resolve(json(statusView())));
    const status = await client.status();
    expect(status.node.name).toBe('pump-station-4');
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('http://127.0.0.1:8088/api/status');
    expect(new Headers(init?.headers).get('authorization')).toBe('Bearer secret-token');
  });

  it('builds the events query with limit and kinds', async () => {
    const { client, fetchMock } = setup(() => Promise.resolve(json([])));
    await client.events({ limit: 50, kinds: ['role-change', 'split-brain'] });
    expect(fetchMock.mock.calls[0]![0]).toBe(
      'http://127.0.0.1:8088/api/events?limit=50&kind=role-change%2Csplit-brain',
    );
  });

  it('turns an API error body into {status, code, message}', async () => {
    const { client } = setup(() =>
      Promise.resolve(json({ error: { code: 'NOT_FOUND', message: 'no certificate abc' } }, 404)),
    );
    const error = await client.approveCertificate('abc').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).toProblem()).toEqual({
      status: 404,
      code: 'NOT_FOUND',
      message: 'no certificate abc',
    });
  });

  it('keeps the HTTP status when the error body is not JSON', async () => {
    const { client } = setup(() =>
      Promise.resolve(new Response('<html>bad gateway</html>', { status: 502 })),
    );
    const error = (await client.certificates().catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(502);
    expect(error.code).toBe('HTTP_502');
  });

  it('reports a node that does not answer as status 0', async () => {
    const { client } = setup(() => Promise.reject(new TypeError('Failed to fetch')));
    const error = (await client.status().catch((e: unknown) => e)) as ApiError;
    expect(error.toProblem()).toEqual({
      status: 0,
      code: 'UNREACHABLE',
      message: 'the node is not answering',
    });
  });

  it('gives up after the request bound', async () => {
    const { client, timers } = setup(
      (_url, init) =>
        new Promise((_resolve, reject) =>
          init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
        ),
    );
    const answer = client.status().catch((e: unknown) => e);
    await timers.advance(10_000);
    expect(((await answer) as ApiError).code).toBe('TIMEOUT');
  });

  it('posts approve, reject and switch-over to the contract paths', async () => {
    const { client, fetchMock } = setup(() => Promise.resolve(json({ requested: true, status: 'active' })));
    await client.approveCertificate('ab');
    await client.rejectCertificate('cd');
    expect(await client.switchover()).toEqual({ requested: true, status: 'active' });
    expect(fetchMock.mock.calls.map(([url, init]) => `${init?.method} ${url}`)).toEqual([
      'POST http://127.0.0.1:8088/api/certificates/ab/approve',
      'POST http://127.0.0.1:8088/api/certificates/cd/reject',
      'POST http://127.0.0.1:8088/api/redundancy/switchover',
    ]);
  });

  it('downloads the CSV as a blob with the server’s file name', async () => {
    const { client } = setup(() =>
      Promise.resolve(
        new Response('at,kind\r\n', {
          headers: {
            'content-type': 'text/csv',
            'content-disposition': 'attachment; filename="tandem-p4-events.csv"',
          },
        }),
      ),
    );
    const file = await client.eventsCsv();
    expect(file.filename).toBe('tandem-p4-events.csv');
    expect(await file.blob.text()).toBe('at,kind\r\n');
  });
});

describe('ApiClient on a standby (it answers changes with 307 to the active node)', () => {
  it('does not follow the redirect: the browser would send the change to another origin without the token', async () => {
    const { client, fetchMock } = setup(() => Promise.resolve(json({ ok: true, uid: 'u', executed: true })));
    await client.writeTag('pump.speed', 1, 'u');
    expect(fetchMock.mock.calls[0]![1]?.redirect).toBe('manual');
  });

  it("says the node is not the active one, in the standby's own words when they can be read", async () => {
    const { client } = setup(() =>
      Promise.resolve(
        json(
          {
            error: {
              code: 'NOT_ACTIVE',
              message: 'this node is standby; the active node is at http://10.0.0.2:8088',
            },
          },
          307,
        ),
      ),
    );
    const error = (await client.ackAlarm('boiler.hot', 'ann', 'u').catch((e: unknown) => e)) as ApiError;
    expect(error.toProblem()).toEqual({
      status: 307,
      code: 'NOT_ACTIVE',
      message: 'this node is standby; the active node is at http://10.0.0.2:8088',
    });
  });

  it('says the same where the browser hides the redirect (an opaque answer of status 0)', async () => {
    const opaque = { type: 'opaqueredirect', status: 0, ok: false } as Response;
    const { client } = setup(() => Promise.resolve(opaque));
    const error = (await client.reapplyConflict('a:1:2').catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(307);
    expect(error.code).toBe('NOT_ACTIVE');
    expect(error.message).toBe('this node is not the active node: changes are made on the active node');
  });
});

describe('ApiClient conflict set', () => {
  it('lists, re-applies and discards conflicts at the contract paths', async () => {
    const { client, fetchMock } = setup(() => Promise.resolve(json([])));
    await client.conflicts();
    await client.reapplyConflict('node-b:2:17');
    await client.discardConflict('node-b:2:18');
    expect(fetchMock.mock.calls.map(([url, init]) => `${init?.method} ${url}`)).toEqual([
      'GET http://127.0.0.1:8088/api/config/conflicts',
      'POST http://127.0.0.1:8088/api/config/conflicts/node-b%3A2%3A17/reapply',
      'DELETE http://127.0.0.1:8088/api/config/conflicts/node-b%3A2%3A18',
    ]);
  });
});

describe('ApiClient tags, alarms and history', () => {
  it('posts a tag write and an acknowledgement as JSON with their uid', async () => {
    const { client, fetchMock } = setup((_url, init) =>
      Promise.resolve(
        json({ ok: true, uid: (JSON.parse(bodyOf(init)) as { uid: string }).uid, executed: true }),
      ),
    );
    expect(await client.writeTag('line/speed 1', 12.5, 'uid-1')).toEqual({
      ok: true,
      uid: 'uid-1',
      executed: true,
    });
    await client.ackAlarm('boiler.hot', 'night shift', 'uid-2');
    const [writeUrl, writeInit] = fetchMock.mock.calls[0]!;
    expect(`${writeInit?.method} ${writeUrl}`).toBe(
      'POST http://127.0.0.1:8088/api/tags/line%2Fspeed%201/write',
    );
    expect(new Headers(writeInit?.headers).get('content-type')).toBe('application/json');
    expect(JSON.parse(bodyOf(writeInit))).toEqual({ value: 12.5, uid: 'uid-1' });
    const [ackUrl, ackInit] = fetchMock.mock.calls[1]!;
    expect(ackUrl).toBe('http://127.0.0.1:8088/api/alarms/boiler.hot/ack');
    expect(JSON.parse(bodyOf(ackInit))).toEqual({ by: 'night shift', uid: 'uid-2' });
  });

  it('reads tag definitions, all values, alarms and a history range from the contract paths', async () => {
    const { client, fetchMock } = setup(() => Promise.resolve(json([])));
    await client.tagDefinitions();
    await client.tagValues();
    await client.alarms();
    await client.history('boiler.temp', {
      from: '2025-06-01T02:00:00.000Z',
      to: '2025-06-01T03:00:00.000Z',
      maxPoints: 600,
    });
    expect(fetchMock.mock.calls.map(([url, init]) => `${init?.method} ${url}`)).toEqual([
      'GET http://127.0.0.1:8088/api/config/tags',
      'GET http://127.0.0.1:8088/api/tags',
      'GET http://127.0.0.1:8088/api/alarms',
      'GET http://127.0.0.1:8088/api/history/boiler.temp?from=2025-06-01T02%3A00%3A00.000Z&to=2025-06-01T03%3A00%3A00.000Z&maxPoints=600',
    ]);
    expect(fetchMock.mock.calls[0]![1]?.body).toBeUndefined();
  });
});

describe('ApiClient live subscription', () => {
  it('maps the page address to the live WebSocket address', () => {
    expect(liveUrl('http://10.0.0.1:8088')).toBe('ws://10.0.0.1:8088/api/live');
    expect(liveUrl('https://node.plant:443')).toBe('wss://node.plant/api/live');
  });

  it('authenticates first, then passes status and events on', () => {
    const { client, sockets, handlers, connections } = setup();
    const sub = client.live(handlers);
    const socket = sockets[0]!;
    expect(socket.url).toBe('ws://127.0.0.1:8088/api/live');
    socket.open();
    expect(JSON.parse(socket.sent[0]!)).toEqual({ type: 'auth', token: 'secret-token' });

    socket.receive({ type: 'status', status: statusView() });
    expect(connections.at(-1)?.state).toBe('live');
    expect(handlers.status).toHaveBeenCalledOnce();

    const event = failoverEvent();
    socket.receive({ type: 'event', event });
    socket.receive({ type: 'something-else' });
    expect(handlers.event).toHaveBeenCalledWith(event);
    sub.close();
  });

  it('passes tag value batches and alarm lists on', () => {
    const { client, sockets, handlers } = setup();
    const values = vi.fn();
    const alarms = vi.fn();
    const sub = client.live({ ...handlers, values, alarms });
    const socket = sockets[0]!;
    socket.open();
    socket.receive({ type: 'status', status: statusView() });
    const value = { name: 'boiler.temp', value: 71.5, quality: 'good', ts: '2025-06-01T02:59:00.000Z' };
    socket.receive({ type: 'values', values: [value, { broken: true }] });
    socket.receive({ type: 'alarms', alarms: [{ id: 'boiler.hot', active: true }] });
    socket.receive({ type: 'values', values: 'not a list' });
    expect(values).toHaveBeenCalledExactlyOnceWith([value]);
    expect(alarms).toHaveBeenCalledExactlyOnceWith([{ id: 'boiler.hot', active: true }]);
    sub.close();
  });

  it('passes on which kinds of config changed, leaving out kinds it does not know', () => {
    const { client, sockets, handlers } = setup();
    const config = vi.fn();
    const sub = client.live({ ...handlers, config });
    const socket = sockets[0]!;
    socket.open();
    socket.receive({ type: 'status', status: statusView() });
    socket.receive({ type: 'config', kinds: ['tag', 'device', 'recipe'] });
    socket.receive({ type: 'config', kinds: 'tag' });
    expect(config).toHaveBeenCalledExactlyOnceWith(['tag', 'device']);
    sub.close();
  });

  it('reconnects with growing backoff and polls every 2 s while the socket is down', async () => {
    const { client, sockets, handlers, connections, timers, fetchMock } = setup((url) =>
      Promise.resolve(json(url.includes('/api/events') ? [failoverEvent({ id: 'polled' })] : statusView())),
    );
    const sub = client.live(handlers);
    sockets[0]!.drop();
    await flush();

    expect(connections.at(-1)).toMatchObject({
      state: 'unavailable',
      attempt: 1,
      retryAt: timers.time + 1000,
    });
    // The first poll runs at once; the polled event is passed on once only.
    expect(handlers.status).toHaveBeenCalledTimes(1);
    expect(handlers.event).toHaveBeenCalledTimes(1);

    await timers.advance(1000); // reconnect attempt 1
    expect(sockets).toHaveLength(2);
    sockets[1]!.drop();
    await flush();
    expect(connections.at(-1)).toMatchObject({
      state: 'unavailable',
      attempt: 2,
      retryAt: timers.time + 2000,
    });

    await timers.advance(2000); // one poll (2 s) and reconnect attempt 2
    expect(sockets).toHaveLength(3);
    expect(handlers.status).toHaveBeenCalledTimes(2);
    expect(handlers.event).toHaveBeenCalledTimes(1);

    // Back: polling stops, backoff resets.
    sockets[2]!.open();
    sockets[2]!.receive({ type: 'status', status: statusView() });
    expect(connections.at(-1)?.state).toBe('live');
    const polls = fetchMock.mock.calls.length;
    await timers.advance(10_000);
    expect(fetchMock.mock.calls.length).toBe(polls);
    sockets[2]!.drop();
    await flush();
    expect(connections.at(-1)).toMatchObject({ state: 'unavailable', attempt: 1 });
    sub.close();
  });

  it('caps the backoff', async () => {
    const { client, sockets, handlers, connections, timers } = setup(() =>
      Promise.reject(new TypeError('down')),
    );
    const sub = client.live(handlers);
    for (let i = 0; i < 10; i++) {
      sockets.at(-1)!.drop();
      await flush();
      const last = connections.at(-1);
      if (last?.state !== 'unavailable') throw new Error('expected unavailable');
      expect(last.retryAt - timers.time).toBeLessThanOrEqual(30_000);
      await timers.advance(last.retryAt - timers.time);
    }
    expect(handlers.error).toHaveBeenCalled();
    sub.close();
  });

  it('spreads each reconnect pause by a quarter either way, from the injected random source', async () => {
    const { client, sockets, handlers, connections, timers } = setup();
    const draws = [0, 0.999_999];
    timers.random = () => draws.shift() ?? 0.5;
    const sub = client.live(handlers);
    sockets[0]!.drop();
    await flush();
    const first = connections.at(-1);
    if (first?.state !== 'unavailable') throw new Error('expected unavailable');
    expect(first.retryAt - timers.time).toBe(750); // 1 s drawn low
    await timers.advance(750);
    sockets[1]!.drop();
    await flush();
    const second = connections.at(-1);
    if (second?.state !== 'unavailable') throw new Error('expected unavailable');
    expect(second.retryAt - timers.time).toBe(2500); // 2 s drawn high
    sub.close();
  });

  it('stops for good when the node refuses the token', async () => {
    const { client, sockets, handlers, connections, timers } = setup();
    client.live(handlers);
    sockets[0]!.open();
    sockets[0]!.drop(4401, 'missing or wrong token');
    await timers.advance(60_000);
    expect(connections.at(-1)).toEqual({ state: 'unauthorized', reason: 'missing or wrong token' });
    expect(sockets).toHaveLength(1);
    expect(timers.pending.size).toBe(0);
  });

  it('close() is idempotent and leaves no timer or socket behind', async () => {
    const { client, sockets, handlers, connections, timers } = setup(() =>
      Promise.resolve(json(statusView())),
    );
    const sub = client.live(handlers);
    sockets[0]!.drop();
    await flush();
    expect(timers.pending.size).toBeGreaterThan(0);
    sub.close();
    sub.close();
    expect(timers.pending.size).toBe(0);
    expect(connections.filter((c) => c.state === 'closed')).toHaveLength(1);

    const second = client.live(handlers);
    const open = sockets[1]!;
    open.open();
    second.close();
    expect(open.closedWith).toEqual({ code: 1000, reason: 'dashboard closed' });
  });
});
