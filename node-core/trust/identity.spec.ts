import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { once } from 'node:events';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../errors.ts';
import { fingerprintOfDer } from './certificate-info.ts';
import { CERT_FILE, IdentityError, KEY_FILE, loadOrCreateIdentity } from './identity.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('loadOrCreateIdentity', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tandem-identity-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes an ECDSA P-256 key and a self-signed certificate on first call', async () => {
    const before = Date.now();
    const identity = await loadOrCreateIdentity(dir, 'node-a');

    expect(readFileSync(join(dir, KEY_FILE), 'utf8')).toBe(identity.keyPem);
    expect(readFileSync(join(dir, CERT_FILE), 'utf8')).toBe(identity.certPem);
    expect(identity.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(identity.certPem).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]*-----END CERTIFICATE-----\n$/);
    expect(readdirSync(dir).sort()).toEqual([CERT_FILE, KEY_FILE].sort());

    const key = createPrivateKey(identity.keyPem);
    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');

    const cert = new X509Certificate(identity.certPem);
    expect(cert.checkPrivateKey(key)).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.subject).toBe('CN=node-a\nO=Tandem');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage?.sort()).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(cert.validFromDate.getTime()).toBeGreaterThanOrEqual(before - DAY_MS - 1000);
    expect(cert.validFromDate.getTime()).toBeLessThanOrEqual(Date.now() - DAY_MS);
    expect(cert.validToDate.getUTCFullYear() - new Date(before).getUTCFullYear()).toBe(20);

    const parsed = new x509.X509Certificate(identity.certPem);
    const usage = parsed.getExtension(x509.KeyUsagesExtension);
    expect(usage?.usages).toBe(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment);
    expect(parsed.getExtension(x509.BasicConstraintsExtension)?.critical).toBe(true);

    expect(identity.info.subject).toBe('CN=node-a, O=Tandem');
    expect(identity.info.fingerprint).toBe(fingerprintOfDer(cert.raw));
  });

  it.skipIf(process.platform === 'win32')('keeps the private key readable by its owner only', async () => {
    await loadOrCreateIdentity(dir, 'node-a');
    expect(statSync(join(dir, KEY_FILE)).mode & 0o777).toBe(0o600);
  });

  it('creates a missing data directory', async () => {
    const nested = join(dir, 'a', 'b');
    await loadOrCreateIdentity(nested, 'node-a');
    expect(readdirSync(nested).sort()).toEqual([CERT_FILE, KEY_FILE].sort());
  });

  it('loads the existing identity on later calls instead of making a new one', async () => {
    const first = await loadOrCreateIdentity(dir, 'node-a');
    const second = await loadOrCreateIdentity(dir, 'another-name');
    expect(second).toEqual(first);
  });

  it('gives every identity its own key, serial and fingerprint', async () => {
    const a = await loadOrCreateIdentity(join(dir, 'a'), 'node');
    const b = await loadOrCreateIdentity(join(dir, 'b'), 'node');
    expect(b.keyPem).not.toBe(a.keyPem);
    expect(b.info.fingerprint).not.toBe(a.info.fingerprint);
    expect(new X509Certificate(b.certPem).serialNumber).not.toBe(new X509Certificate(a.certPem).serialNumber);
  });

  it('refuses an empty common name', async () => {
    await expect(loadOrCreateIdentity(dir, '  ')).rejects.toBeInstanceOf(UsageError);
    expect(readdirSync(dir)).toEqual([]);
  });

  describe('with damaged key material', () => {
    async function expectCorrupt(naming: string): Promise<void> {
      const error: unknown = await loadOrCreateIdentity(dir, 'node-a').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IdentityError);
      expect((error as IdentityError).code).toBe('IDENTITY_CORRUPT');
      expect((error as IdentityError).message).toContain(join(dir, naming));
    }

    it('throws and keeps the certificate when the key is missing', async () => {
      const { certPem } = await loadOrCreateIdentity(dir, 'node-a');
      unlinkSync(join(dir, KEY_FILE));

      await expectCorrupt(KEY_FILE);
      expect(readdirSync(dir)).toEqual([CERT_FILE]);
      expect(readFileSync(join(dir, CERT_FILE), 'utf8')).toBe(certPem);
    });

    it('throws and keeps the key when the certificate is missing', async () => {
      const { keyPem } = await loadOrCreateIdentity(dir, 'node-a');
      unlinkSync(join(dir, CERT_FILE));

      await expectCorrupt(CERT_FILE);
      expect(readdirSync(dir)).toEqual([KEY_FILE]);
      expect(readFileSync(join(dir, KEY_FILE), 'utf8')).toBe(keyPem);
    });

    it('throws when the key cannot be parsed, and keeps the cause', async () => {
      await loadOrCreateIdentity(dir, 'node-a');
      writeFileSync(join(dir, KEY_FILE), '-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n');

      await expectCorrupt(KEY_FILE);
      const error = (await loadOrCreateIdentity(dir, 'node-a').catch((e: unknown) => e)) as IdentityError;
      expect(error.cause).toBeInstanceOf(Error);
      expect(readFileSync(join(dir, KEY_FILE), 'utf8')).toContain('garbage');
    });

    it('throws when the certificate cannot be parsed', async () => {
      await loadOrCreateIdentity(dir, 'node-a');
      writeFileSync(join(dir, CERT_FILE), 'half a certificate');

      await expectCorrupt(CERT_FILE);
      expect(readFileSync(join(dir, CERT_FILE), 'utf8')).toBe('half a certificate');
    });

    it('throws when key and certificate do not belong together', async () => {
      await loadOrCreateIdentity(dir, 'node-a');
      const other = await loadOrCreateIdentity(join(dir, 'other'), 'node-b');
      writeFileSync(join(dir, CERT_FILE), other.certPem);

      await expectCorrupt(CERT_FILE);
    });
  });

  it('works as key and certificate for mutual TLS', async () => {
    const server = await loadOrCreateIdentity(join(dir, 'server'), 'node-a');
    const client = await loadOrCreateIdentity(join(dir, 'client'), 'node-b');

    const tlsServer = tls.createServer({
      key: server.keyPem,
      cert: server.certPem,
      requestCert: true,
      rejectUnauthorized: false,
    });
    const clientSeenByServer = new Promise<string | null>((resolve) => {
      tlsServer.once('secureConnection', (socket) => {
        const peer = socket.getPeerX509Certificate();
        resolve(peer ? fingerprintOfDer(peer.raw) : null);
        socket.end();
      });
    });
    tlsServer.listen(0, '127.0.0.1');
    await once(tlsServer, 'listening');
    const { port } = tlsServer.address() as AddressInfo;

    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      key: client.keyPem,
      cert: client.certPem,
      rejectUnauthorized: false,
    });
    try {
      await once(socket, 'secureConnect');
      const serverCert = socket.getPeerX509Certificate();
      expect(serverCert && fingerprintOfDer(serverCert.raw)).toBe(server.info.fingerprint);
      expect(await clientSeenByServer).toBe(client.info.fingerprint);
    } finally {
      socket.destroy();
      await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
    }
  });
});
