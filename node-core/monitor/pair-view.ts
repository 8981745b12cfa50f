/** One tile's worth of `GET /api/fleet`: the verdict (./verdict.ts) and the figures behind it, from two readers. */
import type { FailoverEvent, StatusView } from '../dto.ts';
import type { WatchedPair } from './config.ts';
import type { FleetFailover, FleetNodeView, FleetPairView } from './fleet-dto.ts';
import type { NodeReader } from './node-reader.ts';
import { pairVerdict } from './verdict.ts';

/** A certificate this close to its end counts as expiring (docs/monitor.md). */
const EXPIRY_WARNING_MS = 30 * 24 * 3600_000;

export function pairView(
  pair: WatchedPair,
  readers: readonly [NodeReader, NodeReader],
  now: number,
): FleetPairView {
  const certificates = readers.flatMap((r) => (r.answering ? r.certificates : []));
  const byFingerprint = new Map(certificates.map((c) => [c.fingerprint, c]));
  const unique = [...byFingerprint.values()];
  const reading = {
    problem: pair.problem,
    nodes: readers.map((r, i) => ({
      url: pair.nodes[i]!.url,
      reach: r.reach,
      problem: r.problem,
      status: r.status,
    })) as [never, never],
    certificatesPending: unique.filter((c) => c.state === 'pending').length,
    certificatesExpiring: unique.filter(
      (c) => c.state === 'trusted' && Date.parse(c.notAfter) - now < EXPIRY_WARNING_MS,
    ).length,
  };
  const verdict = pairVerdict(reading);
  const live = readers.map((r) => (r.answering ? r.status : null));
  // Figures from the active node's own view when the monitor reads it, else from the other's.
  const view: StatusView | null =
    (verdict.active ? live[verdict.active.index] : null) ?? live[0] ?? live[1] ?? null;
  const roleChanges = newestFirst(readers.flatMap((r) => r.roleChanges));
  const activeId = verdict.active ? activeNodeId(readers, verdict.active.index) : null;
  const becameActive = roleChanges.find((e) => e.to === 'active' && e.nodeId === activeId);
  const failover = roleChanges.find((e) => e.to === 'active' && e.from === 'standby');
  const alarms = readers.map((r) => (r.answering ? r.unacknowledgedAlarms : null));
  const activeAlarms = verdict.active ? alarms[verdict.active.index] : null;
  return {
    key: pair.key,
    name: pair.name,
    site: pair.site,
    verdict: verdict.verdict,
    headline: verdict.headline,
    problems: verdict.problems,
    activeNode: verdict.active
      ? {
          index: verdict.active.index,
          mode: verdict.active.mode,
          since: becameActive?.at ?? live[verdict.active.index]?.node.startedAt ?? null,
        }
      : null,
    lastFailover: failover ? failoverOf(failover) : null,
    linkRttMs: view?.peer?.link === 'connected' ? view.peer.rttMs : null,
    replicationLagMs: view?.sync.runtimeLagMs ?? null,
    licenseMatch: view?.licenseMatch ?? 'unknown',
    certificatesPending: reading.certificatesPending,
    certificatesExpiring: reading.certificatesExpiring,
    conflicts: view?.sync.conflicts ?? 0,
    unacknowledgedAlarms: activeAlarms ?? alarms.find((a) => a !== null) ?? null,
    nodes: readers.map((r, i) => nodeView(pair.nodes[i]!.url, r)) as unknown as [
      FleetNodeView,
      FleetNodeView,
    ],
  };
}

function nodeView(url: string, reader: NodeReader): FleetNodeView {
  return {
    url,
    dashboardUrl: `${url}/`,
    reach: reader.reach,
    answering: reader.answering,
    since: new Date(reader.since).toISOString(),
    problem: reader.problem,
    via: reader.answering ? reader.via : null,
    name: reader.status?.node.name ?? null,
    mode: reader.status?.node.mode ?? null,
    status: reader.status?.node.status ?? null,
    stale: !reader.answering && reader.status !== null,
  };
}

function activeNodeId(readers: readonly [NodeReader, NodeReader], index: 0 | 1): string | null {
  const own = readers[index].answering ? readers[index].status?.node.nodeId : undefined;
  return own ?? readers[index === 0 ? 1 : 0].status?.peer?.nodeId ?? null;
}

function newestFirst(events: readonly FailoverEvent[]): FailoverEvent[] {
  const unique = new Map(events.map((e) => [e.id, e]));
  return [...unique.values()].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
}

function failoverOf(event: FailoverEvent): FleetFailover {
  return { at: event.at, reason: event.reason, durationMs: event.durationMs, node: event.node };
}
