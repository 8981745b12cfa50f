import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { systemClock } from '../clock/index.ts';
import { silentLogger } from '../logging.ts';
import { loadOrCreateIdentity, type Identity } from '../trust/index.ts';
import { CloseCode, MAX_FRAME_BYTES, type Hello } from './frames.ts';
import { PeerLink } from './peer-link.ts';

const hello = (mode: 'master' | 'backup'): Hello => ({
  t: 'hello',
  protocol: 1,
  nodeId: `${mode}-id`,
  name: 'pair',
  mode,
  status: 'standby',
  epoch: 0,
  activeSince: null,
  startedAt: new Date().toISOString(),
  version: 'test',
  apiUrl: '',
  license: { state: 'missing' },
});

async function identity(): Promise<Identity> {
  return loadOrCreateIdentity(fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-link-')), 'link test');
}

let listener: PeerLink | null = null;
afterEach(async () => {
  await listener?.close();
  listener = null;
});

async function masterTrusting(peer: Identity): Promise<{ link: PeerLink; states: string[]; port: number }> {
  const own = await identity();
  const states: string[] = [];
  const link = new PeerLink({
    role: 'listen',
    listenHost: '127.0.0.1',
    listenPort: 0,
    masterHost: null,
    masterPort: 0,
    keyPem: own.keyPem,
    certPem: own.certPem,
    redialMs: 100,
    handshakeTimeoutMs: 2000,
    trust: (info) => (info.fingerprint === peer.info.fingerprint ? 'trusted' : 'pending'),
    hello: () => hello('master'),
    checkHello: () => null,
    clock: systemClock,
    logger: silentLogger,
  });
  link.on('state', (state, reason) => states.push(`${state}: ${reason ?? ''}`));
  await link.start();
  listener = link;
  return { link, states, port: link.port! };
}

/** A trusted backup that speaks raw WebSocket, so it can misbehave after the handshake. */
async function rawBackup(peer: Identity, port: number): Promise<WebSocket> {
  const ws = new WebSocket(`wss://127.0.0.1:${port}/peer`, {
    key: peer.keyPem,
    cert: peer.certPem,
    rejectUnauthorized: false,
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify(hello('backup')));
  return ws;
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
}

describe('peer link frames', () => {
  it('a frame that fails its schema closes the link with a logged reason', async () => {
    const backup = await identity();
    const { link, states, port } = await masterTrusting(backup);
    const ws = await rawBackup(backup, port);
    await new Promise<void>((resolve) => link.once('up', () => resolve()));
    const closing = closed(ws);
    ws.send(JSON.stringify({ t: 'state', status: 'flying', epoch: 1, activeSince: null }));
    const { code, reason } = await closing;
    expect(code).toBe(CloseCode.badFrame);
    expect(reason).toContain('status');
    expect(states.at(-1)).toContain('bad frame');
    expect(link.isUp).toBe(false);
  });

  it('a frame that is not JSON closes the link', async () => {
    const backup = await identity();
    const { link, port } = await masterTrusting(backup);
    const ws = await rawBackup(backup, port);
    await new Promise<void>((resolve) => link.once('up', () => resolve()));
    const closing = closed(ws);
    ws.send('{not json');
    expect((await closing).reason).toBe('frame is not JSON');
  });

  it('an oversized frame closes the link (1009) and the node keeps listening', async () => {
    const backup = await identity();
    const { link, port } = await masterTrusting(backup);
    const ws = await rawBackup(backup, port);
    await new Promise<void>((resolve) => link.once('up', () => resolve()));
    const closing = closed(ws);
    ws.send('x'.repeat(MAX_FRAME_BYTES + 1));
    expect((await closing).code).toBe(1009);
    const again = await rawBackup(backup, port);
    await new Promise<void>((resolve) => link.once('up', () => resolve()));
    expect(link.isUp).toBe(true);
    again.close();
  });

  it('a frame before the hello is refused', async () => {
    const backup = await identity();
    const { port } = await masterTrusting(backup);
    const ws = new WebSocket(`wss://127.0.0.1:${port}/peer`, {
      key: backup.keyPem,
      cert: backup.certPem,
      rejectUnauthorized: false,
    });
    await new Promise<void>((resolve) => ws.once('open', () => resolve()));
    const closing = closed(ws);
    ws.send(JSON.stringify({ t: 'ping', seq: 1 }));
    expect((await closing).reason).toBe('expected hello, got ping');
  });
});
