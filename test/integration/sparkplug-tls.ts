/**
 * Certificates for a TLS broker, made by the test with @peculiar/x509 (the library node-core/trust uses):
 * a CA, the broker's certificate for 127.0.0.1 and a client certificate, both signed by the CA, written as
 * PEM files. A second, unrelated CA stands for a wrong `--mqtt-ca`.
 */
import 'reflect-metadata';
import { KeyObject, webcrypto } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as x509 from '@peculiar/x509';

// Node's webcrypto is the DOM Crypto at run time; passed untyped as node-core/trust/identity.ts does.
const crypto = webcrypto as never;
const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;

interface Issued {
  readonly cert: x509.X509Certificate;
  readonly keys: webcrypto.CryptoKeyPair;
}

async function keyPair(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ECDSA, true, ['sign', 'verify']);
}

async function makeCa(name: string): Promise<Issued> {
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: `CN=${name}`,
      keys,
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      ],
    },
    crypto,
  );
  return { cert, keys };
}

async function issue(ca: Issued, name: string, usage: 'server' | 'client'): Promise<Issued> {
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.create(
    {
      subject: `CN=${name}`,
      issuer: ca.cert.subject,
      publicKey: keys.publicKey,
      signingKey: ca.keys.privateKey,
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.ExtendedKeyUsageExtension([
          usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth,
        ]),
        ...(usage === 'server'
          ? [new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }])]
          : []),
      ],
    },
    crypto,
  );
  return { cert, keys };
}

export interface TlsFiles {
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** A CA that signed none of these. */
  readonly otherCa: string;
}

/** Writes the certificates and keys into `dir` and answers their paths. */
export async function makeTlsFiles(dir: string): Promise<TlsFiles> {
  const ca = await makeCa('Tandem test MQTT CA');
  const other = await makeCa('Some other CA');
  const server = await issue(ca, '127.0.0.1', 'server');
  const client = await issue(ca, 'line-1 edge node', 'client');
  const write = (name: string, text: string): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text.endsWith('\n') ? text : `${text}\n`, { mode: 0o600 });
    return file;
  };
  const keyPem = (keys: webcrypto.CryptoKeyPair): string =>
    KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    ca: write('ca.pem', ca.cert.toString('pem')),
    serverCert: write('server.pem', server.cert.toString('pem')),
    serverKey: write('server-key.pem', keyPem(server.keys)),
    clientCert: write('client.pem', client.cert.toString('pem')),
    clientKey: write('client-key.pem', keyPem(client.keys)),
    otherCa: write('other-ca.pem', other.cert.toString('pem')),
  };
}
