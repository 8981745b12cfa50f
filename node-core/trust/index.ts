export { describeCertificate } from './certificate-info.ts';
export type { CertificateInfo } from './certificate-info.ts';
export { loadOrCreateIdentity } from './identity.ts';
export type { Identity } from './identity.ts';
