import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeCertificate, fingerprintOfDer } from './certificate-info.ts';
import { loadOrCreateIdentity, type Identity } from './identity.ts';

describe('fingerprintOfDer', () => {
  it('is the SHA-256 of the bytes in lower-case hex without colons', () => {
    expect(fingerprintOfDer(Buffer.from('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});

describe('describeCertificate', () => {
  let dir: string;
  let identity: Identity;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tandem-cert-info-'));
    identity = await loadOrCreateIdentity(dir, 'node-a');
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads fingerprint, subject and validity from PEM', () => {
    const node = new X509Certificate(identity.certPem);
    const info = describeCertificate(identity.certPem);

    expect(info).toEqual({
      fingerprint: node.fingerprint256.replaceAll(':', '').toLowerCase(),
      subject: 'CN=node-a, O=Tandem',
      notBefore: node.validFromDate.toISOString(),
      notAfter: node.validToDate.toISOString(),
    });
    expect(info.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(info.notBefore).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('gives the same answer for the DER bytes', () => {
    const der = new X509Certificate(identity.certPem).raw;
    expect(describeCertificate(der)).toEqual(describeCertificate(identity.certPem));
    expect(describeCertificate(der).fingerprint).toBe(fingerprintOfDer(der));
  });

  it('keeps special characters of the subject escaped on one line', async () => {
    const odd = await loadOrCreateIdentity(join(dir, 'odd'), 'plant, line "2"\nsouth');
    expect(odd.info.subject).toBe('CN=plant\\, line \\"2\\"\\0Asouth, O=Tandem');
  });

  it('throws for text that is not a certificate', () => {
    expect(() => describeCertificate('not a certificate')).toThrow();
    expect(() => describeCertificate(Buffer.from([1, 2, 3]))).toThrow();
  });
});
