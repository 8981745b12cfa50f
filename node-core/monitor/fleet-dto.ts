/** What `GET /api/fleet` answers (docs/contract.md, docs/monitor.md); the fleet dashboard imports these as types. */
import type { Mode, Status } from '../dto.ts';

/** docs/monitor.md "Verdicts" defines each; listed from the most severe. */
export const VERDICTS = ['split', 'down', 'failed-over', 'degraded', 'unknown', 'healthy'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** How the monitor reads one node right now. */
export type NodeReach =
  /** Not read yet since the monitor started (or since the config changed). */
  | 'checking'
  | 'answering'
  /** Refused, reset, no answer in time, address not found. */
  | 'unreachable'
  /** The node refused the token (401, or the live socket closed with 4401). */
  | 'unauthorized'
  /** The TLS certificate is not the one the config pins. */
  | 'fingerprint-mismatch';

export interface FleetNodeView {
  readonly url: string;
  /** The node's dashboard (same address as its API). */
  readonly dashboardUrl: string;
  readonly reach: NodeReach;
  readonly answering: boolean;
  /** ISO time since when `answering` has been what it is (the monitor's start for a node never read). */
  readonly since: string;
  /** Why it does not answer, in words for the tile and the log; null while it answers. */
  readonly problem: string | null;
  /** How the monitor reads it: the live WebSocket, or polling `GET /api/status` where that is not possible. */
  readonly via: 'live' | 'poll' | null;
  /** Last known (kept while the node does not answer; `stale` says so). */
  readonly name: string | null;
  readonly mode: Mode | null;
  readonly status: Status | null;
  readonly stale: boolean;
}

export interface FleetFailover {
  readonly at: string;
  readonly reason: string;
  readonly durationMs: number | null;
  /** The mode of the node that took over. */
  readonly node: Mode;
}

export interface FleetPairView {
  /** Unique within the monitor (the name, `#2` appended to a name used again). */
  readonly key: string;
  readonly name: string;
  readonly site: string | null;
  readonly verdict: Verdict;
  /** One line, readable across the room: what the verdict means for this pair now. */
  readonly headline: string;
  /** Everything behind a verdict other than healthy, one line each (also the log's lines). */
  readonly problems: readonly string[];
  /** The node running the plant: its mode (`master`/`backup`) and index in `nodes`; null when none is. */
  readonly activeNode: {
    readonly index: number;
    readonly mode: Mode | null;
    readonly since: string | null;
  } | null;
  readonly lastFailover: FleetFailover | null;
  readonly linkRttMs: number | null;
  /** How long the last runtime change took to reach the standby (ms). */
  readonly replicationLagMs: number | null;
  readonly licenseMatch: 'match' | 'mismatch' | 'unknown';
  readonly certificatesPending: number;
  /** Certificates that expire within 30 days (or have expired). */
  readonly certificatesExpiring: number;
  readonly conflicts: number;
  readonly unacknowledgedAlarms: number | null;
  readonly nodes: readonly [FleetNodeView, FleetNodeView];
}

export interface FleetView {
  /** ISO time of this view. */
  readonly at: string;
  readonly pairs: readonly FleetPairView[];
}
