/**
 * What the dashboard says about an operator's switch-over: what will happen before it (the dialog) and the hold
 * after it, on both nodes (docs/redundancy.md "An operator's switch-over holds").
 */
import type { Mode, RecoveryMode, StatusView } from '../../../node-core/dto.ts';
import type { ActionNotice } from './action-notice.ts';
import type { SwitchoverAnswer } from './api-client.ts';
import { formatTime, statusLabel } from './format.ts';

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

/**
 * The result of a switch-over, in words that never contradict the status: a node that became active by a
 * failover after its switch-over failed says both, not "done".
 */
export function switchoverNotice(answer: SwitchoverAnswer): ActionNotice {
  const now = statusLabel(answer.status).toLowerCase();
  const failed = (message: string, code: string): ActionNotice => ({
    tone: 'error',
    message,
    problem: { status: 200, code, message: `${answer.outcome ?? 'no outcome'}, status ${answer.status}` },
  });
  if (answer.outcome === 'failed') {
    const why = answer.reason ? ` (${answer.reason})` : '';
    return answer.status === 'active'
      ? failed(
          `Switch-over failed${why}, but this node is running: it took over when its peer stopped answering. ` +
            'See the failover history.',
          'SWITCHOVER_FAILED',
        )
      : failed(
          `Switch-over failed${why}. This node is ${now}. See the failover history.`,
          'SWITCHOVER_FAILED',
        );
  }
  if (answer.status === 'active')
    return { tone: 'success', message: 'Switch-over done: this node is running.', whileStatus: 'active' };
  return failed(
    `Switch-over requested, but this node is still ${now}. See the failover history.`,
    'SWITCHOVER_INCOMPLETE',
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
