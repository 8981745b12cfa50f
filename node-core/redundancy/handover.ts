/**
 * Hand-overs of the active role between the two nodes, and both sides of each: a switch-over (operator, restore
 * window), automatic recovery (pull from the peer first, then ask it to stand down) and the clean stop of an
 * active node (offer, then stop). `state.handover` says which one this node drives, so that the peer's answers
 * are read in context; one whose answer does not come in time is abandoned (handoverTimedOut).
 */
import { becomeActive, record, send, setStatus, stateFrame, stop, type Draft } from './draft.ts';
import { askPeerToStandDown, standDownAfterSplit } from './split-brain.ts';
import type { Effect, MachineState } from './machine-types.ts';
import type { TransitionReason } from './types.ts';

/** Automatic recovery: take back everything the backup changed before asking it to stand down. */
export function reclaim(s: Draft, now: number, fx: Effect[]): void {
  s.handover = { kind: 'pulling', since: now, reason: 'automatic recovery' };
  fx.push({ type: 'pull-from-peer' });
}

/** Everything the peer changed is here now: ask it to stand down. */
export function onSyncComplete(s: Draft, now: number, fx: Effect[]): void {
  if (s.handover.kind === 'pulling') {
    s.handover = { kind: 'requested', since: now, reason: s.handover.reason };
    fx.push(send({ t: 'handover-request', reason: s.handover.reason }));
  }
}

export function requestSwitchover(s: Draft, now: number, fx: Effect[], reason: TransitionReason): void {
  if (s.status === 'active' && reason === 'operator request') return claimActive(s, now, fx);
  if (s.status === 'active' || s.status === 'stopping' || s.handover.kind !== 'none') return;
  const peerUp = s.peer.linked && !s.peer.lost;
  if (peerUp && s.peer.status === 'active') {
    s.handover = { kind: 'requested', since: now, reason };
    fx.push(send({ t: 'handover-request', reason }));
  } else if (s.config.isolationCheck !== null && !peerUp && s.isolationReachable !== true) {
    // Partitions: without its peer, a node becomes active only when it reaches the isolation host; on request
    // it would step down again at once, or at the next probe (found by the simulation, seed 12). Ask the host.
    fx.push(record('switchover-failed', s.status, s.status, `${reason}: isolation host not reached`, null));
    fx.push({ type: 'probe-isolation' });
  } else {
    becomeActive(s, now, fx, reason, null);
  }
}

/**
 * An operator asked for this node while it is active (rule 6): the pair runs here, and the choice stands
 * through a split. With the peer active right now (a split that is healing), this node keeps the role and
 * asks the peer to stand down, which then holds. Found by `npm run chaos` seed 441061: a backup that took
 * over from a frozen master was asked for by the operator ("status: active"), and a second later the resumed
 * master won the split by automatic recovery.
 */
function claimActive(s: Draft, now: number, fx: Effect[]): void {
  s.claimedSince ??= now;
  if (s.peer.linked && !s.peer.lost && s.peer.status === 'active') askPeerToStandDown(s, now, fx);
}

export function onHandoverRequest(s: Draft, now: number, fx: Effect[], reason: TransitionReason): void {
  const operator = reason === 'operator request';
  const ownRequest = s.handover.kind === 'requested' ? s.handover.reason : null;
  if (operator && s.status === 'standby' && ownRequest === 'operator request') {
    // Operators asked for both nodes at once and the requests crossed: the active peer stands down for this
    // one and this standby takes over, so this answers the peer's request without holding or yielding. Had
    // it yielded too, both would stand by, each held (simulation seed 3544).
    fx.push(send({ t: 'handover-ack' }));
    return;
  }
  // The peer wants to be active: stand down first, then say so; frames stay in order on the link.
  // An operator moved the pair away from this node: it holds as standby (rule 6); the state frame says so.
  const wasStandby = s.status === 'standby';
  if (operator && (s.status === 'active' || wasStandby)) s.heldSince = now;
  if (s.status === 'active' && s.peer.status === 'active') {
    // Both active: the peer's operator decided the split. This node loses it as resolveDualActive's loser
    // does: recorded, and its changes of the split merged into the peer's (split-brain.ts).
    standDownAfterSplit(s, now, fx, reason);
  } else if (s.status === 'active') {
    setStatus(s, 'standby', fx, reason);
  } else if (operator && wasStandby) {
    // Already standby (it lost the split on its own): the hold is news to the peer, the state frame carries it.
    fx.push(send(stateFrame(s)));
  }
  if (s.status === 'standby') s.handover = { kind: 'yielded', since: now };
  fx.push(send({ t: 'handover-ack' }));
}

export function onHandoverAck(s: Draft, now: number, fx: Effect[]): void {
  if (s.handover.kind === 'requested') {
    const { since, reason } = s.handover;
    s.handover = { kind: 'none' };
    s.peer = { ...s.peer, status: 'standby' };
    becomeActive(s, now, fx, reason, now - since);
  } else if (s.handover.kind === 'offered') {
    stop(s, fx, 'stopping');
  }
}

/** Clean stop (docs/rules.md "Roles 4"): an active node with a standby peer offers it the role first. */
export function onStopRequested(s: Draft, now: number, fx: Effect[]): void {
  if (s.status === 'active' && s.peer.linked && !s.peer.lost && s.peer.status === 'standby') {
    setStatus(s, 'stopping', fx, 'stopping');
    s.handover = { kind: 'offered', since: now };
    fx.push(send({ t: 'handover-offer' }));
  } else {
    if (s.peer.linked) fx.push(send({ t: 'goodbye' }));
    stop(s, fx, 'stopping');
  }
}

export function onHandoverOffer(s: Draft, now: number, fx: Effect[]): void {
  // The active peer is stopping cleanly: take over at once, without waiting for missed heartbeats.
  if (s.status !== 'stopping') becomeActive(s, now, fx, 'clean hand-over', 0);
  fx.push(send({ t: 'handover-ack' }));
  s.peer = { ...s.peer, status: 'stopping' };
}

/**
 * The node gave the role away in a switch-over and waits for its peer's word that it is active: for that
 * moment nobody runs the pair (OPC UA's ServiceLevel 0, docs/opcua.md). A clean stop's offer is not this: its
 * status, stopping, says it.
 */
export function yieldingToPeer(s: Pick<MachineState, 'handover'>): boolean {
  return s.handover.kind === 'yielded';
}

/**
 * A stopping node waits for its standby's confirmation no longer than the ping timeout: it stops either way.
 * A switch-over (asked for, or yielded to) waits as long as a silent peer takes to count as lost, the failover
 * time: a hand-over that ran out after one ping timeout failed under load although both nodes were answering,
 * and the operator's switch-over was undone (chaos seeds 735363, 735364: the acknowledgement came 25 ms late).
 */
export function handoverDeadline(s: Pick<Draft, 'handover' | 'config'>): number | null {
  const h = s.handover;
  if (h.kind === 'none' || h.kind === 'pulling') return null;
  const { pingTimeoutMs, failoverTimeMs } = s.config.timing;
  return h.since + (h.kind === 'offered' ? pingTimeoutMs : Math.max(pingTimeoutMs, failoverTimeMs));
}

export function handoverTimedOut(s: Draft, now: number): boolean {
  const deadline = handoverDeadline(s);
  return deadline !== null && now >= deadline;
}

export function abandonHandover(s: Draft, now: number, fx: Effect[], why: string): void {
  const h = s.handover;
  if (h.kind === 'none') return;
  s.handover = { kind: 'none' };
  if (h.kind === 'offered') {
    stop(s, fx, 'stopping');
    return;
  }
  if (h.kind === 'yielded') return;
  fx.push(record('switchover-failed', s.status, s.status, `${h.reason}: ${why}`, now - h.since));
  if (s.status === 'starting') setStatus(s, 'standby', fx, 'peer lost during recovery');
}
