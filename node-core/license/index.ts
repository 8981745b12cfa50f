export {
  checkLicenseText,
  compareLicenses,
  devPublicKeyUrl,
  issueLicense,
  LicenseError,
  readLicense,
} from './license.ts';
export type { License, LicenseComparison, LicenseState } from './license.ts';
export { PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, runLicenseCommand } from './license-command.ts';
export type { LicenseCommandDeps } from './license-command.ts';
