/**
 * The pair as the partner sees it, for when this node stops answering (issue 15 item 2): one sentence that
 * says who runs the plant ("The backup is running since 14:32:06, failover 3.0 s."), what the partner says of
 * this node, and how old that reading is. Pure; the partner's answers come from pair-watch.svelte.ts. Only a
 * fresh answer of the partner is shown as the pair's state: an older one is said to be stale.
 */
import type { FailoverEvent, LinkState, Mode, Status, StatusView } from '../../../node-core/dto.ts';
import { formatClock, formatDuration, linkLabel, statusLabel } from './format.ts';

/** What the partner last answered, and when (on this page's clock). */
export interface PartnerReading {
  readonly status: StatusView;
  readonly events: readonly FailoverEvent[] | null;
  readonly at: number;
}

export interface PairFallback {
  /** "backup", "master", or "other node" (independent or unknown). */
  readonly partner: string;
  readonly partnerStatus: Status;
  /** The sentence that says who runs: "The backup is running since 14:32:06, failover 3.0 s." */
  readonly sentence: string;
  /** What the partner says of this node: its link to it, as words. */
  readonly thisNodeSeen: string;
  /** The partner's reading is older than the bound: shown, but marked stale, never as the pair's state now. */
  readonly stale: boolean;
  readonly readAt: number;
}

function partnerWord(mode: Mode | null): string {
  return mode === 'master' || mode === 'backup' ? mode : 'other node';
}

/** The partner's newest take-over: an event of the partner's that made it active. */
export function takeoverOf(events: readonly FailoverEvent[] | null, partnerId: string): FailoverEvent | null {
  return events?.find((e) => e.nodeId === partnerId && e.to === 'active') ?? null;
}

/**
 * The pair as the partner sees it, when this node did not answer (`ownAnswering` false) and the partner did
 * at least once; `null` otherwise. `staleAfterMs`: a reading older than this is marked stale.
 */
export function pairFallback(
  ownAnswering: boolean,
  reading: PartnerReading | null,
  now: number,
  staleAfterMs: number,
): PairFallback | null {
  if (ownAnswering || !reading) return null;
  const { node, peer } = reading.status;
  const partner = partnerWord(node.mode);
  let sentence: string;
  if (node.status === 'active') {
    const takeover = takeoverOf(reading.events, node.nodeId);
    const since = takeover?.at ?? node.startedAt;
    const failover =
      takeover?.durationMs !== null && takeover?.durationMs !== undefined
        ? `, failover ${formatDuration(takeover.durationMs)}`
        : '';
    sentence = `The ${partner} is running since ${formatClock(new Date(since))}${failover}.`;
  } else {
    sentence = `The ${partner} is ${statusLabel(node.status).toLowerCase()}: no node of the pair is running that this page can see.`;
  }
  return {
    partner,
    partnerStatus: node.status,
    sentence,
    thisNodeSeen: seenAs(peer?.link ?? null, peer?.lastHeartbeatAt ?? null),
    stale: now - reading.at > staleAfterMs,
    readAt: reading.at,
  };
}

function seenAs(link: LinkState | null, lastHeartbeatAt: string | null): string {
  if (link === null) return 'it has no link to this node';
  if (link === 'connected') return 'it still has a link to this node';
  const heard = lastHeartbeatAt ? `; last heard ${formatClock(new Date(lastHeartbeatAt))}` : '';
  return `its link to this node: ${linkLabel(link).toLowerCase()}${heard}`;
}
