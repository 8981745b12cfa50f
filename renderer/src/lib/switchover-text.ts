/**
 * What the dashboard says about an operator's switch-over: what will happen before it (the dialog) and the hold
 * after it, on both nodes (docs/redundancy.md "An operator's switch-over holds").
 */
import type { Mode, RecoveryMode, StatusView } from '../../../node-core/dto.ts';
import { formatTime } from './format.ts';

function roleName(mode: Mode | null): string {
  return mode === 'master' ? 'the master' : mode === 'backup' ? 'the backup' : 'the peer';
}

/** The pair held on one node by an operator, as one sentence; null when no node holds. */
export function holdText(view: StatusView): string | null {
  const peer = view.peer;
  const node = view.node;
  if (node.heldSince !== null) {
    return (
      `An operator switched the pair to ${roleName(peer?.mode ?? null)} at ${formatTime(node.heldSince)}: ` +
      `this node (${roleName(node.mode)}) stays standby until an operator switches back or it is restarted.`
    );
  }
  if (peer?.heldSince) {
    return (
      `An operator switched the pair to this node (${roleName(node.mode)}) at ${formatTime(peer.heldSince)}: ` +
      `${roleName(peer.mode)} stays standby until an operator switches back or it is restarted.`
    );
  }
  return null;
}

/** The confirmation of a switch-over to this node: what happens, and that the peer then holds. */
export function switchoverPromise(view: StatusView): string {
  const peer = roleName(view.peer?.mode ?? null);
  const holds =
    view.peer?.mode !== 'master'
      ? `${capitalised(peer)} stays standby and takes over again only if this node fails or stops.`
      : `${capitalised(peer)} then stays standby until an operator switches back to it, or it is restarted` +
        recoveryClause(view.node.recovery);
  return (
    `This node becomes the running node and ${peer} goes to standby. ${capitalised(peer)} stands down first, so ` +
    `there is never a moment with two running nodes; the switch takes about one heartbeat. ${holds}`
  );
}

function recoveryClause(recovery: RecoveryMode): string {
  switch (recovery) {
    case 'automatic':
      return ': its automatic recovery does not take the role back meanwhile.';
    case 'window':
      return ': its restore window does not take the role back meanwhile.';
    case 'manual':
      return '.';
  }
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
