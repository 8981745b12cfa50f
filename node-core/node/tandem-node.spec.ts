/**
 * TandemNode over the parts the composition root makes (node-parts.ts), on a real database: starting and
 * stopping are safe to call twice, and the node reacts to its parts through the relay it connects itself to.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../clock/index.ts';
import { silentLogger } from '../logging.ts';
import { tempDatabase } from '../../test/support/temp-database.ts';
import { CertificateStore, EventStore, MetaStore } from '../store/index.ts';
import { loadOrCreateIdentity } from '../trust/index.ts';
import { makeNodeParts, NodeRelay, type NodeBase } from './node-parts.ts';
import { defaultSettings } from './settings.ts';
import { TandemNode } from './tandem-node.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function nodeOf(mode: 'independent' | 'master'): Promise<TandemNode> {
  const { db, dispose } = tempDatabase();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-node-'));
  cleanups.push(dispose, () => fs.rmSync(dir, { recursive: true, force: true }));
  const base: NodeBase = {
    settings: { ...defaultSettings('test'), mode, apiPort: 0, peerPort: 0, opcuaPort: 0 },
    db,
    meta: new MetaStore(db),
    events: new EventStore(db),
    certificates: new CertificateStore(db),
    identity: await loadOrCreateIdentity(dir, 'node test'),
    license: { state: 'missing' },
    clock: new ManualClock(Date.parse('2026-12-05T10:00:00Z')),
    realTime: systemClock,
    logger: silentLogger,
    version: 'test',
  };
  return new TandemNode(base, makeNodeParts(base));
}

describe('TandemNode', () => {
  it('start twice runs the node once: one role change to active', async () => {
    const node = await nodeOf('independent');
    const statuses: string[] = [];
    node.on('status', (status) => statuses.push(status));
    await Promise.all([node.start(), node.start()]);
    await node.start();
    expect(node.status).toBe('active');
    expect(statuses).toEqual(['active']);
    expect(node.listEvents(10, ['role-change'])).toHaveLength(1);
    await node.stop();
  });

  it('stop twice settles both and tells once that the node stopped', async () => {
    const node = await nodeOf('master');
    await node.start();
    let stopped = 0;
    node.on('stopped', () => stopped++);
    await Promise.all([node.stop(), node.stop()]);
    await node.stop();
    expect(stopped).toBe(1);
    expect(node.status).toBe('stopping');
    expect(node.peerPort).toBeNull();
  });

  it('a master started twice listens on one peer port', async () => {
    const node = await nodeOf('master');
    await node.start();
    const port = node.peerPort;
    await node.start();
    expect(port).not.toBeNull();
    expect(node.peerPort).toBe(port);
    await node.stop();
  });
});

describe('NodeRelay', () => {
  it('a part that calls its node before the node connected is a bug: it throws', () => {
    const relay = new NodeRelay();
    expect(() => relay.stopped()).toThrow('a part called its node before the node was made');
  });
});
