/** The rules of docs/rules.md ("Roles", "Partitions") that follow from what this node now knows. */
import { assertNever, becomeActive, send, setStatus, stateFrame, type Draft } from './draft.ts';
import { reclaim, requestSwitchover } from './handover.ts';
import type { Effect } from './machine-types.ts';
import { currentOrNextWindowStart } from './restore-window.ts';
import { resolveDualActive } from './split-brain.ts';

/**
 * The epoch belongs to the pair: a node keeps the highest it has heard of, durably, so it never goes back.
 * It says so to the peer, whose dashboard otherwise shows this node's epoch from its hello, older than its own.
 * Not while both are active: the split is decided on the epochs each became active under (split-brain.ts).
 */
export function learnEpoch(s: Draft, fx: Effect[]): void {
  if (s.peer.epoch <= s.epoch) return;
  if (s.status === 'active' && s.peer.status === 'active') return;
  s.epoch = s.peer.epoch;
  fx.push({ type: 'epoch-learned', epoch: s.epoch });
  fx.push(send(stateFrame(s)));
}

export function decide(s: Draft, now: number, fx: Effect[]): void {
  if (s.status === 'stopping') return;
  const peerUp = s.peer.linked && !s.peer.lost;
  const isolated = s.config.isolationCheck !== null && !peerUp && s.isolationReachable === false;

  // Partitions: a node that reaches neither its peer nor the isolation host assumes it is the isolated one.
  if (isolated && s.status === 'active') {
    setStatus(s, 'standby', fx, 'isolated');
    return;
  }

  if (s.status === 'starting') {
    decideMasterBoot(s, now, fx, peerUp, isolated);
    return;
  }

  if (peerUp && s.status === 'active' && s.peer.status === 'active') {
    resolveDualActive(s, now, fx);
    return;
  }

  if (s.status === 'standby' && s.handover.kind === 'none') {
    if (peerUp && s.config.mode === 'master') {
      // An operator's switch-over holds (rule 6): no recovery takes the role back from the peer meanwhile.
      const held = s.heldSince !== null;
      if (s.peer.status === 'standby') becomeActive(s, now, fx, 'no active node', null);
      else if (held) return;
      else if (s.peer.status === 'active' && s.config.recovery === 'automatic') reclaim(s, now, fx);
      else if (s.peer.status === 'active' && s.config.recovery === 'window' && restoreWindowOpen(s, now)) {
        requestSwitchover(s, now, fx, 'restore window');
      }
    } else if (!peerUp && takeOverDue(s, now)) {
      becomeActive(s, now, fx, 'missed heartbeats', now - s.heartbeat.lastAnsweredAt);
    }
  }
}

function decideMasterBoot(s: Draft, now: number, fx: Effect[], peerUp: boolean, isolated: boolean): void {
  if (s.handover.kind !== 'none') return;
  if (peerUp && s.peer.status === 'active') {
    switch (s.config.recovery) {
      case 'automatic':
        reclaim(s, now, fx);
        return;
      case 'manual':
        setStatus(s, 'standby', fx, 'manual recovery: backup is active');
        return;
      case 'window':
        setStatus(s, 'standby', fx, 'waiting for restore window');
        return;
      default:
        return assertNever(s.config.recovery);
    }
  }
  if (peerUp && s.peer.status !== null) {
    becomeActive(s, now, fx, 'backup connected as standby', null);
    return;
  }
  if (s.connectDeadline !== null && now >= s.connectDeadline) {
    if (isolated) setStatus(s, 'standby', fx, 'isolated');
    else if (s.config.isolationCheck === null || s.isolationReachable === true) {
      becomeActive(s, now, fx, 'no backup within connection wait', null);
    } else fx.push({ type: 'probe-isolation' });
  }
}

function restoreWindowOpen(s: Draft, now: number): boolean {
  const window = s.config.restoreWindow;
  const start = window ? currentOrNextWindowStart(window, now) : null;
  return start !== null && start <= now;
}

/**
 * The earliest time rule 3 lets a standby without its peer take over: a failover time after the peer's last
 * answer, and, for a node that was cut off itself, a failover time (at least the missed pings' span) after it
 * reached the isolation host again: the heartbeats it missed while cut off say nothing about its peer.
 */
export function takeOverEarliest(s: Pick<Draft, 'config' | 'heartbeat' | 'isolationEndedAt'>): number {
  const { missedPings, pingRateMs, failoverTimeMs } = s.config.timing;
  const afterPeer = s.heartbeat.lastAnsweredAt + failoverTimeMs;
  if (s.isolationEndedAt === null) return afterPeer;
  return Math.max(afterPeer, s.isolationEndedAt + Math.max(failoverTimeMs, missedPings * pingRateMs));
}

function takeOverDue(s: Draft, now: number): boolean {
  if (s.heartbeat.missed < s.config.timing.missedPings || now < takeOverEarliest(s)) return false;
  return s.config.isolationCheck === null || s.isolationReachable === true;
}
