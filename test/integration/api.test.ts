import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ANY_PORT, NodeProcess, tempDir } from './harness.ts';

let node: NodeProcess;

beforeAll(async () => {
  node = new NodeProcess(tempDir('api'), ANY_PORT, ['--name', 'api-test']);
  await node.start();
});
afterAll(async () => {
  await node.kill('SIGTERM');
});

/**
 * A POST that declares a body of `length` bytes and sends only its first bytes. The node refuses on the
 * declared length before reading; sending all of it would race the node closing the socket after its answer
 * (EPIPE on this side, which fetch reports instead of the answer).
 */
function postDeclaringLength(path: string, length: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port: node.apiPort,
        path,
        method: 'POST',
        headers: {
          authorization: `Bearer ${node.token}`,
          'content-type': 'application/json',
          'content-length': String(length),
        },
      },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
        request.destroy();
      },
    );
    request.on('error', reject);
    request.write('{"pad":"');
  });
}

/** Raw request, so that the Host header can be what an attacker's page would send. */
function rawGet(path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port: node.apiPort, path, headers }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
  });
}

describe('the API of contract.md', () => {
  it('an independent node is active and shows itself with no peer', async () => {
    const { status, body } = await node.api<{
      node: { status: string; mode: string; fingerprint: string };
      peer: unknown;
      licenseMatch: string;
    }>('GET', '/api/status');
    expect(status).toBe(200);
    expect(body.node.status).toBe('active');
    expect(body.node.mode).toBe('independent');
    expect(body.node.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(body.peer).toBeNull();
    expect(body.licenseMatch).toBe('unknown');
  });

  it('no token or a wrong one: 401 and nothing done', async () => {
    expect((await node.api('GET', '/api/status', undefined, { authorization: '' })).status).toBe(401);
    expect(
      (await node.api('GET', '/api/status', undefined, { authorization: 'Bearer wrong-token' })).status,
    ).toBe(401);
    const before = await node.events();
    const switchover = await node.api('POST', '/api/redundancy/switchover', undefined, {
      authorization: 'Bearer nope',
    });
    expect(switchover.status).toBe(401);
    expect(await node.events()).toEqual(before);
    expect((await node.api('GET', '/metrics', undefined, { authorization: '' })).status).toBe(401);
  });

  it('TANDEM_ADMIN_TOKEN given at start replaces the token file', async () => {
    const other = new NodeProcess(tempDir('env-token'), ANY_PORT, []);
    process.env['TANDEM_ADMIN_TOKEN'] = 'a-token-from-the-environment-1234';
    try {
      await other.start();
    } finally {
      delete process.env['TANDEM_ADMIN_TOKEN'];
    }
    expect(other.token).toBe('a-token-from-the-environment-1234');
    expect((await other.api('GET', '/api/status')).status).toBe(200);
    await other.kill('SIGTERM');
  });

  it('a Host header naming another site (DNS rebinding) is refused', async () => {
    const auth = { authorization: `Bearer ${node.token}` };
    expect(await rawGet('/api/status', { ...auth, host: 'evil.example:80' })).toBe(421);
    expect(await rawGet('/api/status', { ...auth, host: `localhost:${node.apiPort}` })).toBe(200);
    expect(await rawGet('/api/status', { ...auth, host: `127.0.0.1:${node.apiPort}` })).toBe(200);
  });

  it('a bad fingerprint gets 400 naming the field; an unknown one 404', async () => {
    const bad = await node.api<{ error: { message: string } }>('POST', '/api/certificates/XYZ/approve');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('fingerprint');
    const unknown = await node.api('POST', `/api/certificates/${'a'.repeat(64)}/approve`);
    expect(unknown.status).toBe(404);
  });

  it('a body over the limit gets 413 and malformed JSON 400', async () => {
    expect(await postDeclaringLength('/api/redundancy/switchover', 2 * 1024 * 1024)).toBe(413);
    const malformed = await node.api('POST', '/api/redundancy/switchover', '{"oops":');
    expect(malformed.status).toBe(400);
  });

  it('GET /metrics answers Prometheus text with status and epoch', async () => {
    const { status, body } = await node.api<string>('GET', '/metrics');
    expect(status).toBe(200);
    expect(body).toContain('tandem_node_status{status="active"} 1');
    expect(body).toMatch(/tandem_epoch \d+/);
    expect(body).toContain('tandem_failovers_total');
    expect(body).toContain('tandem_heartbeat_rtt_seconds');
  });

  it('failover history: JSON newest first and CSV export', async () => {
    const events = await node.events();
    expect(events[0]?.kind).toBe('role-change');
    expect(events[0]?.reason).toBe('started independent');
    const csv = await node.api<string>('GET', '/api/events.csv');
    expect(csv.status).toBe(200);
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('at,kind,node,nodeId,from,to,reason,durationMs');
    expect(lines[1]).toContain('role-change,independent');
  });

  it('/api/live pushes status after the token message, and refuses a foreign Origin', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${node.apiPort}/api/live`);
    const first = await new Promise<{ type: string; status: { node: { status: string } } }>(
      (resolve, reject) => {
        ws.once('open', () => ws.send(JSON.stringify({ type: 'auth', token: node.token })));
        ws.once('message', (data) =>
          resolve(
            JSON.parse((data as Buffer).toString()) as { type: string; status: { node: { status: string } } },
          ),
        );
        ws.once('error', reject);
      },
    );
    expect(first.type).toBe('status');
    expect(first.status.node.status).toBe('active');
    ws.close();

    const foreign = new WebSocket(`ws://127.0.0.1:${node.apiPort}/api/live`, {
      origin: 'http://evil.example',
    });
    const refused = await new Promise<string>((resolve) => {
      foreign.once('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      foreign.once('error', (e) => resolve(e.message));
    });
    expect(refused).toContain('403');

    const wrong = new WebSocket(`ws://127.0.0.1:${node.apiPort}/api/live`);
    const code = await new Promise<number>((resolve) => {
      wrong.once('open', () => wrong.send(JSON.stringify({ type: 'auth', token: 'wrong' })));
      wrong.once('close', (c) => resolve(c));
    });
    expect(code).toBe(4401);
  });
});
