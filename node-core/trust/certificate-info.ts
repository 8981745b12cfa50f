/**
 * The facts an operator sees about a certificate (docs/rules.md "Trust 2"): SHA-256 fingerprint, subject and
 * validity. Read with Node's own X.509 parser, so the same code describes our certificate and a peer's.
 */
import { createHash, X509Certificate } from 'node:crypto';

export interface CertificateInfo {
  /** SHA-256 of the DER encoding, lower-case hex, no colons. */
  readonly fingerprint: string;
  /** Human readable distinguished name, e.g. `CN=node-a, O=Tandem`. */
  readonly subject: string;
  /** ISO-8601. */
  readonly notBefore: string;
  /** ISO-8601. */
  readonly notAfter: string;
}

/** SHA-256 of a DER-encoded certificate, lower-case hex without colons (contract.md `fingerprint`). */
export function fingerprintOfDer(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}

/** Describes a certificate given as PEM text or DER bytes; throws Node's parse error when it is neither. */
export function describeCertificate(cert: string | Buffer): CertificateInfo {
  const x509 = new X509Certificate(cert);
  return {
    fingerprint: fingerprintOfDer(x509.raw),
    // Node prints one attribute per line; one line reads better in lists and events.
    subject: x509.subject.split('\n').filter(Boolean).join(', '),
    notBefore: x509.validFromDate.toISOString(),
    notAfter: x509.validToDate.toISOString(),
  };
}
