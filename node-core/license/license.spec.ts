import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  canonicalJson,
  compareLicenses,
  devPublicKeyUrl,
  issueLicense,
  LicenseError,
  readLicense,
  type License,
  type LicenseState,
} from './license.ts';
import { devPrivateKeyUrl } from '../paths.ts';

const devPrivateKey = readFileSync(devPrivateKeyUrl, 'utf8');
const devPublicKey = readFileSync(devPublicKeyUrl, 'utf8');
const NOW = Date.parse('2026-06-01T00:00:00Z');

const license: License = {
  licensee: 'Plant North',
  modules: ['modbus', 'history'],
  limits: { tags: 1000, devices: 20 },
  issuedAt: '2026-01-01T00:00:00.000Z',
  expiresAt: '2027-01-01T00:00:00.000Z',
};

describe('canonicalJson', () => {
  it('sorts object keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: null }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":null,"z":1}]},"b":1}',
    );
  });
});

describe('license files', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tandem-license-'));
    file = join(dir, 'license.json');
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function write(text: string): void {
    writeFileSync(file, text);
  }

  function rewrite(edit: (content: { license: Record<string, unknown>; signature: string }) => void): void {
    const content = JSON.parse(issueLicense(devPrivateKey, license)) as {
      license: Record<string, unknown>;
      signature: string;
    };
    edit(content);
    write(JSON.stringify(content));
  }

  function reasonOf(state: LicenseState): string {
    if (state.state !== 'invalid') throw new Error(`expected invalid, got ${state.state}`);
    return state.reason;
  }

  it('issues pretty JSON that reads back as valid', () => {
    const text = issueLicense(devPrivateKey, license);
    expect(text).toContain('\n  "license": {\n');
    expect(text.endsWith('\n')).toBe(true);
    write(text);

    expect(readLicense(file, devPublicKey, NOW)).toEqual({ state: 'valid', license });
  });

  it('reads a license without expiry as valid at any time', () => {
    write(issueLicense(devPrivateKey, { ...license, expiresAt: null }));
    expect(readLicense(file, devPublicKey, Date.parse('2999-01-01T00:00:00Z')).state).toBe('valid');
  });

  it('does not depend on the key order in the file', () => {
    const { signature } = JSON.parse(issueLicense(devPrivateKey, license)) as { signature: string };
    const reordered = {
      signature,
      license: {
        limits: { devices: 20, tags: 1000 },
        expiresAt: license.expiresAt,
        modules: license.modules,
        issuedAt: license.issuedAt,
        licensee: license.licensee,
      },
    };
    write(JSON.stringify(reordered));
    expect(readLicense(file, devPublicKey, NOW).state).toBe('valid');
  });

  it('reports expired from the expiry instant on', () => {
    write(issueLicense(devPrivateKey, license));
    const expiry = Date.parse('2027-01-01T00:00:00Z');
    expect(readLicense(file, devPublicKey, expiry - 1).state).toBe('valid');
    expect(readLicense(file, devPublicKey, expiry)).toEqual({ state: 'expired', license });
  });

  it('reports missing for no path and for a file that does not exist', () => {
    expect(readLicense(null, devPublicKey, NOW)).toEqual({ state: 'missing' });
    expect(readLicense(join(dir, 'nope.json'), devPublicKey, NOW)).toEqual({ state: 'missing' });
  });

  it('rejects a license changed after signing', () => {
    rewrite((content) => {
      content.license.limits = { tags: 100000, devices: 20 };
    });
    expect(reasonOf(readLicense(file, devPublicKey, NOW))).toMatch(/^signature: does not match/);
  });

  it('rejects a tampered signature', () => {
    rewrite((content) => {
      const bytes = Buffer.from(content.signature, 'base64');
      bytes[0] = (bytes[0] ?? 0) ^ 0xff;
      content.signature = bytes.toString('base64');
    });
    expect(reasonOf(readLicense(file, devPublicKey, NOW))).toMatch(/^signature: does not match/);
  });

  it('rejects a signature that is not base64 Ed25519', () => {
    rewrite((content) => {
      content.signature = 'c2hvcnQ=';
    });
    expect(reasonOf(readLicense(file, devPublicKey, NOW))).toBe('signature: not a base64 Ed25519 signature');
  });

  it('rejects a license signed with another key', () => {
    const other = generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    write(issueLicense(other, license));
    expect(reasonOf(readLicense(file, devPublicKey, NOW))).toMatch(/^signature: does not match/);
  });

  it('reports a public key that is not Ed25519 instead of throwing', () => {
    write(issueLicense(devPrivateKey, license));
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
      type: 'spki',
      format: 'pem',
    });
    expect(reasonOf(readLicense(file, rsa.toString(), NOW))).toBe(
      'license public key: expected an Ed25519 key, got rsa',
    );
    expect(reasonOf(readLicense(file, 'garbage', NOW))).toBe('license public key: not a readable PEM key');
  });

  it('rejects text that is not JSON', () => {
    write('{ "license": ');
    expect(reasonOf(readLicense(file, devPublicKey, NOW))).toMatch(/^not JSON: /);
  });

  it('rejects a file that cannot be read, naming it', () => {
    expect(reasonOf(readLicense(dir, devPublicKey, NOW))).toBe(`cannot read ${dir} (EISDIR)`);
  });

  it.each([
    [
      'a field of the wrong type',
      (c: Record<string, unknown>) => (c.modules = 'modbus'),
      /^license\.modules: /,
    ],
    ['a missing field', (c: Record<string, unknown>) => delete c.issuedAt, /^license\.issuedAt: /],
    ['a bad limit', (c: Record<string, unknown>) => (c.limits = { tags: -1 }), /^license\.limits\.tags: /],
    ['a bad date', (c: Record<string, unknown>) => (c.expiresAt = 'soon'), /^license\.expiresAt: /],
    [
      'a repeated module',
      (c: Record<string, unknown>) => (c.modules = ['a', 'a']),
      /^license\.modules: must not/,
    ],
    ['an unknown field', (c: Record<string, unknown>) => (c.seats = 3), /^license: .*"seats"/],
  ])('rejects %s with a reason naming the field', (_name, edit, reason) => {
    rewrite((content) => {
      edit(content.license);
    });
    expect(reasonOf(readLicense(file, devPublicKey, NOW))).toMatch(reason);
  });

  it('rejects JSON that is not a license file', () => {
    write('[]');
    expect(reasonOf(readLicense(file, devPublicKey, NOW))).toMatch(/^license file: .*expected object/);
  });

  it('rejects a file without a signature', () => {
    write(JSON.stringify({ license }));
    expect(reasonOf(readLicense(file, devPublicKey, NOW))).toMatch(/^signature: /);
  });

  it('refuses to issue a bad license or with a key that is not Ed25519', () => {
    const attempt = (key: string, content: License): unknown => {
      try {
        return issueLicense(key, content);
      } catch (error) {
        return error;
      }
    };
    const badContent = attempt(devPrivateKey, { ...license, licensee: ' ' });
    expect(badContent).toBeInstanceOf(LicenseError);
    expect(badContent).toMatchObject({
      code: 'LICENSE_INVALID',
      message: 'license.licensee: must not be empty',
    });

    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    expect(attempt(ec.toString(), license)).toMatchObject({
      code: 'LICENSE_KEY',
      message: 'license private key: expected an Ed25519 key, got ec',
    });
    expect(attempt(devPublicKey, license)).toMatchObject({
      code: 'LICENSE_KEY',
      message: 'license private key: not a readable PEM key',
    });
  });
});

describe('compareLicenses', () => {
  const valid = (changes: Partial<License> = {}): LicenseState => ({
    state: 'valid',
    license: { ...license, ...changes },
  });

  it('is unknown while the peer is not known', () => {
    expect(compareLicenses(valid(), null)).toEqual({ licenseMatch: 'unknown', differences: [] });
    expect(compareLicenses(null, valid())).toEqual({ licenseMatch: 'unknown', differences: [] });
  });

  it('matches two missing licenses', () => {
    expect(compareLicenses({ state: 'missing' }, { state: 'missing' })).toEqual({
      licenseMatch: 'match',
      differences: [],
    });
  });

  it('matches equal grants regardless of licensee, dates and module order', () => {
    const peer = valid({
      licensee: 'Plant South',
      issuedAt: '2026-02-01T00:00:00.000Z',
      expiresAt: null,
      modules: ['history', 'modbus'],
    });
    expect(compareLicenses(valid(), peer)).toEqual({ licenseMatch: 'match', differences: [] });
  });

  it('names each module and limit that differs', () => {
    const peer = valid({ modules: ['history', 'opcua'], limits: { tags: 500, alarms: 50 } });
    expect(compareLicenses(valid(), peer)).toEqual({
      licenseMatch: 'mismatch',
      differences: [
        'module "modbus": only on this node',
        'module "opcua": only on peer',
        'limit "alarms": none here, 50 on peer',
        'limit "devices": 20 here, none on peer',
        'limit "tags": 1000 here, 500 on peer',
      ],
    });
  });

  it('names a difference of state', () => {
    expect(compareLicenses(valid(), { state: 'missing' })).toEqual({
      licenseMatch: 'mismatch',
      differences: ['license: valid here, missing on peer'],
    });
    expect(compareLicenses({ state: 'invalid', reason: 'x' }, valid()).differences).toEqual([
      'license: invalid here, valid on peer',
    ]);
  });

  it('compares the grants of an expired license too', () => {
    const expired: LicenseState = { state: 'expired', license: { ...license, modules: ['history'] } };
    expect(compareLicenses(valid(), expired).differences).toEqual([
      'license: valid here, expired on peer',
      'module "modbus": only on this node',
    ]);
  });
});
