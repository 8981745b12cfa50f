/** Split-brain: both nodes of the pair were active while the link was down, and the link is back. */
import { record, setStatus, type Draft } from './draft.ts';
import type { Effect } from './machine.ts';

/**
 * Both nodes active once the link heals: exactly one stays. With automatic recovery the master;
 * otherwise the node that was active without interruption (earlier activeSince), the master on a tie.
 * Both sides compute the same answer from the same facts.
 */
export function resolveDualActive(s: Draft, now: number, fx: Effect[]): void {
  const mine = s.activeSince ?? now;
  const theirs = s.peer.activeSince ?? now;
  const iAmMaster = s.config.mode === 'master';
  const iWin =
    s.config.recovery === 'automatic' ? iAmMaster : mine < theirs || (mine === theirs && iAmMaster);
  if (iWin) return;
  const dualActiveMs = now - Math.max(mine, theirs);
  fx.push(record('split-brain', 'active', 'standby', 'partition healed', dualActiveMs));
  setStatus(s, 'standby', fx, 'partition healed');
  fx.push({ type: 'merge-split-changes' });
}
