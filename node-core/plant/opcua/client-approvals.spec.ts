import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigStore } from '../../data/index.ts';
import { tempDatabase } from '../../../test/support/temp-database.ts';
import { silentLogger } from '../../logging.ts';
import { CertificateStore, MetaStore } from '../../store/index.ts';
import { loadOrCreateIdentity, type Identity } from '../../trust/index.ts';
import { approvalToShare, CLIENT_APPROVAL_KIND, followClientApprovals } from './client-approvals.ts';

const disposals: (() => void)[] = [];
afterEach(() => {
  for (const dispose of disposals.splice(0)) dispose();
});

/** One node's certificate list and config store, on a real SQLite file. */
function node() {
  const { db, dispose } = tempDatabase();
  disposals.push(dispose);
  const config = new ConfigStore(db, new MetaStore(db));
  const certificates = new CertificateStore(db);
  const stop = followClientApprovals({ config, certificates, now: () => 1000, logger: silentLogger });
  disposals.push(stop);
  return { config, certificates };
}

async function clientCertificate(): Promise<Identity> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-opcua-client-'));
  disposals.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return loadOrCreateIdentity(dir, 'SCADA client');
}

describe('OPC UA: client certificates approved on one node are trusted by both', () => {
  it('a decision on a client certificate is shared; one on the peer certificate is not', async () => {
    const { certificates } = node();
    const client = await clientCertificate();
    const peer = await clientCertificate();
    certificates.seen(client.info, client.certPem, 1, 'opcua-client');
    certificates.seen(peer.info, peer.certPem, 1);

    expect(approvalToShare(certificates, client.info.fingerprint, 'trusted', 5)).toEqual({
      pem: client.certPem,
      state: 'trusted',
      decidedAt: 5,
    });
    expect(approvalToShare(certificates, peer.info.fingerprint, 'trusted', 5)).toBeNull();
    expect(approvalToShare(certificates, 'ab'.repeat(32), 'trusted', 5)).toBeNull();
  });

  it('the decision that arrives with the config applies to a certificate this node never met', async () => {
    const { config, certificates } = node();
    const client = await clientCertificate();
    const fingerprint = client.info.fingerprint;

    const approval = { pem: client.certPem, state: 'trusted', decidedAt: 5 };
    config.stage('put', CLIENT_APPROVAL_KIND, fingerprint, approval, 1, 'the-peer', 5);
    config.persist();
    expect(certificates.stateOf(fingerprint)).toBe('trusted');
    expect(certificates.useOf(fingerprint)).toBe('opcua-client');
  });

  it('a rejection made here stands against a shared approval; an item under the wrong fingerprint is not applied', async () => {
    const { config, certificates } = node();
    const client = await clientCertificate();
    const other = await clientCertificate();
    certificates.seen(client.info, client.certPem, 1, 'opcua-client');
    certificates.decide(client.info.fingerprint, 'rejected', 2);

    const trusted = (pem: string) => ({ pem, state: 'trusted', decidedAt: 5 });
    config.stage(
      'put',
      CLIENT_APPROVAL_KIND,
      client.info.fingerprint,
      trusted(client.certPem),
      1,
      'the-peer',
      5,
    );
    config.stage('put', CLIENT_APPROVAL_KIND, 'ab'.repeat(32), trusted(other.certPem), 1, 'the-peer', 6);
    config.persist();
    expect(certificates.stateOf(client.info.fingerprint)).toBe('rejected');
    expect(certificates.stateOf('ab'.repeat(32))).toBeUndefined();
    expect(certificates.stateOf(other.info.fingerprint)).toBeUndefined();
  });
});
