import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/index.ts';
import { AlarmService, AlarmStore, ConfigStore, DataService, RuntimeStore } from '../data/index.ts';
import { tempDatabase } from '../../test/support/temp-database.ts';
import { silentLogger } from '../logging.ts';
import type { Status } from '../redundancy/index.ts';
import { MetaStore } from '../store/index.ts';
import { GatewayWorkload } from './gateway-workload.ts';
import { defaultSettings, type NodeSettings } from './settings.ts';
import type { HistoryFrame } from '../history/index.ts';

const DAY = 86_400_000;
const disposals: (() => void)[] = [];
afterEach(() => {
  for (const dispose of disposals.splice(0)) dispose();
});

function workload(
  settings: Partial<NodeSettings>,
  initial: Status = 'active',
  link: { linked: boolean; peerActive?: boolean; sent: HistoryFrame[] } = { linked: false, sent: [] },
) {
  let status = initial;
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
    linked: () => link.linked,
    peerLastSeenAt: () => null,
    peerActive: () => link.peerActive === true,
    send: (frame) => link.sent.push(frame),
    deviceFault: () => undefined,
  });
  disposals.push(() => void node.stop());
  const becomes = (next: Status): void => {
    status = next;
    node.statusChanged(next);
  };
  return { node, data, clock, becomes };
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Simulated tags are polled every second; this detection window is 3.1 s (docs/redundancy.md). */
const slowDetection = {
  pingRateMs: 100,
  pingTimeoutMs: 300,
  missedPings: 3,
  failoverTimeMs: 3000,
  connectionWaitMs: 5000,
};
const WINDOW_MS = 3100;
const sineTag = {
  dataType: 'float',
  source: { kind: 'simulator', waveform: 'sine', periodMs: 4000, min: 0, max: 100 },
};

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

describe('History across a hand-over', () => {
  it('the node that stands down records its warm polls until its peer has run for one detection window', async () => {
    const link = { linked: true, peerActive: false, sent: [] as HistoryFrame[] };
    const { node, data, clock, becomes } = workload(
      { standby: 'warm', timing: slowDetection },
      'active',
      link,
    );
    await data.putConfig('tag', 'sim', sineTag);
    node.start();
    await flush();
    const stoodDownAt = clock.now();
    becomes('standby');
    const seconds = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) {
        clock.advance(1000);
        await flush();
      }
    };
    // The peer is slow to run (a returning master still reaching its devices): this node goes on recording.
    await seconds(5);
    link.peerActive = true;
    await seconds(1);
    const peerSeenActiveAt = clock.now();
    await seconds(6);
    const recorded = node.history.between('sim', stoodDownAt, clock.now() + 1, 100).samples.map((s) => s.ts);
    expect(recorded.filter((ts) => ts > stoodDownAt)).toHaveLength(5 + 1 + 3);
    expect(Math.max(...recorded)).toBeLessThan(peerSeenActiveAt + WINDOW_MS);
  });

  it('the node that takes over pulls the history again once the peer has stopped recording its polls', () => {
    const link = { linked: true, sent: [] as HistoryFrame[] };
    const { clock, becomes } = workload({ standby: 'warm', timing: slowDetection }, 'standby', link);
    const requests = () => link.sent.filter((f) => f.t === 'history-request').length;
    becomes('active');
    expect(requests()).toBe(1);
    clock.advance(2 * WINDOW_MS - 1);
    expect(requests()).toBe(1);
    clock.advance(1);
    expect(requests()).toBe(2);
  });
});

describe('Start and stop', () => {
  it('start twice runs one retention timer: after stop, no clean-up runs any more; stop twice settles both', async () => {
    const { node, data, clock } = workload({ ledgerRetentionDays: 7 });
    node.start();
    node.start();
    await Promise.all([node.stop(), node.stop()]);
    const now = clock.now();
    data.runtime.recordLedger([{ uid: 'old', command: '{}', result: '{"ok":true}', at: now - 8 * DAY }]);
    clock.advance(2 * 3_600_000);
    expect(data.runtime.ledgerEntry('old')).toBeDefined();
  });

  it('starts again after a stop: the retention runs at the new start', async () => {
    const { node, data, clock } = workload({ ledgerRetentionDays: 7 });
    node.start();
    await node.stop();
    data.runtime.recordLedger([
      { uid: 'old', command: '{}', result: '{"ok":true}', at: clock.now() - 8 * DAY },
    ]);
    node.start();
    expect(data.runtime.ledgerEntry('old')).toBeUndefined();
  });
});
