/**
 * Whether the pair is healthy, in one line at the top of the Overview: "Pair healthy: master running, backup
 * ready", "Running on the backup since … — master not answering", or "Needs attention: …". Pure: worked out
 * from what the node said (its status, whether it still answers, the failover history it sent).
 */
import type { FailoverEvent, Mode, Status, StatusView } from '../../../node-core/dto.ts';
import { countOf, formatDuration, formatTime } from './format.ts';

export interface PairHealth {
  /** good: redundant, nothing waits; warn: something waits for an operator; bad: no redundancy or no answer. */
  readonly tone: 'good' | 'info' | 'warn' | 'bad';
  readonly text: string;
}

export interface PairHealthInput {
  readonly status: StatusView;
  /** False when this node's API did not answer the last time: `status` is then its last known state. */
  readonly answering: boolean;
  /** The failover history as loaded (newest first), for when the running node took over; null if not loaded. */
  readonly events: readonly FailoverEvent[] | null;
  /** Peer certificates waiting for approval on this node. */
  readonly certificatesPending: number;
  /**
   * While this node does not answer: what the other node of the pair reports of itself (read by the
   * dashboard beside this node), or null. The banner above then says that this node is not answering.
   */
  readonly partnerReport?: { readonly partner: string; readonly partnerStatus: Status } | null;
}

export function pairHealth(input: PairHealthInput): PairHealth {
  const { status, answering } = input;
  const { node, peer } = status;
  if (!answering && input.partnerReport) {
    const { partner, partnerStatus } = input.partnerReport;
    return partnerStatus === 'active'
      ? { tone: 'warn', text: `Running on the ${partner}, as it reports itself.` }
      : { tone: 'bad', text: `Needs attention: the ${partner} reports itself ${statusWord(partnerStatus)}.` };
  }
  if (!answering) {
    return {
      tone: 'bad',
      text: 'Needs attention: this node is not answering; what follows is its last known state.',
    };
  }
  if (!peer) {
    return node.status === 'active'
      ? { tone: 'info', text: 'Running independent: this node has no peer, so there is no redundancy.' }
      : { tone: 'warn', text: `Needs attention: this node (independent) is ${statusWord(node.status)}.` };
  }
  if (status.misconfiguration) {
    return {
      tone: 'bad',
      text: `Needs attention: the two nodes cannot form a pair — ${status.misconfiguration}.`,
    };
  }
  const here = roleOf(node.mode);
  const there = roleOf(peer.mode);

  if (peer.link !== 'connected') {
    const alone =
      node.status === 'active'
        ? `the ${here} runs without redundancy`
        : `this node (${here}) is ${statusWord(node.status)}`;
    if (peer.link === 'pending-approval') {
      const where = input.certificatesPending > 0 ? 'on this node' : 'on the peer';
      return {
        tone: 'warn',
        text: `Needs attention: the peer link waits for certificate approval ${where}; ${alone}.`,
      };
    }
    if (peer.link === 'rejected') {
      return {
        tone: 'bad',
        text: `Needs attention: a peer certificate was rejected, so the nodes cannot link; ${alone}.`,
      };
    }
    if (node.status === 'active') {
      const since = activeSince(input.events, node.nodeId);
      return {
        tone: 'bad',
        text: `Running on the ${here}${since ? ` since ${formatTime(since)}` : ''} — ${there} not answering.`,
      };
    }
    return {
      tone: 'bad',
      text: `Needs attention: the ${there} is not answering, and this node (${here}) is ${statusWord(node.status)}.`,
    };
  }

  const peerStatus = peer.status;
  if (node.status === 'active' && peerStatus === 'active') {
    return { tone: 'bad', text: 'Needs attention: both nodes are running (dual active).' };
  }
  const roles = rolesText(node.mode, node.status, peer.mode, peerStatus);
  if (roles === null) {
    return {
      tone: 'warn',
      text: `Needs attention: no node is running (this node ${statusWord(node.status)}, the ${there} ${statusWord(peerStatus)}).`,
    };
  }
  const ready =
    (node.status === 'active' && peerStatus === 'standby') ||
    (node.status === 'standby' && peerStatus === 'active');
  const waiting = waitingItems(input);
  if (!ready) return { tone: 'warn', text: `Needs attention: ${[roles, ...waiting].join('; ')}.` };
  if (waiting.length > 0)
    return { tone: 'warn', text: `Needs attention: ${waiting.join('; ')}. ${capitalised(roles)}.` };
  return { tone: 'good', text: `Pair healthy: ${roles}` };
}

/** `master running, backup ready`; `backup running, master starting`; null when neither runs. */
function rolesText(
  nodeMode: Mode,
  nodeStatus: Status,
  peerMode: Mode | null,
  peerStatus: Status | null,
): string | null {
  const describe = (mode: Mode | null, status: Status | null): string =>
    `${roleOf(mode)} ${status === 'standby' ? 'ready' : statusWord(status)}`;
  if (nodeStatus === 'active') return `${roleOf(nodeMode)} running, ${describe(peerMode, peerStatus)}`;
  if (peerStatus === 'active') return `${roleOf(peerMode)} running, ${describe(nodeMode, nodeStatus)}`;
  return null;
}

/** What waits for an operator although both nodes do their part. */
function waitingItems(input: PairHealthInput): string[] {
  const { status } = input;
  const items: string[] = [];
  if (status.licenseMatch === 'mismatch') items.push("the nodes' licenses differ");
  if (status.settingsDifferences.length > 0) items.push("the nodes' recovery or heartbeat settings differ");
  if (status.clockSkew) {
    const { offsetMs } = status.clockSkew;
    items.push(
      `the peer's clock is ${formatDuration(Math.abs(offsetMs))} ${offsetMs > 0 ? 'ahead' : 'behind'}`,
    );
  }
  if (status.sync.conflicts > 0) {
    items.push(
      `${countOf(status.sync.conflicts, 'config change')} from a split ${status.sync.conflicts === 1 ? 'waits' : 'wait'} for review`,
    );
  }
  if (input.certificatesPending > 0) {
    items.push(
      `${countOf(input.certificatesPending, 'peer certificate')} ${input.certificatesPending === 1 ? 'waits' : 'wait'} for approval`,
    );
  }
  return items;
}

/** When the node took over: its newest change to active in the history, if the history loaded holds it. */
function activeSince(events: readonly FailoverEvent[] | null, nodeId: string): string | null {
  const event = events?.find((e) => e.kind === 'role-change' && e.nodeId === nodeId && e.to === 'active');
  return event?.at ?? null;
}

function roleOf(mode: Mode | null): string {
  return mode === 'master' || mode === 'backup' ? mode : mode === 'independent' ? 'independent node' : 'peer';
}

function statusWord(status: Status | null): string {
  switch (status) {
    case 'active':
      return 'running';
    case 'standby':
      return 'on standby';
    case 'starting':
      return 'starting';
    case 'stopping':
      return 'stopping';
    case null:
      return 'in an unknown state';
  }
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
