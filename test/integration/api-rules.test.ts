/**
 * What a caller sees at the API's edges (issue 14, item 8): long names, names a URL cannot hold, a command uid
 * reused for another command, and wrong bearer tokens again and again.
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANY_PORT, NodeProcess, tempDir } from './harness.ts';

let node: NodeProcess;

beforeAll(async () => {
  node = new NodeProcess(tempDir('api-rules'), ANY_PORT, ['--name', 'api-rules-test']);
  await node.start();
});
afterAll(async () => {
  await node.kill('SIGTERM');
});

interface Problem {
  error: { code: string; message: string };
}

/**
 * A request sent as it is written: the path is not resolved (`..` stays), and it leaves from `from`, one of
 * the machine's loopback addresses, so that each test is its own remote address to the node's limits.
 */
function raw(
  method: string,
  path: string,
  options: { body?: unknown; token?: string | null; from?: string } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: unknown }> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const token = options.token === undefined ? node.token : options.token;
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port: node.apiPort,
        method,
        path,
        localAddress: options.from ?? '127.0.0.1',
        headers: {
          ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: parsed });
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

const memoryTag = { dataType: 'float', source: { kind: 'memory' } };

describe('names of up to 200 characters, as the rule says', () => {
  it('a 200-character name works end to end: define, read, write, list, delete', async () => {
    const name = `line1/${'a'.repeat(100)}/${'b'.repeat(93)}`;
    expect(name).toHaveLength(200);
    const encoded = encodeURIComponent(name);
    expect((await node.api('PUT', `/api/config/tags/${encoded}`, memoryTag)).status).toBe(200);
    expect((await node.api('GET', `/api/config/tags/${encoded}`)).body).toEqual({ name, ...memoryTag });
    const write = await node.api('POST', `/api/tags/${encoded}/write`, { value: 4.5, uid: 'long-1' });
    expect(write).toEqual({ status: 200, body: { ok: true, uid: 'long-1', executed: true } });
    expect((await node.api('GET', `/api/tags/${encoded}`)).body).toMatchObject({ name, value: 4.5 });
    expect((await node.api('GET', `/api/history/${encoded}`)).status).toBe(200);
    expect((await node.api('DELETE', `/api/config/tags/${encoded}`)).body).toEqual({ name, deleted: true });
    expect((await node.api('GET', `/api/tags/${encoded}`)).status).toBe(404);
  });

  it('devices and alarm rules take 200-character names too', async () => {
    const name = 'd'.repeat(200);
    const device = { protocol: 'modbus-tcp', host: '127.0.0.1', port: 1502, unitId: 1, pollRateMs: 1000 };
    const put = await node.api('PUT', `/api/config/devices/${name}`, device);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect((await node.api('DELETE', `/api/config/devices/${name}`)).status).toBe(200);
    const rule = { tag: 'somewhere', condition: 'high', threshold: 5 };
    expect((await node.api('PUT', `/api/config/alarm-rules/${name}`, rule)).status).toBe(200);
    expect((await node.api('DELETE', `/api/config/alarm-rules/${name}`)).status).toBe(200);
  });

  it('a 201-character name is refused with 400 naming the field, on every route', async () => {
    const name = 'a'.repeat(201);
    const put = await node.api<Problem>('PUT', `/api/config/tags/${name}`, memoryTag);
    expect(put.status).toBe(400);
    expect(put.body.error.message).toBe('name: must be 1–200 characters (this one has 201)');
    for (const [method, route, body] of [
      ['GET', `/api/config/tags/${name}`, undefined],
      ['DELETE', `/api/config/tags/${name}`, undefined],
      ['GET', `/api/tags/${name}`, undefined],
      ['POST', `/api/tags/${name}/write`, { value: 1 }],
    ] as const) {
      const answer = await node.api<Problem>(method, route, body);
      expect(answer.status, `${method} ${route}`).toBe(400);
      expect(answer.body.error.message).toMatch(/^name: /);
    }
  });
});

describe('names a URL cannot address', () => {
  it('"." and ".." and names with an empty part are refused with 400 naming the rule', async () => {
    // Sent as written: a client would resolve `/api/config/tags/..` to `/api/config/` (so would `%2E%2E`).
    for (const [path, rule] of [
      ['%2E%2E', 'no part of a name may be "." or ".."'],
      ['..', 'no part of a name may be "." or ".."'],
      ['%2E', 'no part of a name may be "." or ".."'],
      ['line1%2F..', 'no part of a name may be "." or ".."'],
      ['line1%2F.%2Fspeed', 'no part of a name may be "." or ".."'],
      ['%2Fline1', 'may not start or end with "/" or hold "//"'],
      ['line1%2F', 'may not start or end with "/" or hold "//"'],
      ['line1%2F%2Fspeed', 'may not start or end with "/" or hold "//"'],
    ]) {
      for (const kind of ['tags', 'devices', 'alarm-rules']) {
        const answer = await raw('PUT', `/api/config/${kind}/${path}`, { body: memoryTag });
        expect(answer.status, `${kind} ${path}: ${JSON.stringify(answer.body)}`).toBe(400);
        expect((answer.body as Problem).error.message).toContain(`name: ${rule}`);
      }
    }
    expect((await node.api<unknown[]>('GET', '/api/config/tags')).body).toEqual([]);
  });

  it('dots inside a name and single slashes between parts stay valid', async () => {
    for (const name of ['line1/pump.speed', 'a..b', '.hidden', 'x/.y/z.', '...']) {
      const put = await node.api('PUT', `/api/config/tags/${encodeURIComponent(name)}`, memoryTag);
      expect(put.status, name).toBe(200);
      expect((await node.api('DELETE', `/api/config/tags/${encodeURIComponent(name)}`)).status).toBe(200);
    }
  });
});

describe('a command uid used again', () => {
  it('for the same command: 200, not executed, the first result; for another: 409 naming the first use', async () => {
    await node.api('PUT', '/api/config/tags/valve.setpoint', memoryTag);
    await node.api('PUT', '/api/config/tags/valve.limit', memoryTag);
    const before = Date.now();
    const first = await node.api('POST', '/api/tags/valve.setpoint/write', { value: 10, uid: 'cmd-7' });
    expect(first.body).toEqual({ ok: true, uid: 'cmd-7', executed: true });
    const same = await node.api('POST', '/api/tags/valve.setpoint/write', { value: 10, uid: 'cmd-7' });
    expect(same).toEqual({ status: 200, body: { ok: true, uid: 'cmd-7', executed: false } });

    for (const [route, body, what] of [
      ['/api/tags/valve.setpoint/write', { value: 99, uid: 'cmd-7' }, 'write 99 to tag "valve.setpoint"'],
      ['/api/tags/valve.limit/write', { value: 10, uid: 'cmd-7' }, 'write 10 to tag "valve.limit"'],
      ['/api/alarms/valve.high/ack', { by: 'night shift', uid: 'cmd-7' }, 'acknowledge alarm "valve.high"'],
    ] as const) {
      const reused = await node.api<Problem>('POST', route, body);
      expect(reused.status, route).toBe(409);
      expect(reused.body.error.code).toBe('UID_REUSED');
      const match =
        /^uid "cmd-7" was used at (\S+) to write 10 to tag "valve\.setpoint"; this request would (.+): give each command a uid of its own$/.exec(
          reused.body.error.message,
        );
      expect(match, reused.body.error.message).not.toBeNull();
      expect(Date.parse(match![1]!)).toBeGreaterThanOrEqual(before - 1000);
      expect(match![2]).toContain(what);
    }
    // Nothing ran: the value is the first command's.
    expect((await node.api('GET', '/api/tags/valve.setpoint')).body).toMatchObject({ value: 10 });
    expect((await node.api('GET', '/api/tags/valve.limit')).body).toMatchObject({ value: null });
  });
});

describe('wrong bearer tokens, limited like failed logins', () => {
  it('5 wrong tokens from one address in a minute: 429 with Retry-After for any token, other addresses unaffected', async () => {
    const from = '127.0.0.2';
    for (let i = 0; i < 5; i++) {
      const answer = await raw('GET', '/api/status', { token: `guess-${i}`, from });
      expect(answer.status, `guess ${i}`).toBe(401);
    }
    for (const token of ['guess-5', node.token]) {
      const answer = await raw('GET', '/api/status', { token, from });
      expect(answer.status).toBe(429);
      const seconds = Number(answer.headers['retry-after']);
      expect(seconds).toBeGreaterThan(0);
      expect(seconds).toBeLessThanOrEqual(60);
      expect((answer.body as Problem).error).toEqual({
        code: 'TOO_MANY_ATTEMPTS',
        message: `too many wrong tokens from this address; try again in ${seconds} s`,
      });
    }
    expect((await raw('GET', '/api/status', { from: '127.0.0.3' })).status).toBe(200);
  });

  it('the same wrong token again (a tab whose session ended) counts once; no token is no guess', async () => {
    const from = '127.0.0.4';
    for (let i = 0; i < 20; i++) {
      expect((await raw('GET', '/api/tags', { token: 'ended-session-token', from })).status).toBe(401);
      expect((await raw('GET', '/api/tags', { token: null, from })).status).toBe(401);
    }
    expect((await raw('GET', '/api/status', { from })).status).toBe(200);
  });
});

/** `bytes` on a socket of their own; everything the node sends back until it closes. */
function rawBytes(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(node.apiPort, '127.0.0.1', () => socket.end(bytes));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('every error answer in the shape { error: { code, message } }', () => {
  it('an unknown route, a URL that is no percent-encoding, bytes that are no HTTP', async () => {
    expect(await node.api('GET', '/api/nothing-here?x=1')).toEqual({
      status: 404,
      body: { error: { code: 'NOT_FOUND', message: 'no route GET /api/nothing-here' } },
    });
    expect(await node.api('PATCH', '/api/tags')).toMatchObject({
      status: 404,
      body: { error: { code: 'NOT_FOUND' } },
    });
    const badUrl = await raw('GET', '/api/tags/%zz');
    expect(badUrl.status).toBe(400);
    expect((badUrl.body as Problem).error.code).toBe('BAD_URL');

    const notHttp = await rawBytes('GET /api/status HTTP/9\r\nhost: 127.0.0.1\r\n\r\n');
    expect(notHttp).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(notHttp).toContain('\r\nConnection: close\r\n');
    expect(JSON.parse(notHttp.slice(notHttp.indexOf('\r\n\r\n') + 4))).toEqual({
      error: { code: 'BAD_REQUEST', message: 'the request is not valid HTTP' },
    });
    // No body after an answer to HEAD: a client would read it as the start of its next answer.
    const head = await rawBytes('HEAD /api/status HTTP/9\r\nhost: 127.0.0.1\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[^]*\r\n\r\n$/);
  });
});
