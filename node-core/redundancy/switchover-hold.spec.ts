/** Rule 6 of the pair: an operator's switch-over holds (docs/redundancy.md "An operator's switch-over holds"). */
import { describe, expect, it } from 'vitest';
import { activePeer, config, Harness, standbyPeer, timing } from '../../test/support/machine-harness.ts';
import type { RecoveryMode, RestoreWindow } from './types.ts';

const alwaysOpen: RestoreWindow = { cron: '* * * * *', lengthMs: 3_600_000 };

/** An active master with a standby backup, then an operator switches the pair to the backup. */
function masterSwitchedAway(recovery: RecoveryMode): Harness {
  const master = new Harness(
    config('master', { recovery, restoreWindow: recovery === 'window' ? alwaysOpen : null }),
  );
  master.send({ type: 'start' });
  master.send({ type: 'link-up', peer: standbyPeer });
  expect(master.state.status).toBe('active');
  master.send({ type: 'handover-request', reason: 'operator request' });
  master.send({ type: 'peer-state', peer: activePeer(master.state.epoch + 1, master.now) });
  return master;
}

function stateFrames(h: Harness): { status: string; heldSince?: number | null | undefined }[] {
  return h.effects.flatMap((e) => (e.type === 'send' && e.frame.t === 'state' ? [e.frame] : []));
}

describe("Roles: rule 6, an operator's switch-over holds", () => {
  for (const recovery of ['automatic', 'window', 'manual'] as const) {
    it(`rule 6: the master an operator switched away from stays standby (recovery ${recovery})`, () => {
      const master = masterSwitchedAway(recovery);
      const heldAt = master.now;
      master.advanceAnswering(60 * timing.pingRateMs);
      expect(master.state.status).toBe('standby');
      expect(master.state.heldSince).toBe(heldAt);
      expect(master.effects.some((e) => e.type === 'pull-from-peer')).toBe(false);
      expect(master.sent('handover-request')).toBe(false);
    });
  }

  it('rule 6: the hold is recorded as the operator request and told to the peer, which shows it', () => {
    const master = masterSwitchedAway('automatic');
    expect(master.recorded('role-change').at(-1)?.reason).toBe('operator request');
    const told = stateFrames(master).at(-1);
    expect(told).toMatchObject({ status: 'standby', heldSince: master.state.heldSince });

    const backup = new Harness(config('backup'));
    backup.send({ type: 'start' });
    backup.send({ type: 'link-up', peer: { status: 'active', epoch: 1, activeSince: backup.now } });
    backup.send({
      type: 'peer-state',
      peer: { status: 'standby', epoch: 1, activeSince: null, heldSince: 42 },
    });
    expect(backup.state.peer.heldSince).toBe(42);
  });

  it('rule 6: the hold ends when an operator switches back to the held node', () => {
    const master = masterSwitchedAway('automatic');
    master.send({ type: 'switchover-requested' });
    expect(master.sent('handover-request')).toBe(true);
    master.send({ type: 'handover-ack' });
    expect(master.state.status).toBe('active');
    expect(master.state.heldSince).toBeNull();
    expect(stateFrames(master).at(-1)).toMatchObject({ status: 'active', heldSince: null });
  });

  it('rule 6: the hold ends when the held node restarts, and automatic recovery applies again', () => {
    const restarted = new Harness(config('master', { recovery: 'automatic' }), 2);
    restarted.send({ type: 'start' });
    restarted.send({ type: 'link-up', peer: activePeer(2, restarted.now - 1000) });
    expect(restarted.state.heldSince).toBeNull();
    expect(restarted.effects.some((e) => e.type === 'pull-from-peer')).toBe(true);
  });

  it('rule 6: a held node still takes over when the active peer is lost, and no longer holds', () => {
    const master = masterSwitchedAway('automatic');
    master.advance(timing.missedPings * timing.pingRateMs + timing.failoverTimeMs + timing.pingRateMs);
    expect(master.state.status).toBe('active');
    expect(master.recorded('role-change').at(-1)?.reason).toBe('missed heartbeats');
    expect(master.state.heldSince).toBeNull();
  });

  it('rule 6: a held node takes over at once when the active peer stops cleanly', () => {
    const master = masterSwitchedAway('automatic');
    master.send({ type: 'handover-offer' });
    expect(master.state.status).toBe('active');
    expect(master.state.heldSince).toBeNull();
  });

  it('rule 6: a switch-over asked of a node already active during a split holds when the link heals', () => {
    // The backup took over from a master it lost; the operator asks for it ("status: active").
    const backup = new Harness(config('backup'));
    backup.send({ type: 'start' });
    backup.advance(timing.missedPings * timing.pingRateMs + timing.failoverTimeMs + timing.pingRateMs);
    expect(backup.state.status).toBe('active');
    backup.send({ type: 'switchover-requested' });
    expect(backup.sent('handover-request')).toBe(false); // nobody to ask yet
    // The master comes back still active (it was frozen): the operator's choice decides the split.
    backup.send({ type: 'link-up', peer: activePeer(1, backup.now - 60_000) });
    expect(backup.state.status).toBe('active');
    expect(backup.sent('handover-request')).toBe(true);
    expect(backup.recorded('split-brain')).toEqual([]);

    // The master, with automatic recovery, would win the split; the operator's request makes it stand down.
    const master = new Harness(config('master', { recovery: 'automatic' }));
    master.send({ type: 'start' });
    master.send({ type: 'link-up', peer: standbyPeer });
    expect(master.state.status).toBe('active');
    master.send({ type: 'peer-state', peer: activePeer(master.state.epoch + 1, master.now) });
    master.send({ type: 'handover-request', reason: 'operator request' });
    expect(master.state.status).toBe('standby');
    expect(master.state.heldSince).toBe(master.now);
    expect(master.recorded('split-brain')).toHaveLength(1);
    expect(master.effects.some((e) => e.type === 'merge-split-changes')).toBe(true);
    master.advanceAnswering(60 * timing.pingRateMs);
    expect(master.state.status).toBe('standby');
  });

  it('rule 6: the node an operator switched to keeps the role when a later split heals (automatic recovery)', () => {
    const backup = new Harness(config('backup'));
    backup.send({ type: 'start' });
    backup.send({ type: 'link-up', peer: activePeer(1, backup.now) });
    backup.send({ type: 'switchover-requested' });
    backup.send({ type: 'handover-ack' });
    expect(backup.state.status).toBe('active');
    // The link breaks; the held master takes over (its peer is lost), and the link heals with both active.
    backup.send({ type: 'link-down' });
    backup.send({ type: 'link-up', peer: activePeer(backup.state.epoch + 1, backup.now) });
    expect(backup.state.status).toBe('active');
    expect(backup.effects.filter((e) => e.type === 'send' && e.frame.t === 'handover-request')).toHaveLength(
      2,
    );
  });

  it('rule 6: a hand-over for automatic recovery or a restore window is not a hold', () => {
    const backup = new Harness(config('backup'));
    backup.send({ type: 'start' });
    backup.advance(timing.missedPings * timing.pingRateMs + timing.failoverTimeMs + timing.pingRateMs);
    expect(backup.state.status).toBe('active');
    backup.send({ type: 'link-up', peer: { status: 'starting', epoch: 0, activeSince: null } });
    backup.send({ type: 'handover-request', reason: 'automatic recovery' });
    expect(backup.state.status).toBe('standby');
    expect(backup.state.heldSince).toBeNull();
  });
});
