/**
 * A pair's verdict from what the monitor last read of its two nodes: one pure function, the rules of
 * docs/monitor.md "Verdicts" in order. No clock, no I/O: the same reads always give the same verdict.
 */
import type { Mode, StatusView } from '../dto.ts';
import type { NodeReach, Verdict } from './fleet-dto.ts';

export interface NodeReading {
  readonly url: string;
  readonly reach: NodeReach;
  /** Why it does not answer; null while it answers. */
  readonly problem: string | null;
  /** The last status it answered (kept after it stops answering; only trusted while `reach` is answering). */
  readonly status: StatusView | null;
}

export interface PairReading {
  /** Why the pair is not watched at all (its name is taken, a token file is missing), or null. */
  readonly problem: string | null;
  readonly nodes: readonly [NodeReading, NodeReading];
  readonly certificatesPending: number;
  readonly certificatesExpiring: number;
}

export interface PairVerdict {
  readonly verdict: Verdict;
  readonly headline: string;
  readonly problems: readonly string[];
  /** The node that runs the plant (index in `nodes`) and its mode; null when none does (or several). */
  readonly active: { readonly index: 0 | 1; readonly mode: Mode | null } | null;
}

export function pairVerdict(pair: PairReading): PairVerdict {
  if (pair.problem !== null)
    return {
      verdict: 'unknown',
      headline: `Not watched: ${pair.problem}`,
      problems: [pair.problem],
      active: null,
    };

  const [a, b] = pair.nodes;
  const live = pair.nodes.map((n) => (n.reach === 'answering' ? n.status : null)) as [
    StatusView | null,
    StatusView | null,
  ];
  // A node the monitor cannot read still runs the plant if its partner, which the monitor reads, says so over a
  // connected link: the monitor's own network trouble is not the pair's.
  const seenByPeer = (i: 0 | 1): boolean => {
    const other = live[i === 0 ? 1 : 0];
    return live[i] === null && other?.peer?.link === 'connected' && other.peer.status === 'active';
  };
  const runs = ([0, 1] as const).filter((i) => live[i]?.node.status === 'active' || seenByPeer(i));
  const modeOf = (i: 0 | 1): Mode | null =>
    live[i]?.node.mode ?? live[i === 0 ? 1 : 0]?.peer?.mode ?? pair.nodes[i].status?.node.mode ?? null;
  const label = (i: 0 | 1): string => `${modeOf(i) ?? `node ${i + 1}`} (${pair.nodes[i].url})`;

  const problems: string[] = [];
  for (const i of [0, 1] as const) {
    const node = pair.nodes[i];
    if (node.reach === 'answering') continue;
    const why = node.problem ?? (node.reach === 'checking' ? 'not read yet' : 'does not answer');
    problems.push(`${label(i)}: ${why}${seenByPeer(i) ? ' (its peer sees it running)' : ''}`);
  }

  if (runs.length === 2)
    return {
      verdict: 'split',
      headline: 'Split: both nodes run the plant',
      problems: ['both nodes are active', ...problems],
      active: null,
    };

  if (runs.length === 0) {
    const someAnswer = a.reach === 'answering' || b.reach === 'answering';
    const unreadable = pair.nodes.some((n) => n.reach !== 'answering' && n.reach !== 'unreachable');
    if (!someAnswer && unreadable) {
      const checking = pair.nodes.every((n) => n.reach === 'checking');
      return {
        verdict: 'unknown',
        headline: checking ? 'Unknown: reading the nodes…' : `Unknown: ${firstUnreadable(pair)}`,
        problems,
        active: null,
      };
    }
    const standby = live
      .map((s, i) => (s ? `${label(i as 0 | 1)} is ${s.node.status}` : null))
      .filter(Boolean);
    return {
      verdict: 'down',
      headline: someAnswer ? 'Down: no node runs the plant' : 'Down: neither node answers',
      problems: [...problems, ...(standby as string[])],
      active: null,
    };
  }

  const index = runs[0]!;
  const mode = modeOf(index);
  problems.push(...pairProblems(pair, live, index, label));
  if (mode === 'backup')
    return {
      verdict: 'failed-over',
      headline: 'Failed over: the backup runs the plant',
      problems,
      active: { index, mode },
    };
  if (problems.length > 0)
    return { verdict: 'degraded', headline: `Degraded: ${problems[0]!}`, problems, active: { index, mode } };
  return {
    verdict: 'healthy',
    headline: `Healthy: the ${mode ?? 'active node'} runs the plant`,
    problems,
    active: { index, mode },
  };
}

/** What keeps a pair with one running node from being healthy, beyond a node the monitor cannot read. */
function pairProblems(
  pair: PairReading,
  live: readonly [StatusView | null, StatusView | null],
  active: 0 | 1,
  label: (i: 0 | 1) => string,
): string[] {
  const problems: string[] = [];
  const other = active === 0 ? 1 : 0;
  const otherStatus = live[other]?.node.status;
  if (otherStatus !== undefined && otherStatus !== 'standby')
    problems.push(`${label(other)} is ${otherStatus}`);
  // The active node's own view of the pair when the monitor reads it, else its partner's.
  const view = live[active] ?? live[other];
  if (view) {
    const link = view.peer?.link ?? 'disconnected';
    if (link !== 'connected')
      problems.push(`peer link ${link}${view.peer?.linkReason ? `: ${view.peer.linkReason}` : ''}`);
    if (view.licenseMatch === 'mismatch')
      problems.push(
        `licenses differ${view.licenseDifferences.length > 0 ? `: ${view.licenseDifferences.join(', ')}` : ''}`,
      );
    if (view.misconfiguration) problems.push(view.misconfiguration);
    for (const line of view.settingsDifferences) problems.push(`settings differ: ${line}`);
    if (view.clockSkew) problems.push(`clocks differ by ${Math.round(view.clockSkew.offsetMs)} ms`);
    if (view.sync.conflicts > 0)
      problems.push(`${view.sync.conflicts} config conflict${view.sync.conflicts === 1 ? '' : 's'} waiting`);
  }
  // Each node checks its own database: either may be the damaged one.
  for (const i of [active, other] as const) {
    if (live[i]?.databaseDamage) problems.push(`${label(i)}'s database is damaged`);
  }
  if (pair.certificatesPending > 0)
    problems.push(
      `${pair.certificatesPending} certificate${pair.certificatesPending === 1 ? '' : 's'} waiting for approval`,
    );
  if (pair.certificatesExpiring > 0)
    problems.push(
      `${pair.certificatesExpiring} certificate${pair.certificatesExpiring === 1 ? '' : 's'} expiring within 30 days`,
    );
  return problems;
}

function firstUnreadable(pair: PairReading): string {
  const node = pair.nodes.find(
    (n) => n.reach !== 'answering' && n.reach !== 'unreachable' && n.reach !== 'checking',
  );
  return node?.problem ?? 'the nodes cannot be read';
}
