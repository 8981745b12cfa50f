/** Split-brain: both nodes of the pair were active while the link was down, and the link is back. */
import { record, send, setStatus, type Draft } from './draft.ts';
import type { Effect } from './machine-types.ts';
import type { TransitionReason } from './types.ts';

/**
 * Both nodes active once the link heals: exactly one stays. With automatic recovery the master;
 * otherwise the node that was active without interruption: the one that became active under the lower pair
 * epoch (it was active before the other took over), then on equal epochs the earlier activeSince, then the
 * master. Both sides compute the same answer from the same facts (docs/redundancy.md "Split-brain").
 */
export function resolveDualActive(s: Draft, now: number, fx: Effect[]): void {
  // An operator chose this node during the split (rule 6): it stays, and asks the peer to stand down.
  if (s.claimedSince !== null) return askPeerToStandDown(s, now, fx);
  const iAmMaster = s.config.mode === 'master';
  const iWin = s.config.recovery === 'automatic' ? iAmMaster : activeWithoutInterruption(s, now);
  if (iWin) return;
  standDownAfterSplit(s, now, fx, 'partition healed');
}

/**
 * Epochs first: each activation takes the highest epoch its node knew plus one, so the node that took over
 * during the split holds the higher one, whatever the two clocks say. Neither node raises its epoch to the
 * peer's while both are active (roles.ts learnEpoch), so these are the epochs they became active under.
 * Equal epochs (both became active without hearing of the other) fall back to activeSince, each as its node
 * stated it, not converted: both sides must reach the same answer from the same numbers, and an estimate of
 * the offset is not the same on both sides (docs/redundancy.md "Clock skew"); then the master.
 */
function activeWithoutInterruption(s: Draft, now: number): boolean {
  if (s.epoch !== s.peer.epoch) return s.epoch < s.peer.epoch;
  const mine = s.activeSince ?? now;
  const theirs = s.peer.activeSince ?? now;
  return mine < theirs || (mine === theirs && s.config.mode === 'master');
}

/**
 * This node loses a split: recorded with how long both were active, standby, and what it changed meanwhile
 * merged into the winner's data by key (docs/rules.md "Partitions").
 */
export function standDownAfterSplit(s: Draft, now: number, fx: Effect[], reason: TransitionReason): void {
  fx.push(record('split-brain', 'active', 'standby', 'partition healed', dualActiveMs(s, now)));
  setStatus(s, 'standby', fx, reason);
  fx.push({ type: 'merge-split-changes' });
}

/** Sent once per claim: the peer answers with a handover-ack once it stood down (handover.ts onHandoverAck). */
export function askPeerToStandDown(s: Draft, now: number, fx: Effect[]): void {
  if (s.handover.kind !== 'none') return;
  s.handover = { kind: 'requested', since: now, reason: 'operator request' };
  fx.push(send({ t: 'handover-request', reason: 'operator request' }));
}

/**
 * How long both nodes were active, on this node's clock: from the later of the two becoming active until now.
 * The peer's `activeSince` is a time of its own clock, so it is read through the measured offset; without one
 * (a peer that states no time), as it is. Either way the answer lies between 0 and the time this node was active
 * itself: an estimate off by a skew can never make it negative or longer than the overlap can be.
 */
function dualActiveMs(s: Pick<Draft, 'activeSince' | 'peer'>, now: number): number {
  const mine = s.activeSince ?? now;
  const theirs = s.peer.activeSince === null ? now : s.peer.activeSince - (s.peer.clockOffsetMs ?? 0);
  return Math.max(0, Math.round(now - Math.max(mine, theirs)));
}
