import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/index.ts';
import { AlarmService, AlarmStore, ConfigStore, DataService, RuntimeStore } from '../data/index.ts';
import { tempDatabase } from '../history/test-db.ts';
import { silentLogger } from '../logging.ts';
import type { Status } from '../redundancy/index.ts';
import { MetaStore } from '../store/index.ts';
import { GatewayWorkload } from './gateway-workload.ts';
import { defaultSettings, type NodeSettings } from './settings.ts';

const DAY = 86_400_000;
const disposals: (() => void)[] = [];
afterEach(() => {
  for (const dispose of disposals.splice(0)) dispose();
});

function workload(settings: Partial<NodeSettings>, status: Status = 'active') {
  const { db, dispose } = tempDatabase();
  disposals.push(dispose);
  const clock = new ManualClock(100 * DAY);
  const meta = new MetaStore(db);
  const config = new ConfigStore(db, meta);
  const data = new DataService(config, new RuntimeStore(db), new AlarmService(new AlarmStore(db), config), {
    nodeId: meta.nodeId(),
    clock,
    send: () => undefined,
    linked: () => false,
    isActive: () => status === 'active',
    epoch: () => 1,
    fullResync: () => undefined,
    changed: () => undefined,
    writeDevice: () => Promise.resolve(),
    durable: () => Promise.resolve(),
  });
  const node = new GatewayWorkload({
    db,
    data,
    settings: { ...defaultSettings('test'), ...settings },
    nodeId: meta.nodeId(),
    clock,
    logger: silentLogger,
    status: () => status,
    linked: () => false,
    peerLastSeenAt: () => null,
    send: () => undefined,
    deviceFault: () => undefined,
  });
  disposals.push(() => void node.stop());
  return { node, data, clock };
}

describe('Retention', () => {
  it('commands: uids older than the ledger retention are forgotten at start and every hour after', () => {
    const { node, data, clock } = workload({ ledgerRetentionDays: 7 });
    const now = clock.now();
    data.runtime.recordLedger([
      { uid: 'old', command: '{}', result: '{"ok":true}', at: now - 8 * DAY },
      { uid: 'recent', command: '{}', result: '{"ok":true}', at: now - 6 * DAY },
    ]);
    node.start();
    expect(data.runtime.ledgerEntry('old')).toBeUndefined();
    expect(data.runtime.ledgerEntry('recent')).toBeDefined();

    clock.advance(DAY + 3_600_000);
    expect(data.runtime.ledgerEntry('recent')).toBeUndefined();
  });

  it('history: samples older than the history retention are deleted, newer ones kept', () => {
    const { node, clock } = workload({ historyRetentionDays: 30 });
    const now = clock.now();
    node.history.record([
      { tag: 't', ts: now - 31 * DAY, value: 1, quality: 'good', origin: 'n' },
      { tag: 't', ts: now - 29 * DAY, value: 2, quality: 'good', origin: 'n' },
    ]);
    node.start();
    const kept = node.history.query('t', 0, now, { maxPoints: 10 });
    expect(kept.kind === 'raw' ? kept.samples.map((s) => s.value) : null).toEqual([2]);
  });
});
