/**
 * Item 7 of issue 14: the backup runs an hour ahead (libfaketime, as `faketime -f +1h` would). Each node
 * shows the offset and warns, and what the pair records stays on the master's clock across a failover and
 * a fail-back, in the order it happened (docs/redundancy.md "Clock skew").
 *
 * Needs libfaketime (Debian: `apt-get install faketime`); skipped with a message where it is missing.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { FailoverEvent } from '../../node-core/dto.ts';
import {
  freePort,
  heartbeatsLater,
  makePair,
  pingsMissed,
  waitFor,
  type NodeProcess,
  type Pair,
} from './harness.ts';
import { TcpProxy } from './tcp-proxy.ts';

const LIBFAKETIME = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/faketime/libfaketime.so.1',
  '/usr/local/lib/faketime/libfaketime.so.1',
].find((file) => fs.existsSync(file));
if (!LIBFAKETIME)
  console.warn('clock-skew.test.ts skipped: libfaketime not found (apt-get install faketime)');

const HOUR = 3_600_000;

let pair: Pair | null = null;
let proxy: TcpProxy | null = null;
afterEach(async () => {
  await pair?.stop();
  await proxy?.close();
  pair = null;
  proxy = null;
});

/** Starts `node` with its wall clock `offset` away (only the wall clock: timers keep the real monotonic one). */
async function startSkewed(node: NodeProcess, offset: string): Promise<void> {
  const saved = { ...process.env };
  Object.assign(process.env, {
    LD_PRELOAD: LIBFAKETIME,
    FAKETIME: offset,
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
  });
  // The child takes the environment when it is spawned, which start() does before its first await.
  const started = node.start();
  for (const key of ['LD_PRELOAD', 'FAKETIME', 'FAKETIME_DONT_FAKE_MONOTONIC']) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  await started;
}

const near = (iso: string, to: number, withinMs: number): boolean =>
  Math.abs(Date.parse(iso) - to) <= withinMs;

describe.skipIf(!LIBFAKETIME)('clock skew on real nodes (backup an hour ahead)', () => {
  it('clock skew: both nodes show the offset, warn and record it once; the pair records by the master clock through a failover and fail-back', async () => {
    pair = await makePair(['--recovery', 'automatic']);
    await pair.master.start();
    await startSkewed(pair.backup, '+1h');
    await pair.backup.waitStatus(
      (s) => s.node.status === 'standby' && s.peer?.status === 'active',
      'pair formed',
    );

    const master = await pair.master.waitStatus((s) => s.clockSkew !== null, 'the master warns');
    const backup = await pair.backup.waitStatus((s) => s.clockSkew !== null, 'the backup warns');
    expect(Math.abs(master.peer!.clockOffsetMs! - HOUR)).toBeLessThan(1000);
    expect(Math.abs(backup.peer!.clockOffsetMs! + HOUR)).toBeLessThan(1000);
    expect(master.clockSkew?.boundMs).toBe(300); // the ping timeout of FAST
    const skewEvents = async (node: NodeProcess): Promise<FailoverEvent[]> => {
      const nodeId = (await node.status())!.node.nodeId;
      return (await node.events()).filter((e) => e.kind === 'clock-skew' && e.nodeId === nodeId);
    };
    await heartbeatsLater(pair.master, 10); // ten more heartbeats: still one event each
    expect((await skewEvents(pair.master)).map((e) => e.reason)).toEqual([
      expect.stringMatching(/^the peer's clock is 1 h 00 min 0\d s ahead of this node's/),
    ]);
    expect((await skewEvents(pair.backup)).map((e) => e.reason)).toEqual([
      expect.stringMatching(/^the peer's clock is (59 min 5\d s|1 h 00 min 0\d s) behind this node's/),
    ]);

    // Failover: the backup's take-over is stamped on the master's clock, not an hour ahead.
    await pair.master.kill('SIGKILL');
    await pair.backup.waitStatus((s) => s.node.status === 'active', 'backup takes over');
    const takeOver = (await pair.backup.events()).find(
      (e) => e.node === 'backup' && e.kind === 'role-change',
    );
    expect(takeOver && near(takeOver.at, Date.now(), 60_000)).toBe(true);

    // What the running backup records is stamped on the pair's clock too: values and history samples.
    const memory = { dataType: 'float', source: { kind: 'memory' } };
    const sine = { dataType: 'float', source: { kind: 'simulator', waveform: 'sine', periodMs: 1000 } };
    expect((await pair.backup.api('PUT', '/api/config/tags/line.speed', memory)).status).toBe(200);
    expect((await pair.backup.api('PUT', '/api/config/tags/line.wave', sine)).status).toBe(200);
    expect((await pair.backup.api('POST', '/api/tags/line.speed/write', { value: 42 })).status).toBe(200);
    const value = (await pair.backup.api<{ ts: string }>('GET', '/api/tags/line.speed')).body;
    expect(near(value.ts, Date.now(), 60_000)).toBe(true);
    const realNow = Date.now();
    const iso = (at: number): string => new Date(at).toISOString();
    const range = `from=${iso(realNow - 5 * 60_000)}&to=${iso(realNow + 5 * 60_000)}`;
    await waitFor(
      async () => {
        const answer = await pair!.backup.api<{ samples?: unknown[] }>(
          'GET',
          `/api/history/line.wave?${range}`,
        );
        return (answer.body.samples?.length ?? 0) > 0 ? true : undefined;
      },
      10_000,
      'samples of the simulated tag in the history of the last minutes (real time)',
    );

    // Fail-back: the master's history shows the take-over before the master's recovery, all on one clock.
    await pair.master.start();
    await pair.master.waitStatus(
      (s) => s.node.status === 'active' && s.node.epoch === 3,
      'master takes back',
    );
    await pair.backup.waitStatus((s) => s.node.status === 'standby', 'backup stands down');
    const events = await pair.master.events(); // newest first
    const recovery = events.findIndex(
      (e) => e.node === 'master' && e.to === 'active' && e.reason === 'automatic recovery',
    );
    const backupActive = events.findIndex((e) => e.node === 'backup' && e.to === 'active');
    expect(recovery).toBeGreaterThanOrEqual(0);
    expect(backupActive).toBeGreaterThan(recovery);
    const now = Date.now();
    const offTheClock = events.filter((e) => !near(e.at, now, 5 * 60_000));
    expect(offTheClock).toEqual([]);
  });

  it('clock skew: a split brain with the backup an hour behind records the dual-active time as it was, not negative', async () => {
    // The backup dials through a proxy the test cuts: both nodes live, the link broken (docs/redundancy.md).
    const peerPort = await freePort();
    proxy = await TcpProxy.start(peerPort);
    pair = await makePair(['--recovery', 'automatic'], [], {
      name: 'line-3',
      peerPort,
      dialPort: proxy.port,
    });
    await pair.master.start();
    await startSkewed(pair.backup, '-1h');
    await pair.backup.waitStatus(
      (s) => s.node.status === 'standby' && s.peer?.status === 'active' && s.peer.clockOffsetMs !== null,
      "pair formed, the master's clock measured",
    );

    const cutAt = Date.now();
    proxy.cut();
    await pair.backup.waitStatus((s) => s.node.status === 'active', 'backup active during the split');
    const bothActiveSeen = Date.now();
    await pingsMissed(pair.backup, 15); // the split lasts fifteen more heartbeats of the backup's
    const healAt = Date.now();
    proxy.heal();
    // Automatic recovery: the master stays, the backup stands down and records how long both were active.
    await pair.backup.waitStatus(
      (s) => s.node.status === 'standby' && s.peer?.link === 'connected',
      'backup stands down after healing',
    );
    const healedSeen = Date.now();
    const split = await waitFor(
      async () => (await pair!.master.events()).find((e) => e.kind === 'split-brain'),
      10_000,
      "the split in the master's history",
    );
    expect(split.node).toBe('backup');
    // Read on the backup's own clock, the master's activeSince is an hour ahead: it was -1 h (issue 14).
    expect(split.durationMs).toBeGreaterThanOrEqual(healAt - bothActiveSeen);
    expect(split.durationMs).toBeLessThanOrEqual(healedSeen - cutAt);
  });
});
