/** The fleet's words, order and filter: pure functions, every switch exhaustive (docs/monitor.md "Verdicts"). */
import type { FleetPairView, Verdict } from '../../../node-core/monitor/fleet-dto.ts';

/** Most severe first: the order tiles are shown in. */
const SEVERITY: readonly Verdict[] = ['split', 'down', 'failed-over', 'degraded', 'unknown', 'healthy'];

export function verdictLabel(verdict: Verdict): string {
  switch (verdict) {
    case 'split':
      return 'Split';
    case 'down':
      return 'Down';
    case 'failed-over':
      return 'Failed over';
    case 'degraded':
      return 'Degraded';
    case 'unknown':
      return 'Unknown';
    case 'healthy':
      return 'Healthy';
  }
}

/** Tiles by severity, then by name: the worst pair is always top left. */
export function sortPairs(pairs: readonly FleetPairView[]): FleetPairView[] {
  return [...pairs].sort(
    (a, b) => SEVERITY.indexOf(a.verdict) - SEVERITY.indexOf(b.verdict) || a.key.localeCompare(b.key),
  );
}

export interface FleetFilter {
  /** '' for every site. */
  readonly site: string;
  /** Matched, ignoring case, against the name, site, verdict, headline, problems and node addresses. */
  readonly text: string;
}

export function filterPairs(pairs: readonly FleetPairView[], filter: FleetFilter): FleetPairView[] {
  const words = filter.text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  return pairs.filter((pair) => {
    if (filter.site !== '' && pair.site !== filter.site) return false;
    const haystack = [
      pair.name,
      pair.site ?? '',
      verdictLabel(pair.verdict),
      pair.headline,
      ...pair.problems,
      ...pair.nodes.map((n) => n.url),
    ]
      .join('\n')
      .toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}

/** The sites named in the config, sorted, for the site filter. */
export function sitesOf(pairs: readonly FleetPairView[]): string[] {
  return [...new Set(pairs.map((p) => p.site).filter((s): s is string => s !== null))].sort();
}

/** How many pairs have each verdict, in severity order, leaving out verdicts no pair has. */
export function verdictCounts(pairs: readonly FleetPairView[]): { verdict: Verdict; count: number }[] {
  return SEVERITY.map((verdict) => ({
    verdict,
    count: pairs.filter((p) => p.verdict === verdict).length,
  })).filter((c) => c.count > 0);
}

/** Where a click on the tile goes: the dashboard of the node that runs the plant, else of one that answers. */
export function pairLink(pair: FleetPairView): string | null {
  const node = pair.activeNode
    ? pair.nodes[pair.activeNode.index]
    : (pair.nodes.find((n) => n.answering) ?? null);
  return node?.dashboardUrl ?? null;
}
