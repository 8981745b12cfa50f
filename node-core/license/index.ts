export { compareLicenses, devPublicKeyUrl, readLicense } from './license.ts';
export type { LicenseState } from './license.ts';
export { runLicenseCommand } from './license-command.ts';
