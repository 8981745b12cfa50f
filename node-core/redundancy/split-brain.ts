/** Split-brain: both nodes of the pair were active while the link was down, and the link is back. */
import { record, setStatus, type Draft } from './draft.ts';
import type { Effect } from './machine-types.ts';

/**
 * Both nodes active once the link heals: exactly one stays. With automatic recovery the master;
 * otherwise the node that was active without interruption (earlier activeSince), the master on a tie.
 * Both sides compute the same answer from the same facts.
 */
export function resolveDualActive(s: Draft, now: number, fx: Effect[]): void {
  // The peer's time as it stated it, not converted: both sides must reach the same answer from the same two
  // numbers, and an estimate of the offset is not the same on both sides (docs/redundancy.md "Clock skew").
  const mine = s.activeSince ?? now;
  const theirs = s.peer.activeSince ?? now;
  const iAmMaster = s.config.mode === 'master';
  const iWin =
    s.config.recovery === 'automatic' ? iAmMaster : mine < theirs || (mine === theirs && iAmMaster);
  if (iWin) return;
  fx.push(record('split-brain', 'active', 'standby', 'partition healed', dualActiveMs(s, now)));
  setStatus(s, 'standby', fx, 'partition healed');
  fx.push({ type: 'merge-split-changes' });
}

/**
 * How long both nodes were active, on this node's clock: from the later of the two becoming active until now.
 * The peer's `activeSince` is a time of its own clock, so it is read through the measured offset; without one
 * (a peer that states no time), as it is. Either way the answer lies between 0 and the time this node was active
 * itself: an estimate off by a skew can never make it negative or longer than the overlap can be.
 */
export function dualActiveMs(s: Pick<Draft, 'activeSince' | 'peer'>, now: number): number {
  const mine = s.activeSince ?? now;
  const theirs = s.peer.activeSince === null ? now : s.peer.activeSince - (s.peer.clockOffsetMs ?? 0);
  return Math.max(0, Math.round(now - Math.max(mine, theirs)));
}
