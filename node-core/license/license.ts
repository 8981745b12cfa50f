/**
 * Licenses (docs/rules.md "Trust 3": each node shows its licensed modules and limits, and whether the peer's
 * match). A license file is `{ license, signature }`, the signature being Ed25519 over the canonical JSON
 * of `license` (object keys sorted at every depth). Reading never throws: a bad file is a state to show.
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { TandemError } from '../errors.ts';
import type { License, LicenseState } from '../protocol/license.ts';

// A license and its state are wire shapes (the hello, GET /api/status): one source in protocol/.
export type { License, LicenseState } from '../protocol/license.ts';

export interface LicenseComparison {
  readonly licenseMatch: 'match' | 'mismatch' | 'unknown';
  readonly differences: string[];
}

/** A license that cannot be issued: bad content (`LICENSE_INVALID`) or an unusable key (`LICENSE_KEY`). */
export class LicenseError extends TandemError {}

export { devPublicKeyUrl } from '../paths.ts';

const isoDateTime = z.iso.datetime({ offset: true });

// Strict: every field of a license is signed and means something; an unknown one is not silently dropped.
const licenseSchema = z.strictObject({
  licensee: z.string().refine((value) => value.trim() !== '', 'must not be empty'),
  modules: z
    .array(z.string().min(1))
    .refine((modules) => new Set(modules).size === modules.length, 'must not repeat a module'),
  limits: z.record(z.string().min(1), z.number().int().nonnegative()),
  issuedAt: isoDateTime,
  expiresAt: isoDateTime.nullable(),
}) satisfies z.ZodType<License>;

const licenseFileSchema = z.strictObject({
  license: licenseSchema,
  signature: z.string().min(1),
});

const ED25519_SIGNATURE_BYTES = 64;

/** Signs `license` and returns the text of the license file (pretty JSON). */
export function issueLicense(privateKeyPem: string, license: License): string {
  const checked = licenseSchema.safeParse(license);
  if (!checked.success) {
    throw new LicenseError('LICENSE_INVALID', describeIssues(checked.error, ['license']));
  }
  const key = ed25519Key(() => createPrivateKey(privateKeyPem), 'private');
  if (typeof key === 'string') throw new LicenseError('LICENSE_KEY', key);
  const content: License = {
    licensee: checked.data.licensee,
    modules: checked.data.modules,
    limits: checked.data.limits,
    issuedAt: checked.data.issuedAt,
    expiresAt: checked.data.expiresAt,
  };
  const signature = sign(null, Buffer.from(canonicalJson(content), 'utf8'), key).toString('base64');
  return `${JSON.stringify({ license: content, signature }, null, 2)}\n`;
}

/**
 * Reads and checks a license file against the public key, at time `now` (ms since the epoch).
 * `filePath` null or a file that does not exist: missing. Never throws.
 */
export function readLicense(filePath: string | null, publicKeyPem: string, now: number): LicenseState {
  if (filePath === null) return { state: 'missing' };
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { state: 'missing' };
    return invalid(`cannot read ${filePath} (${code ?? String(error)})`);
  }
  return checkLicenseText(text, publicKeyPem, now);
}

/** The checks of `readLicense` on text already read. */
function checkLicenseText(text: string, publicKeyPem: string, now: number): LicenseState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return invalid(`not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = licenseFileSchema.safeParse(raw);
  if (!parsed.success) return invalid(describeIssues(parsed.error, [], 'license file'));
  const { license, signature } = parsed.data;

  const key = ed25519Key(() => createPublicKey(publicKeyPem), 'public');
  if (typeof key === 'string') return invalid(key);
  const signatureBytes = Buffer.from(signature, 'base64');
  if (signatureBytes.length !== ED25519_SIGNATURE_BYTES || signatureBytes.toString('base64') !== signature) {
    return invalid('signature: not a base64 Ed25519 signature');
  }
  if (!verify(null, Buffer.from(canonicalJson(license), 'utf8'), key, signatureBytes)) {
    return invalid(
      'signature: does not match the license (changed after signing, or signed with another key)',
    );
  }
  if (license.expiresAt !== null && Date.parse(license.expiresAt) <= now)
    return { state: 'expired', license };
  return { state: 'valid', license };
}

/**
 * Compares this node's license with the peer's. Only what the license grants counts (state, modules,
 * limits); licensee and dates do not. A null side means not known yet.
 */
export function compareLicenses(here: LicenseState | null, peer: LicenseState | null): LicenseComparison {
  if (here === null || peer === null) return { licenseMatch: 'unknown', differences: [] };
  const differences: string[] = [];
  if (here.state !== peer.state) differences.push(`license: ${here.state} here, ${peer.state} on peer`);
  const hereLicense = grantedBy(here);
  const peerLicense = grantedBy(peer);
  if (hereLicense && peerLicense) differences.push(...compareGrants(hereLicense, peerLicense));
  return { licenseMatch: differences.length === 0 ? 'match' : 'mismatch', differences };
}

function grantedBy(state: LicenseState): License | null {
  switch (state.state) {
    case 'valid':
    case 'expired':
      return state.license;
    case 'missing':
    case 'invalid':
      return null;
  }
}

function compareGrants(here: License, peer: License): string[] {
  const differences: string[] = [];
  const hereModules = new Set(here.modules);
  const peerModules = new Set(peer.modules);
  for (const module of [...new Set([...hereModules, ...peerModules])].sort()) {
    if (!peerModules.has(module)) differences.push(`module "${module}": only on this node`);
    else if (!hereModules.has(module)) differences.push(`module "${module}": only on peer`);
  }
  const names = [...new Set([...Object.keys(here.limits), ...Object.keys(peer.limits)])].sort();
  for (const name of names) {
    const hereLimit = here.limits[name];
    const peerLimit = peer.limits[name];
    if (hereLimit !== peerLimit) {
      differences.push(`limit "${name}": ${hereLimit ?? 'none'} here, ${peerLimit ?? 'none'} on peer`);
    }
  }
  return differences;
}

/** JSON with object keys sorted at every depth; arrays keep their order. The bytes that are signed. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  const text = JSON.stringify(value) as string | undefined;
  if (text === undefined) throw new TypeError(`canonicalJson: ${typeof value} has no JSON form`);
  return text;
}

function ed25519Key(load: () => KeyObject, kind: 'private' | 'public'): KeyObject | string {
  let key: KeyObject;
  try {
    key = load();
  } catch {
    return `license ${kind} key: not a readable PEM key`;
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    return `license ${kind} key: expected an Ed25519 key, got ${key.asymmetricKeyType ?? 'a symmetric key'}`;
  }
  return key;
}

/** Every issue as `path: message`, e.g. `license.modules: Invalid input: expected array, received string`. */
function describeIssues(error: z.ZodError, prefix: string[], whole = 'license'): string {
  return error.issues
    .map((issue) => {
      const path = [...prefix, ...issue.path.map(String)].join('.');
      return `${path === '' ? whole : path}: ${issue.message}`;
    })
    .join('; ');
}

function invalid(reason: string): LicenseState {
  return { state: 'invalid', reason };
}
