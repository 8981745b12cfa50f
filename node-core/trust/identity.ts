/**
 * The node's own key pair and self-signed certificate (docs/rules.md "Trust 1": each node makes its own on
 * first start). Kept in the data directory as `node-key.pem` (PKCS#8, owner-only) and `node-cert.pem`.
 * Existing key material is never replaced: a half-present or unreadable pair is an error for the operator.
 */
import { createPrivateKey, KeyObject, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata API loaded first.
import { TandemError, UsageError } from '../errors.ts';
import { describeCertificate, type CertificateInfo } from './certificate-info.ts';

/**
 * @peculiar/x509 types its crypto argument with the DOM's Crypto, which Node's webcrypto is at run time; where
 * DOM types are loaded too (the browser tests' program) the two declarations' overloads disagree, and where
 * they are not the DOM type does not exist. So it is passed untyped.
 */
const x509Crypto = webcrypto as never;

export const KEY_FILE = 'node-key.pem';
export const CERT_FILE = 'node-cert.pem';

const VALID_BEFORE_NOW_MS = 24 * 60 * 60 * 1000;
const VALIDITY_YEARS = 20;
const ORGANIZATION = 'Tandem';

export interface Identity {
  readonly keyPem: string;
  readonly certPem: string;
  readonly info: CertificateInfo;
}

/**
 * The identity files are present but unusable (`IDENTITY_CORRUPT`), or cannot be read or written
 * (`IDENTITY_IO`). The message names the file.
 */
export class IdentityError extends TandemError {}

/** Loads the node's identity from `dataDir`, making a key pair and certificate first if there is none. */
export async function loadOrCreateIdentity(dataDir: string, commonName: string): Promise<Identity> {
  if (commonName.trim() === '') throw new UsageError('identity: common name must not be empty');
  const keyPath = join(dataDir, KEY_FILE);
  const certPath = join(dataDir, CERT_FILE);
  const [keyPem, certPem] = await Promise.all([readIfPresent(keyPath), readIfPresent(certPath)]);

  if (keyPem === null && certPem === null) return createIdentity(dataDir, keyPath, certPath, commonName);
  if (keyPem === null) throw missingHalf(keyPath, certPath);
  if (certPem === null) throw missingHalf(certPath, keyPath);
  return parseIdentity(keyPath, keyPem, certPath, certPem);
}

function missingHalf(missing: string, present: string): IdentityError {
  return new IdentityError(
    'IDENTITY_CORRUPT',
    `identity: ${missing} is missing but ${present} exists; restore it or remove both files to make a new identity`,
  );
}

function parseIdentity(keyPath: string, keyPem: string, certPath: string, certPem: string): Identity {
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (cause) {
    throw new IdentityError('IDENTITY_CORRUPT', `identity: ${keyPath} is not a readable private key`, {
      cause,
    });
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (cause) {
    throw new IdentityError('IDENTITY_CORRUPT', `identity: ${certPath} is not a readable certificate`, {
      cause,
    });
  }
  if (!cert.checkPrivateKey(key)) {
    throw new IdentityError(
      'IDENTITY_CORRUPT',
      `identity: ${certPath} does not belong to the key in ${keyPath}`,
    );
  }
  return { keyPem, certPem, info: describeCertificate(certPem) };
}

async function createIdentity(
  dataDir: string,
  keyPath: string,
  certPath: string,
  commonName: string,
): Promise<Identity> {
  const { keyPem, certPem } = await generateSelfSigned(commonName, new Date());
  try {
    await mkdir(dataDir, { recursive: true });
    // Key first: a crash between the two leaves a key without certificate, which is reported, never replaced.
    await writeFileAtomic(keyPath, keyPem, 0o600);
    await writeFileAtomic(certPath, certPem, 0o644);
    await syncDirectory(dataDir);
  } catch (cause) {
    throw new IdentityError('IDENTITY_IO', `identity: cannot write ${keyPath} and ${certPath}`, { cause });
  }
  return { keyPem, certPem, info: describeCertificate(certPem) };
}

async function generateSelfSigned(
  commonName: string,
  now: Date,
): Promise<{ keyPem: string; certPem: string }> {
  // Loaded only when a certificate is made (first start): every later start skips ~100 ms of imports.
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + VALIDITY_YEARS);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      // Typed values: the library would otherwise read quotes and a leading '#' in a plain string as syntax.
      name: new x509.Name([{ CN: [{ utf8String: commonName }] }, { O: [{ utf8String: ORGANIZATION }] }]),
      notBefore: new Date(now.getTime() - VALID_BEFORE_NOW_MS),
      notAfter,
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
          true,
        ),
        new x509.ExtendedKeyUsageExtension([
          x509.ExtendedKeyUsage.serverAuth,
          x509.ExtendedKeyUsage.clientAuth,
        ]),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, x509Crypto),
      ],
    },
    x509Crypto,
  );
  const keyPem = KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }).toString();
  return { keyPem, certPem: withTrailingNewline(cert.toString('pem')) };
}

/** 128 random bits, positive and without a leading zero byte, so the DER integer keeps all 16 bytes. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString('hex');
}

function withTrailingNewline(text: string): string {
  const unix = text.replace(/\r\n/g, '\n');
  return unix.endsWith('\n') ? unix : `${unix}\n`;
}

async function readIfPresent(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    if (isErrnoCode(cause, 'ENOENT')) return null;
    throw new IdentityError('IDENTITY_IO', `identity: cannot read ${path}`, { cause });
  }
}

/** Writes through a temporary file and a rename, so a crash leaves either the whole file or none. */
async function writeFileAtomic(path: string, data: string, mode: number): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Makes the renames durable where the platform allows it (not on Windows, where this is skipped). */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Best effort only.
  } finally {
    await handle?.close();
  }
}

function isErrnoCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
