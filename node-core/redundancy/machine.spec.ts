import { describe, expect, it } from 'vitest';
import { activePeer, config, Harness, standbyPeer, timing } from '../../test/support/machine-harness.ts';
import type { RecoveryMode } from './types.ts';

describe('Roles', () => {
  it('rule 1: an independent node is always active and has no peer link', () => {
    const node = new Harness(config('independent'));
    node.send({ type: 'start' });
    expect(node.state.status).toBe('active');
    expect(node.state.epoch).toBe(1);
    expect(node.wakeAt).toBeNull();
    node.advance(60_000);
    expect(node.sent('ping')).toBe(false);
  });

  it('rule 2: a booting master is starting and waits at most the connection wait time', () => {
    const master = new Harness(config('master'));
    master.send({ type: 'start' });
    expect(master.state.status).toBe('starting');
    master.advance(timing.connectionWaitMs - 1);
    expect(master.state.status).toBe('starting');
    master.advance(1);
    expect(master.state.status).toBe('active');
    expect(master.recorded('role-change').at(-1)?.reason).toBe('no backup within connection wait');
  });

  it('rule 2: a booting master becomes active as soon as a standby backup connects', () => {
    const master = new Harness(config('master'));
    master.send({ type: 'start' });
    master.now += 50;
    master.send({ type: 'link-up', peer: standbyPeer });
    expect(master.state.status).toBe('active');
    expect(master.recorded('role-change').at(-1)?.reason).toBe('backup connected as standby');
  });

  it('rule 2 automatic: the master pulls everything from an active backup, then takes over in a coordinated hand-over', () => {
    const master = new Harness(config('master', { recovery: 'automatic' }), 4);
    master.send({ type: 'start' });
    master.send({ type: 'link-up', peer: activePeer(5, master.now - 60_000) });
    expect(master.state.status).toBe('starting');
    expect(master.effects.some((e) => e.type === 'pull-from-peer')).toBe(true);
    expect(master.sent('handover-request')).toBe(false);
    master.send({ type: 'sync-complete' });
    expect(master.sent('handover-request')).toBe(true);
    expect(master.state.status).toBe('starting');
    master.send({ type: 'peer-state', peer: { status: 'standby', epoch: 5, activeSince: null } });
    master.send({ type: 'handover-ack' });
    expect(master.state.status).toBe('active');
    expect(master.state.epoch).toBe(6);
    expect(master.recorded('role-change').at(-1)?.reason).toBe('automatic recovery');
  });

  it('rule 2 manual: the master becomes standby and the backup stays active until an operator asks', () => {
    const master = new Harness(config('master', { recovery: 'manual' }));
    master.send({ type: 'start' });
    master.send({ type: 'link-up', peer: activePeer(3, master.now - 1000) });
    expect(master.state.status).toBe('standby');
    master.advanceAnswering(60_000);
    expect(master.state.status).toBe('standby');
    expect(master.sent('handover-request')).toBe(false);
    master.send({ type: 'switchover-requested' });
    expect(master.sent('handover-request')).toBe(true);
    master.send({ type: 'handover-ack' });
    expect(master.state.status).toBe('active');
    expect(master.recorded('role-change').at(-1)?.reason).toBe('operator request');
  });

  it('rule 2 window: the master waits in standby and hands over by itself when the restore window opens', () => {
    // A window every 10 minutes, 1 minute long: start at a time outside it.
    const tenMinutes = 10 * 60_000;
    const master = new Harness(
      config('master', { recovery: 'window', restoreWindow: { cron: '*/10 * * * *', lengthMs: 60_000 } }),
    );
    master.now = Math.ceil(master.now / tenMinutes) * tenMinutes + 2 * 60_000;
    master.send({ type: 'start' });
    master.send({ type: 'link-up', peer: activePeer(3, master.now - 1000) });
    expect(master.state.status).toBe('standby');
    master.advanceAnswering(7 * 60_000);
    expect(master.sent('handover-request')).toBe(false);
    master.advanceAnswering(60_000 + timing.pingRateMs);
    expect(master.sent('handover-request')).toBe(true);
    master.send({ type: 'handover-ack' });
    expect(master.state.status).toBe('active');
    expect(master.recorded('role-change').at(-1)?.reason).toBe('restore window');
  });

  it('rule 3: the backup takes over only after missed pings and the failover time since the last answer', () => {
    const backup = new Harness(config('backup', { timing: { ...timing, failoverTimeMs: 1000 } }));
    backup.send({ type: 'start' });
    expect(backup.state.status).toBe('standby');
    backup.send({ type: 'link-up', peer: activePeer(1, backup.now) });
    backup.advanceAnswering(500);
    const lastAnswer = backup.state.heartbeat.lastAnsweredAt;
    backup.advance(timing.pingRateMs * 4);
    expect(backup.state.heartbeat.missed).toBeGreaterThanOrEqual(timing.missedPings);
    expect(backup.state.status).toBe('standby');
    backup.advance(lastAnswer + 1000 - backup.now - 1);
    expect(backup.state.status).toBe('standby');
    backup.advance(1 + timing.pingRateMs);
    expect(backup.state.status).toBe('active');
    const change = backup.recorded('role-change').at(-1);
    expect(change?.reason).toBe('missed heartbeats');
    expect(change?.durationMs).toBeGreaterThanOrEqual(1000);
    expect(backup.state.epoch).toBe(2);
  });

  it('rule 3: a heartbeat is due every ping rate, also when another event arrives at its time first (simulation seed 3113)', () => {
    const backup = new Harness(config('backup'));
    backup.send({ type: 'start' });
    backup.send({ type: 'link-up', peer: activePeer(1, backup.now) });
    backup.now = backup.state.heartbeat.nextPingAt;
    backup.send({ type: 'peer-state', peer: activePeer(1, backup.now) });
    expect(backup.wakeAt).toBe(backup.now);
    backup.advance(0);
    expect(backup.sent('ping')).toBe(true);
    expect(backup.state.heartbeat.nextPingAt).toBeGreaterThan(backup.now);
  });

  it('rule 3: a heartbeat answered in time resets the count of missed pings', () => {
    const backup = new Harness(config('backup'));
    backup.send({ type: 'start' });
    backup.send({ type: 'link-up', peer: activePeer(1, backup.now) });
    backup.advance(timing.pingRateMs * 2 + 1);
    expect(backup.state.heartbeat.missed).toBeGreaterThan(0);
    backup.advanceAnswering(timing.pingRateMs * 20);
    expect(backup.state.heartbeat.missed).toBe(0);
    expect(backup.state.status).toBe('standby');
  });

  it('rule 3: a backup whose link closes counts each unsent heartbeat as missed and takes over', () => {
    const backup = new Harness(config('backup'));
    backup.send({ type: 'start' });
    backup.send({ type: 'link-up', peer: activePeer(1, backup.now) });
    backup.advanceAnswering(1000);
    backup.send({ type: 'link-down' });
    expect(backup.recorded('peer-lost').at(-1)?.reason).toBe('link closed');
    backup.advance(timing.failoverTimeMs + timing.pingRateMs);
    expect(backup.state.status).toBe('active');
  });

  it('rule 4: an active master that stops cleanly hands over at once and stops when the backup confirms', () => {
    const master = new Harness(config('master'));
    master.send({ type: 'start' });
    master.send({ type: 'link-up', peer: standbyPeer });
    master.send({ type: 'stop-requested' });
    expect(master.state.status).toBe('stopping');
    expect(master.sent('handover-offer')).toBe(true);
    expect(master.effects.some((e) => e.type === 'stopped')).toBe(false);
    master.send({ type: 'handover-ack' });
    expect(master.effects.some((e) => e.type === 'stopped')).toBe(true);
  });

  it('rule 4: a stopping active node does not wait longer than the ping timeout for the confirmation', () => {
    const master = new Harness(config('master'));
    master.send({ type: 'start' });
    master.send({ type: 'link-up', peer: standbyPeer });
    master.send({ type: 'stop-requested' });
    master.advance(timing.pingTimeoutMs);
    expect(master.effects.some((e) => e.type === 'stopped')).toBe(true);
  });

  it('rule 4: a standby offered the hand-over becomes active without waiting for missed heartbeats', () => {
    const backup = new Harness(config('backup'));
    backup.send({ type: 'start' });
    backup.send({ type: 'link-up', peer: activePeer(1, backup.now) });
    backup.send({ type: 'handover-offer' });
    expect(backup.state.status).toBe('active');
    expect(backup.sent('handover-ack')).toBe(true);
    expect(backup.recorded('role-change').at(-1)?.reason).toBe('clean hand-over');
  });

  it('rule 4: a standby that stops cleanly says goodbye and stops at once', () => {
    const backup = new Harness(config('backup'));
    backup.send({ type: 'start' });
    backup.send({ type: 'link-up', peer: activePeer(1, backup.now) });
    backup.send({ type: 'stop-requested' });
    expect(backup.sent('goodbye')).toBe(true);
    expect(backup.effects.some((e) => e.type === 'stopped')).toBe(true);
  });

  it('rule 4: a peer that says goodbye is recorded as lost without waiting for missed heartbeats', () => {
    const master = new Harness(config('master'));
    master.send({ type: 'start' });
    master.send({ type: 'link-up', peer: standbyPeer });
    master.send({ type: 'goodbye' });
    expect(master.recorded('peer-lost').at(-1)?.reason).toBe('peer stopped cleanly');
    expect(master.state.status).toBe('active');
  });

  it('rule 6: operator switch-over on the standby makes the active peer stand down first', () => {
    const backup = new Harness(config('backup'));
    backup.send({ type: 'start' });
    backup.send({ type: 'link-up', peer: activePeer(1, backup.now) });
    backup.send({ type: 'switchover-requested' });
    expect(backup.state.status).toBe('standby');
    backup.send({ type: 'handover-ack' });
    expect(backup.state.status).toBe('active');

    const master = new Harness(config('master'));
    master.send({ type: 'start' });
    master.send({ type: 'link-up', peer: standbyPeer });
    const effects = master.send({ type: 'handover-request', reason: 'operator request' });
    expect(master.state.status).toBe('standby');
    const order = effects.flatMap((e) => (e.type === 'send' ? [e.frame.t] : []));
    expect(order).toEqual(['state', 'handover-ack']);
  });

  it('rule 6: operators ask for both nodes at once and the requests cross: the standby that asked takes over, and neither is left holding (simulation seed 3544)', () => {
    const backup = new Harness(config('backup'));
    backup.send({ type: 'start' });
    backup.send({ type: 'link-up', peer: activePeer(2, backup.now) });
    backup.send({ type: 'switchover-requested' });
    expect(backup.sent('handover-request')).toBe(true);
    // The active master's own request (its operator's earlier claim) arrives before its answer to ours.
    const answer = backup.send({ type: 'handover-request', reason: 'operator request' });
    expect(answer.flatMap((e) => (e.type === 'send' ? [e.frame.t] : []))).toEqual(['handover-ack']);
    expect(backup.state.heldSince).toBeNull();
    expect(backup.state.handover.kind).toBe('requested');
    backup.send({ type: 'peer-state', peer: { status: 'standby', epoch: 2, activeSince: null } });
    backup.send({ type: 'handover-ack' });
    expect(backup.state.status).toBe('active');
    expect(backup.recorded('role-change').at(-1)?.reason).toBe('operator request');
  });

  it('rule 6: a node that stood down can ask for the switch-over back as soon as its peer is active', () => {
    const master = new Harness(config('master', { recovery: 'manual' }));
    master.send({ type: 'start' });
    master.send({ type: 'link-up', peer: standbyPeer });
    master.send({ type: 'handover-request', reason: 'operator request' });
    master.send({ type: 'peer-state', peer: activePeer(2, master.now) });
    master.send({ type: 'switchover-requested' });
    expect(master.effects.filter((e) => e.type === 'send' && e.frame.t === 'handover-request')).toHaveLength(
      1,
    );
  });

  it('a switch-over that gets no answer within the failover time is recorded as failed', () => {
    const backup = new Harness(config('backup'));
    backup.send({ type: 'start' });
    backup.send({ type: 'link-up', peer: activePeer(1, backup.now) });
    backup.send({ type: 'switchover-requested' });
    backup.advanceAnswering(timing.failoverTimeMs);
    expect(backup.recorded('switchover-failed')).toHaveLength(1);
    expect(backup.state.status).toBe('standby');
  });

  it('a switch-over whose confirmation comes after a ping timeout, within the failover time, holds (chaos seed 735364)', () => {
    // Under load the master's handover-ack took 125 ms against a 100 ms ping timeout: the backup gave up, the
    // master, having stood down, found no active node and took the role back, undoing the operator's request.
    const backup = new Harness(config('backup'));
    const master = new Harness(config('master'));
    backup.send({ type: 'start' });
    backup.send({ type: 'link-up', peer: activePeer(1, backup.now) });
    master.send({ type: 'start' });
    master.state = { ...master.state, status: 'active', epoch: 1, activeSince: master.now };
    master.send({ type: 'link-up', peer: { status: 'standby', epoch: 1, activeSince: null } });
    const request = backup.send({ type: 'switchover-requested' });
    expect(request.some((e) => e.type === 'send' && e.frame.t === 'handover-request')).toBe(true);
    const late = timing.pingTimeoutMs + 25;
    backup.advanceAnswering(late);
    master.advanceAnswering(late);
    master.send({ type: 'handover-request', reason: 'operator request' });
    expect(master.state.status).toBe('standby');
    master.advanceAnswering(late);
    backup.send({ type: 'handover-ack' });
    expect(backup.state.status).toBe('active');
    expect(backup.recorded('switchover-failed')).toHaveLength(0);
    master.send({ type: 'peer-state', peer: activePeer(backup.state.epoch, backup.now) });
    master.advanceAnswering(timing.failoverTimeMs * 3);
    expect(master.state.status).toBe('standby');
  });

  it('epoch: grows past the highest epoch either node has seen each time a node becomes active', () => {
    const backup = new Harness(config('backup'), 2);
    backup.send({ type: 'start' });
    backup.send({ type: 'link-up', peer: activePeer(7, backup.now) });
    backup.send({ type: 'link-down' });
    backup.advance(timing.failoverTimeMs + timing.pingRateMs);
    expect(backup.state.epoch).toBe(8);
  });
});

describe('Epoch', () => {
  it('epoch: a standby keeps the highest epoch it has heard of, durably, so it never goes back', () => {
    const backup = new Harness(config('backup'), 0);
    backup.send({ type: 'start' });
    const effects = backup.send({ type: 'link-up', peer: activePeer(4, backup.now) });
    expect(backup.state.epoch).toBe(4);
    expect(effects).toContainEqual({ type: 'epoch-learned', epoch: 4 });
    backup.send({ type: 'peer-state', peer: activePeer(3, backup.now) });
    expect(backup.state.epoch).toBe(4);
  });

  it('epoch: a standby that adopts a higher epoch tells its peer, so both nodes show the pair the same epoch', () => {
    const master = new Harness(config('master'), 0);
    const backup = new Harness(config('backup'), 0);
    master.send({ type: 'start' });
    backup.send({ type: 'start' });
    backup.send({ type: 'link-up', peer: { status: 'starting', epoch: 0, activeSince: null } });
    master.send({ type: 'link-up', peer: standbyPeer });
    expect(master.state.status).toBe('active');
    expect(master.state.peer.epoch).toBe(0); // from the backup's hello, before the master took epoch 1

    const toBackup = master.effects.flatMap((e) =>
      e.type === 'send' && e.frame.t === 'state' ? [e.frame] : [],
    );
    const answer = toBackup.flatMap((frame) => backup.send({ type: 'peer-state', peer: frame }));
    expect(backup.state.epoch).toBe(1);
    const toMaster = answer.flatMap((e) => (e.type === 'send' && e.frame.t === 'state' ? [e.frame] : []));
    expect(toMaster).toEqual([
      { t: 'state', status: 'standby', epoch: 1, activeSince: null, heldSince: null },
    ]);
    for (const frame of toMaster) master.send({ type: 'peer-state', peer: frame });
    expect(master.state.peer.epoch).toBe(master.state.epoch);
  });
});

describe('Partitions', () => {
  const isolationCheck = { host: 'plc.local', port: 502 };

  function probeAnswers(node: Harness, reachable: boolean, ms: number): void {
    const until = node.now + ms;
    while (node.wakeAt !== null && node.wakeAt <= until) {
      node.now = Math.max(node.now, node.wakeAt);
      for (const e of node.send({ type: 'tick' })) {
        if (e.type === 'probe-isolation') node.send({ type: 'isolation-probed', reachable });
      }
    }
    node.now = until;
  }

  /** A standby backup that lost its active master and has probed the isolation host in vain for 10 s. */
  function cutOffBackup(): Harness {
    const backup = new Harness(config('backup', { isolationCheck }));
    backup.send({ type: 'start' });
    backup.send({ type: 'link-up', peer: activePeer(1, backup.now) });
    backup.send({ type: 'link-down' });
    probeAnswers(backup, false, 10_000);
    return backup;
  }

  it('isolation check: a backup that cannot reach the isolation host does not take over', () => {
    const backup = cutOffBackup();
    expect(backup.state.status).toBe('standby');
    probeAnswers(backup, true, timing.failoverTimeMs + timing.pingRateMs * 2);
    expect(backup.state.status).toBe('active');
  });

  it('isolation check: a backup that was cut off counts the failover time anew once it reaches the isolation host, so a master that ran on all along is heard first', () => {
    const backup = cutOffBackup();
    // Its partition ends: the host answers, and the heartbeats missed while cut off do not count.
    backup.send({ type: 'isolation-probed', reachable: true });
    const reachedAt = backup.now;
    probeAnswers(backup, true, timing.failoverTimeMs - 1);
    expect(backup.state.status).toBe('standby');
    // The master is heard within that time: the backup stays standby.
    backup.send({ type: 'link-up', peer: activePeer(1, reachedAt - 60_000) });
    backup.advanceAnswering(timing.failoverTimeMs * 3);
    expect(backup.state.status).toBe('standby');
    expect(backup.recorded('role-change')).toEqual([]);
  });

  it('isolation check: a backup that was cut off takes over a failover time after it reaches the isolation host, if the master stays silent', () => {
    const backup = cutOffBackup();
    backup.send({ type: 'isolation-probed', reachable: true });
    const reachedAt = backup.now;
    probeAnswers(backup, true, timing.failoverTimeMs * 2);
    expect(backup.state.status).toBe('active');
    const took = backup.recorded('role-change').at(-1);
    expect(took?.reason).toBe('missed heartbeats');
    expect(backup.state.activeSince! - reachedAt).toBeGreaterThanOrEqual(timing.failoverTimeMs);
  });

  it('isolation check: an active master that reaches neither peer nor isolation host steps down', () => {
    const master = new Harness(config('master', { isolationCheck }));
    master.send({ type: 'start' });
    master.send({ type: 'link-up', peer: standbyPeer });
    master.send({ type: 'link-down' });
    probeAnswers(master, false, timing.pingRateMs * 2);
    expect(master.state.status).toBe('standby');
    expect(master.recorded('role-change').at(-1)?.reason).toBe('isolated');
  });

  it('isolation check: an operator switch-over does not make a node active that reaches neither peer nor isolation host (simulation seed 12)', () => {
    const backup = new Harness(config('backup', { isolationCheck }));
    backup.send({ type: 'start' });
    backup.send({ type: 'link-up', peer: activePeer(1, backup.now) });
    backup.send({ type: 'link-down' });
    probeAnswers(backup, false, timing.pingRateMs * 2);
    const isolated = backup.send({ type: 'switchover-requested' });
    expect(isolated.some((e) => e.type === 'status-changed')).toBe(false);
    expect(backup.state.status).toBe('standby');
    expect(backup.state.epoch).toBe(1);
    expect(backup.recorded('switchover-failed').at(-1)?.reason).toBe(
      'operator request: isolation host not reached',
    );
    // Not known yet (a master still in its connection wait): ask the host first, take over once it answers.
    const master = new Harness(config('master', { isolationCheck }));
    master.send({ type: 'start' });
    const unknown = master.send({ type: 'switchover-requested' });
    expect(master.state.status).toBe('starting');
    expect(unknown).toContainEqual({ type: 'probe-isolation' });
    master.send({ type: 'isolation-probed', reachable: true });
    master.send({ type: 'switchover-requested' });
    expect(master.state.status).toBe('active');
    expect(master.recorded('role-change').at(-1)?.reason).toBe('operator request');
  });

  it('isolation check: a master that reaches the isolation host stays active when the backup is lost', () => {
    const master = new Harness(config('master', { isolationCheck }));
    master.send({ type: 'start' });
    master.send({ type: 'link-up', peer: standbyPeer });
    master.send({ type: 'link-down' });
    probeAnswers(master, true, 10_000);
    expect(master.state.status).toBe('active');
  });

  function dualActive(
    recovery: RecoveryMode,
    masterSince: number,
    backupSince: number,
  ): { master: Harness; backup: Harness } {
    const master = new Harness(config('master', { recovery }));
    const backup = new Harness(config('backup', { recovery }));
    for (const node of [master, backup]) {
      node.send({ type: 'start' });
      node.state = { ...node.state, status: 'active', epoch: 5 };
    }
    master.state = { ...master.state, activeSince: masterSince };
    backup.state = { ...backup.state, activeSince: backupSince };
    master.now = backup.now = Math.max(masterSince, backupSince) + 4000;
    master.send({ type: 'link-up', peer: activePeer(5, backupSince) });
    backup.send({ type: 'link-up', peer: activePeer(5, masterSince) });
    return { master, backup };
  }

  it('split brain healed with automatic recovery: exactly one stays active, the master', () => {
    const { master, backup } = dualActive('automatic', 1000, 500);
    expect(master.state.status).toBe('active');
    expect(backup.state.status).toBe('standby');
    expect(backup.recorded('split-brain')[0]?.durationMs).toBe(4000);
    expect(backup.effects.some((e) => e.type === 'merge-split-changes')).toBe(true);
  });

  it('split brain healed with manual recovery: the node active without interruption stays active', () => {
    const { master, backup } = dualActive('manual', 1000, 500);
    expect(backup.state.status).toBe('active');
    expect(master.state.status).toBe('standby');
    expect(master.recorded('split-brain')[0]?.reason).toBe('partition healed');
  });

  it('split brain healed: on link-up a node tells its peer its current state, as the hello it sent may be stale (simulation seed 105)', () => {
    // The master's hello said standby; it became active before the link was up, so that state frame was lost.
    const backup = new Harness(config('backup'));
    backup.send({ type: 'start' });
    backup.state = { ...backup.state, status: 'active', epoch: 6, activeSince: backup.now - 500 };
    backup.send({ type: 'link-up', peer: { status: 'standby', epoch: 5, activeSince: null } });
    expect(backup.state.status).toBe('active');

    const master = new Harness(config('master'));
    master.send({ type: 'start' });
    master.state = { ...master.state, status: 'active', epoch: 6, activeSince: master.now - 10 };
    const sent = master.send({ type: 'link-up', peer: activePeer(6, backup.now - 500) });
    expect(master.state.status).toBe('active');
    const state = sent.flatMap((e) => (e.type === 'send' && e.frame.t === 'state' ? [e.frame] : []));
    expect(state).toEqual([
      { t: 'state', status: 'active', epoch: 6, activeSince: master.now - 10, heldSince: null },
    ]);

    for (const frame of state) backup.send({ type: 'peer-state', peer: frame });
    expect(backup.state.status).toBe('standby');
    expect(backup.recorded('split-brain')).toHaveLength(1);
  });

  it.each(['manual', 'window'] as const)(
    'split brain healed with %s recovery under an hour of clock skew: the node active without interruption stays active',
    (recovery) => {
      // The backup's clock is an hour behind. By the two clocks' numbers, its activation (during the split)
      // looks an hour older than the master's, which ran the pair throughout; the pair's epoch orders them.
      const hour = 3_600_000;
      const master = new Harness(config('master', { recovery }));
      const backup = new Harness(config('backup', { recovery }));
      backup.now = master.now - hour;
      master.send({ type: 'start' });
      master.state = { ...master.state, status: 'active', epoch: 5, activeSince: master.now - 60_000 };
      backup.send({ type: 'start' });
      backup.send({ type: 'link-up', peer: activePeer(5, master.state.activeSince ?? 0) });
      expect(backup.state).toMatchObject({ status: 'standby', epoch: 5 });

      backup.send({ type: 'link-down' });
      backup.advance(timing.failoverTimeMs + 1000);
      expect(backup.state).toMatchObject({ status: 'active', epoch: 6 });
      master.send({ type: 'link-down' });
      master.advance(timing.failoverTimeMs + 1000);
      expect(master.state.status).toBe('active');

      const masterHello = activePeer(master.state.epoch, master.state.activeSince ?? 0);
      const backupHello = activePeer(backup.state.epoch, backup.state.activeSince ?? 0);
      master.send({ type: 'link-up', peer: backupHello });
      backup.send({ type: 'link-up', peer: masterHello });
      expect(master.state.status).toBe('active');
      expect(backup.state.status).toBe('standby');
      expect(backup.recorded('split-brain')).toHaveLength(1);
      expect(master.recorded('split-brain')).toHaveLength(0);
    },
  );

  it('split brain healed with window recovery when only the link broke: the master stays active', () => {
    const { master, backup } = dualActive('window', 500, 1000);
    expect(master.state.status).toBe('active');
    expect(backup.state.status).toBe('standby');
  });
});

describe('Trust', () => {
  it('trust: a backup whose link waits for certificate approval does not take over while the master answers', () => {
    const backup = new Harness(config('backup'));
    backup.send({ type: 'start' });
    // The master's address answers every re-dial (one per ping rate) with "waiting for approval".
    for (let i = 0; i < 50; i++) {
      backup.advance(timing.pingRateMs);
      backup.send({ type: 'peer-unverified' });
    }
    expect(backup.state.status).toBe('standby');
    expect(backup.effects.some((e) => e.type === 'status-changed' && e.status === 'active')).toBe(false);
  });

  it('trust: a waiting backup takes over once the unverified master stops answering', () => {
    const backup = new Harness(config('backup'));
    backup.send({ type: 'start' });
    backup.advance(timing.pingRateMs);
    backup.send({ type: 'peer-unverified' });
    backup.advance(timing.missedPings * timing.pingRateMs + timing.failoverTimeMs + timing.pingRateMs);
    expect(backup.state.status).toBe('active');
  });
});

describe('Failover history', () => {
  it('peer lost and regained are events', () => {
    const master = new Harness(config('master'));
    master.send({ type: 'start' });
    master.send({ type: 'link-up', peer: standbyPeer });
    master.advance(timing.pingRateMs * 4);
    expect(master.recorded('peer-lost').at(-1)?.reason).toBe('missed heartbeats');
    expect(master.effects.some((e) => e.type === 'drop-link')).toBe(true);
    master.send({ type: 'link-down' });
    master.send({ type: 'link-up', peer: standbyPeer });
    expect(master.recorded('peer-regained')).toHaveLength(1);
  });

  it('a node stepping down from active records where it went and why', () => {
    const master = new Harness(config('master'));
    master.send({ type: 'start' });
    master.send({ type: 'link-up', peer: standbyPeer });
    master.send({ type: 'handover-request', reason: 'operator request' });
    const last = master.recorded('role-change').at(-1);
    expect(last?.reason).toBe('operator request');
  });
});
