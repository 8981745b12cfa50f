import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { freePort, makePair, tempDir, waitFor, type Pair } from './harness.ts';
import { TcpProxy } from './tcp-proxy.ts';
import type { CertificateRecord } from '../../node-core/dto.ts';

let pair: Pair | null = null;
const closeAfter: (() => Promise<void>)[] = [];
afterEach(async () => {
  await pair?.stop();
  pair = null;
  for (const close of closeAfter.splice(0)) await close();
});

async function pending(node: Pair['master']): Promise<CertificateRecord> {
  return waitFor(
    async () =>
      (await node.api<CertificateRecord[]>('GET', '/api/certificates')).body.find(
        (c) => c.state === 'pending',
      ),
    15_000,
    'a pending certificate',
  );
}

describe('Trust', () => {
  it('an untrusted peer is pending with its fingerprint until approved on each node, then the pair forms', async () => {
    pair = await makePair([], [], { trusted: false });
    await pair.master.start();
    await pair.backup.start();
    const atMaster = await pending(pair.master);
    const backupStatus = await pair.backup.waitStatus(
      (s) => s.peer?.link === 'pending-approval',
      'backup shows pending',
    );
    expect(atMaster.fingerprint).toBe(backupStatus.node.fingerprint);
    expect(atMaster.subject).toContain('CN=Tandem line-1');
    expect(Date.parse(atMaster.notAfter)).toBeGreaterThan(Date.now());
    // Nothing but the handshake passes: the backup has not seen the master's hello, so no status.
    expect(backupStatus.peer?.status).toBeNull();
    const events = await pair.master.events();
    expect(
      events.some((e) => e.kind === 'certificate-pending' && e.reason.includes(atMaster.fingerprint)),
    ).toBe(true);

    const approved = await pair.master.api<{ state: string }>(
      'POST',
      `/api/certificates/${atMaster.fingerprint}/approve`,
    );
    expect(approved.body.state).toBe('trusted');
    const atBackup = await pending(pair.backup);
    await pair.backup.api('POST', `/api/certificates/${atBackup.fingerprint}/approve`);
    await pair.backup.waitStatus(
      (s) => s.peer?.link === 'connected' && s.node.status === 'standby',
      'pair formed',
    );
    expect((await pair.master.events()).some((e) => e.kind === 'certificate-approved')).toBe(true);
  });

  it('trust: a backup waiting for certificate approval stays standby while its master answers (no dual active)', async () => {
    // The backup dials through a proxy that counts its attempts: each is answered "waiting for approval".
    const peerPort = await freePort();
    const proxy = await TcpProxy.start(peerPort);
    closeAfter.push(() => proxy.close());
    pair = await makePair([], [], { trusted: false, peerPort, dialPort: proxy.port });
    await pair.master.start();
    await pair.backup.start();
    await pair.master.waitStatus((s) => s.node.status === 'active', 'master active after connection wait');
    await pair.backup.waitStatus((s) => s.peer?.link === 'pending-approval', 'backup shows pending');
    // Several failover times (FAST: 600 ms) pass without the backup taking over: it re-dials every ping
    // interval (100 ms), so thirty more attempts are at least three seconds of its own time.
    const dialled = proxy.connections;
    await waitFor(() => (proxy.connections >= dialled + 30 ? true : undefined), 30_000, 'thirty more dials');
    const backup = await pair.backup.status();
    expect(backup?.node.status).toBe('standby');
    expect(backup?.peer?.link).toBe('pending-approval');
    expect((await pair.backup.events()).some((e) => e.kind === 'role-change' && e.to === 'active')).toBe(
      false,
    );
  });

  it('a rejected certificate stays rejected, and its peer shows that it was rejected', async () => {
    pair = await makePair([], [], { trusted: false });
    await pair.master.start();
    await pair.backup.start();
    const atMaster = await pending(pair.master);
    expect(
      (await pair.master.api<{ state: string }>('POST', `/api/certificates/${atMaster.fingerprint}/reject`))
        .body.state,
    ).toBe('rejected');
    expect(
      (await pair.master.api<{ state: string }>('POST', `/api/certificates/${atMaster.fingerprint}/approve`))
        .body.state,
    ).toBe('rejected');
    const atBackup = await pending(pair.backup);
    await pair.backup.api('POST', `/api/certificates/${atBackup.fingerprint}/approve`);
    await pair.backup.waitStatus((s) => s.peer?.link === 'rejected', 'backup told it was rejected');
    expect((await pair.master.status())?.peer?.link).not.toBe('connected');
  });

  it('a client without an approved certificate, or raw garbage on the peer port, never crashes the node', async () => {
    pair = await makePair();
    await pair.master.start();
    // A client that presents no approved certificate is refused before anything is read.
    const intruder = new WebSocket(`wss://127.0.0.1:${pair.peerPort}/peer`, { rejectUnauthorized: false });
    const closeCode = await new Promise<number>((resolve) => {
      intruder.once('close', (code) => resolve(code));
      intruder.once('error', () => undefined);
    });
    expect([4401, 4403]).toContain(closeCode);
    // Raw garbage on the TLS port.
    const socket = tls.connect({ host: '127.0.0.1', port: pair.peerPort, rejectUnauthorized: false });
    await new Promise<void>((resolve) => socket.once('secureConnect', () => resolve()));
    socket.write(
      'GET /peer HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\u0000\u0001garbage',
    );
    // The node answers 400 and closes the connection, then still pairs.
    socket.on('error', () => undefined);
    socket.resume();
    await new Promise((resolve) => socket.once('close', resolve));
    await pair.backup.start();
    await pair.backup.waitStatus((s) => s.peer?.link === 'connected', 'pair still forms after the garbage');
    expect((await pair.master.status())?.node.status).toBe('active');
  });

  it('license: a mismatch between the nodes is shown with its differences and recorded as an event', async () => {
    const { issueLicense } = await import('../../node-core/license/license.ts');
    const fs = await import('node:fs');
    const path = await import('node:path');
    const key = fs.readFileSync(new URL('../../assets/license/dev-private-key.pem', import.meta.url), 'utf8');
    const file = path.join(tempDir('license'), 'license.json');
    fs.writeFileSync(
      file,
      issueLicense(key, {
        licensee: 'Plant 7',
        modules: ['modbus', 'history'],
        limits: { tags: 5000 },
        issuedAt: new Date().toISOString(),
        expiresAt: null,
      }),
    );
    pair = await makePair(['--license', file]);
    await pair.master.start();
    await pair.backup.start();
    const status = await pair.master.waitStatus((s) => s.peer?.link === 'connected', 'pair formed');
    expect(status.node.license).toMatchObject({
      state: 'valid',
      license: { modules: ['modbus', 'history'] },
    });
    expect(status.licenseMatch).toBe('mismatch');
    expect(status.licenseDifferences.join(' ')).toContain('missing on peer');
    const events = await pair.master.events();
    expect(events.some((e) => e.kind === 'license-mismatch')).toBe(true);
  });
});
