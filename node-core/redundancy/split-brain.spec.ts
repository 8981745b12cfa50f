import { describe, expect, it } from 'vitest';
import { activePeer, config, Harness, standbyPeer } from '../../test/support/machine-harness.ts';
import type { RecoveryMode } from './types.ts';

const HOUR = 3_600_000;

/**
 * A node that has been active, met its peer, measured its clock, then lost the link and stayed active while
 * the peer took over. `offsetMs`: the peer's clock minus this node's, as heartbeats measured it.
 */
function activeMasterThenCut(recovery: RecoveryMode, offsetMs: number): Harness {
  const master = new Harness(config('master', { recovery }));
  master.send({ type: 'start' });
  master.send({ type: 'link-up', peer: standbyPeer });
  expect(master.state.status).toBe('active');
  master.send({ type: 'peer-clock', offsetMs });
  master.advanceAnswering(10_000);
  master.send({ type: 'link-down' });
  master.advance(5000);
  return master;
}

describe('Split brain across skewed clocks (docs/redundancy.md "Clock skew")', () => {
  it("the peer's clock an hour behind: the time recorded is from the peer's take-over, not this node's whole active time", () => {
    const master = activeMasterThenCut('manual', -HOUR);
    // The backup took over 1.5 s ago by its own clock, which reads an hour less than the master's.
    const tookOver = master.now - 1500 - HOUR;
    master.send({ type: 'link-up', peer: activePeer(master.state.epoch, tookOver) });
    // Both became active under the same epoch (neither heard of the other's activation), so the winner is chosen
    // on the times as stated (both sides must agree): here the backup's looks earlier. With the backup's higher
    // epoch, as after a take-over it heard of, the master stays whatever the clocks say (machine.spec.ts).
    expect(master.state.epoch).toBe(1);
    expect(master.state.status).toBe('standby');
    expect(master.recorded('split-brain')).toEqual([
      { kind: 'split-brain', from: 'active', to: 'standby', reason: 'partition healed', durationMs: 1500 },
    ]);
  });

  it("the peer's clock an hour ahead: the time recorded is never negative", () => {
    // The backup loses to the master (automatic recovery), whose activeSince reads an hour ahead of its clock.
    const backup = new Harness(config('backup'));
    backup.send({ type: 'start' });
    const masterActiveSince = backup.now - 1000 + HOUR;
    backup.send({ type: 'link-up', peer: activePeer(1, masterActiveSince) });
    backup.send({ type: 'peer-clock', offsetMs: HOUR });
    backup.advanceAnswering(2000);
    backup.send({ type: 'link-down' });
    backup.advance(3000);
    expect(backup.state.status).toBe('active');
    const tookOverAt = backup.state.activeSince ?? 0;
    backup.advance(2000);
    backup.send({ type: 'link-up', peer: activePeer(1, masterActiveSince) });
    expect(backup.state.status).toBe('standby');
    // The master was active all along: both were active from the backup's take-over until now.
    expect(backup.recorded('split-brain')[0]?.durationMs).toBe(backup.now - tookOverAt);
  });

  it("no heartbeat measured the peer's clock yet: the hello's time stands in for it", () => {
    const master = new Harness(config('master', { recovery: 'manual' }));
    master.send({ type: 'start' });
    master.advance(1000);
    expect(master.state.status).toBe('active');
    master.advance(4000);
    const tookOver = master.now - 2000 - HOUR;
    master.send({
      type: 'link-up',
      peer: { ...activePeer(master.state.epoch, tookOver), at: master.now - HOUR },
    });
    expect(master.state.status).toBe('standby');
    expect(master.recorded('split-brain')[0]?.durationMs).toBe(2000);
  });

  it('an offset measured by heartbeats is kept over a later hello, which is short by its time on the wire', () => {
    const master = activeMasterThenCut('manual', -HOUR);
    const tookOver = master.now - 1500 - HOUR;
    master.send({
      type: 'link-up',
      peer: { ...activePeer(master.state.epoch, tookOver), at: master.now - HOUR - 40 },
    });
    expect(master.recorded('split-brain')[0]?.durationMs).toBe(1500);
  });

  it('an estimate that is far off still gives a time between zero and how long this node was active', () => {
    for (const offsetMs of [-10 * HOUR, 10 * HOUR]) {
      const master = activeMasterThenCut('manual', offsetMs);
      const activeFor = master.now - (master.state.activeSince ?? 0);
      master.send({ type: 'link-up', peer: activePeer(master.state.epoch, 0) });
      const recorded = master.recorded('split-brain')[0]?.durationMs ?? -1;
      expect(recorded).toBeGreaterThanOrEqual(0);
      expect(recorded).toBeLessThanOrEqual(activeFor);
    }
  });
});
