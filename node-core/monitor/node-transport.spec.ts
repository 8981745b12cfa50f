import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateIdentity, type Identity } from '../trust/index.ts';
import { WebSocketServer } from 'ws';
import { getJson, NodeReadError, openLive } from './node-transport.ts';

let identity: Identity;
let server: https.Server;
let url: string;
const seenTokens: string[] = [];

beforeAll(async () => {
  identity = await loadOrCreateIdentity(
    fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-pin-')),
    'Tandem pinned node',
  );
  server = https.createServer({ key: identity.keyPem, cert: identity.certPem }, (request, response) => {
    seenTokens.push(request.headers.authorization ?? '');
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ ok: true }));
  });
  new WebSocketServer({ server }).on('connection', (ws) => ws.on('message', (m) => ws.send(m)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('a node over https with its certificate pinned', () => {
  it('the pinned certificate: read as usual (a self-signed node certificate needs no CA)', async () => {
    const answer = await getJson(
      { url, token: 'right', fingerprint: identity.info.fingerprint },
      '/api/status',
      2000,
    );
    expect(answer).toEqual({ ok: true });
    expect(seenTokens.at(-1)).toBe('Bearer right');
  });

  it('another certificate: a fingerprint mismatch, and the token never reaches that server', async () => {
    seenTokens.length = 0;
    const read = getJson({ url, token: 'secret', fingerprint: 'ab'.repeat(32) }, '/api/status', 2000);
    await expect(read).rejects.toBeInstanceOf(NodeReadError);
    await expect(read).rejects.toMatchObject({ kind: 'fingerprint-mismatch' });
    await expect(read).rejects.toThrow(/certificate fingerprint [0-9a-f]{16}… is not the pinned abababab/);
    expect(seenTokens).toEqual([]);
  });

  it('the live socket is pinned too: the right certificate opens it, another one fails it before it opens', async () => {
    const right = openLive({ url, token: 't', fingerprint: identity.info.fingerprint }, 2000);
    await new Promise((resolve, reject) => right.once('open', resolve).once('error', reject));
    right.terminate();
    const wrong = openLive({ url, token: 't', fingerprint: 'ab'.repeat(32) }, 2000);
    const error = await new Promise((resolve) =>
      wrong.once('error', resolve).once('open', () => resolve('opened')),
    );
    expect(error).toMatchObject({ kind: 'fingerprint-mismatch' });
  });

  it('nothing listening: connection refused, in words', async () => {
    const closed = https.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(
      getJson({ url: `http://127.0.0.1:${port}`, token: 't', fingerprint: null }, '/', 2000),
    ).rejects.toThrow(/connection refused/);
  });
});
