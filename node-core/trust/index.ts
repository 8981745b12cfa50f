export { describeCertificate, fingerprintOfDer } from './certificate-info.ts';
export type { CertificateInfo } from './certificate-info.ts';
export { CERT_FILE, IdentityError, KEY_FILE, loadOrCreateIdentity } from './identity.ts';
export type { Identity } from './identity.ts';
