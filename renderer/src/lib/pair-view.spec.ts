import { describe, expect, it } from 'vitest';
import { failoverEvent, NOW, statusView } from '../test/fixtures.ts';
import { formatClock } from './format.ts';
import { pairFallback, takeoverOf } from './pair-view.ts';

/** The backup's status as it answers after taking over from a master it no longer hears. */
const backupRunning = statusView({
  node: { mode: 'backup', status: 'active', nodeId: 'node-bbbb', startedAt: '2025-06-01T00:30:00Z' },
  peer: { mode: 'master', status: null, link: 'disconnected', lastHeartbeatAt: '2025-06-01T02:59:50Z' },
});
const takeover = failoverEvent({
  nodeId: 'node-bbbb',
  node: 'backup',
  to: 'active',
  at: '2025-06-01T02:59:56Z',
  durationMs: 3000,
});

describe('pairFallback', () => {
  it('is nothing while this node answers, or before the partner ever answered', () => {
    expect(pairFallback(true, { status: backupRunning, events: [takeover], at: NOW }, NOW, 6000)).toBeNull();
    expect(pairFallback(false, null, NOW, 6000)).toBeNull();
  });

  it('says who runs as the partner sees it: since its take-over, with the failover time', () => {
    const fallback = pairFallback(false, { status: backupRunning, events: [takeover], at: NOW }, NOW, 6000)!;
    expect(fallback.sentence).toBe(
      `The backup is running since ${formatClock(new Date('2025-06-01T02:59:56Z'))}, failover 3.0 s.`,
    );
    expect(fallback.thisNodeSeen).toBe(
      `its link to this node: disconnected; last heard ${formatClock(new Date('2025-06-01T02:59:50Z'))}`,
    );
    expect(fallback.stale).toBe(false);
  });

  it('without the take-over in its history, running since the partner started, no failover time', () => {
    const fallback = pairFallback(false, { status: backupRunning, events: [], at: NOW }, NOW, 6000)!;
    expect(fallback.sentence).toBe(
      `The backup is running since ${formatClock(new Date('2025-06-01T00:30:00Z'))}.`,
    );
  });

  it('a partner on standby: no node of the pair is running that the page can see', () => {
    const standby = statusView({ node: { mode: 'backup', status: 'standby', nodeId: 'node-bbbb' } });
    expect(pairFallback(false, { status: standby, events: [], at: NOW }, NOW, 6000)!.sentence).toBe(
      'The backup is standby: no node of the pair is running that this page can see.',
    );
  });

  it('a reading older than the bound is marked stale, never shown as live', () => {
    const reading = { status: backupRunning, events: [takeover], at: NOW - 6001 };
    expect(pairFallback(false, reading, NOW, 6000)!.stale).toBe(true);
    expect(pairFallback(false, { ...reading, at: NOW - 6000 }, NOW, 6000)!.stale).toBe(false);
  });

  it('takeoverOf takes the partner’s newest event that made it active', () => {
    const older = failoverEvent({ nodeId: 'node-bbbb', to: 'active', at: '2025-06-01T01:00:00Z' });
    const masters = failoverEvent({ nodeId: 'node-aaaa', to: 'active' });
    expect(takeoverOf([masters, takeover, older], 'node-bbbb')).toBe(takeover);
    expect(takeoverOf(null, 'node-bbbb')).toBeNull();
  });
});
