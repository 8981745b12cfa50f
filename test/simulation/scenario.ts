/**
 * What one simulation run is: the pair's configuration, when each node first boots, and a script of faults.
 * `randomScenario(seed)` draws all of it from the seed; named tests write a scenario by hand.
 */
import type {
  IsolationCheck,
  RecoveryMode,
  RestoreWindow,
  Timing,
} from '../../node-core/redundancy/types.ts';
import { Prng } from './prng.ts';

export type NodeName = 'master' | 'backup';
export const NODE_NAMES: readonly NodeName[] = ['master', 'backup'];

export function peerOf(node: NodeName): NodeName {
  return node === 'master' ? 'backup' : 'master';
}

/**
 * Which faults a run may see.
 * - `isolation-safe`: isolation check configured; the only faults are crashes, clean stops, operator
 *   switch-overs and partitions that cut one node from BOTH its peer and the isolation host. This is the
 *   family in which the isolation check can do its job, so invariant (a) holds here.
 * - `general`: every fault, isolation check on or off. Split brain is allowed by design here (docs/rules.md
 *   "Partitions 2") and only has to heal once the link is good again (invariants (c), (e)).
 */
export type Family = 'isolation-safe' | 'general';

export type Fault =
  /**
   * The process dies: no goodbye. The peer's link closes at once (the OS resets the connection), or with
   * `silent` (power loss) it stays nominally open and the peer must notice by missed heartbeats.
   * Restarts after `restartAfterMs` unless null.
   */
  | {
      readonly kind: 'crash';
      readonly node: NodeName;
      readonly restartAfterMs: number | null;
      readonly silent: boolean;
    }
  /** The operator stops the node cleanly; it restarts `restartAfterMs` after it has stopped, unless null. */
  | { readonly kind: 'stop'; readonly node: NodeName; readonly restartAfterMs: number | null }
  /** The link is cut (both sides see it close) and cannot be dialled again for the duration. */
  | { readonly kind: 'link-cut'; readonly durationMs: number }
  /** Every frame on the link takes up to `maxExtraMs` longer. */
  | { readonly kind: 'extra-delay'; readonly durationMs: number; readonly maxExtraMs: number }
  /**
   * Frames sent by `from` do not get through for the duration; the link stays nominally up, so heartbeats go
   * missing. As on TCP, nothing is lost singly: held-back frames arrive in order afterwards, or are lost with
   * the link if a machine drops it first.
   */
  | { readonly kind: 'one-way-loss'; readonly from: NodeName; readonly durationMs: number }
  /** The node runs late: its ticks and everything delivered to it wait up to `maxExtraMs` more. */
  | {
      readonly kind: 'slow-node';
      readonly node: NodeName;
      readonly durationMs: number;
      readonly maxExtraMs: number;
    }
  /** The node is cut from BOTH its peer and the isolation host. */
  | { readonly kind: 'partition'; readonly node: NodeName; readonly durationMs: number }
  /** Only the isolation host is unreachable from this node; the link is untouched. */
  | { readonly kind: 'host-outage'; readonly node: NodeName; readonly durationMs: number }
  /** An operator asks this node for a switch-over. */
  | { readonly kind: 'switchover'; readonly node: NodeName };

export interface ScheduledFault {
  /** Milliseconds after the start of the run. */
  readonly at: number;
  readonly fault: Fault;
}

export interface PairConfig {
  readonly recovery: RecoveryMode;
  readonly restoreWindow: RestoreWindow | null;
  readonly isolationCheck: IsolationCheck | null;
  readonly timing: Timing;
}

export interface Scenario {
  readonly seed: number;
  readonly family: Family;
  readonly pair: PairConfig;
  /** Wall-clock time (epoch ms) at which the run starts; restore windows are CRON, so this matters. */
  readonly startTime: number;
  readonly durationMs: number;
  /** When each node first boots, ms after the start; null = never (it stays down). */
  readonly boot: Readonly<Record<NodeName, number | null>>;
  /**
   * How far each node's clock is off (ms). The machines only compare their own times and the peer's
   * `activeSince` against the peer's, so a skew must not change who is active. The master keeps the true time,
   * so that restore windows (CRON, read on the master) are where the invariants expect them.
   */
  readonly clockSkewMs: Readonly<Record<NodeName, number>>;
  readonly faults: readonly ScheduledFault[];
}

/**
 * Latencies of the simulated world. The invariants' bounds are written in these terms (see bounds.ts).
 * Faults (extra delay, slow node) add to them; bounds that assume a good link exclude those periods.
 */
export const DELAYS = {
  /** One frame on a good link: 1..frameMaxMs. */
  frameMaxMs: 10,
  /** Dial to open connection (TLS, WebSocket upgrade): 1..handshakeMaxMs; then each side sends its hello. */
  handshakeMaxMs: 10,
  /** A closed or cut link is noticed by each side after 0..linkDownMaxMs. */
  linkDownMaxMs: 10,
  /** An isolation probe answers after 1..probeMaxMs. */
  probeMaxMs: 20,
  /** Pulling from the peer takes pullMinMs..pullMaxMs. */
  pullMinMs: 5,
  pullMaxMs: 80,
} as const;

export const ISOLATION_HOST: IsolationCheck = { host: 'plc.sim', port: 502 };

/** Base wall-clock time of every run: 2025-01-01T00:00:00Z. */
const BASE_TIME = 1_735_689_600_000;

export const RUN_MS = 30_000;
/** No new faults after this, and every restart is due well before the end, so each run ends with a healthy tail. */
const FAULT_PHASE_MS = 18_000;

export function randomScenario(seed: number): Scenario {
  const rng = new Prng(seed);
  const family: Family = rng.chance(0.35) ? 'isolation-safe' : 'general';
  const recovery = rng.pick<RecoveryMode>(['automatic', 'manual', 'window']);
  const restoreWindow =
    recovery === 'window'
      ? rng.pick<RestoreWindow>([
          { cron: '*/5 * * * *', lengthMs: 60_000 },
          { cron: '* * * * *', lengthMs: 15_000 },
        ])
      : null;
  const isolationCheck = family === 'isolation-safe' || rng.chance(0.5) ? ISOLATION_HOST : null;
  const timing: Timing = {
    pingRateMs: 100,
    pingTimeoutMs: rng.int(10, 30) * 10,
    missedPings: rng.int(2, 4),
    failoverTimeMs: rng.int(30, 150) * 10,
    connectionWaitMs: rng.int(50, 200) * 10,
  };
  const boot: Record<NodeName, number | null> = {
    master: rng.int(0, 1500),
    backup: rng.chance(0.15) ? rng.int(2000, 4000) : rng.int(0, 1500),
  };
  // Small skews, and now and then the backup an hour off (as under faketime in test/integration/clock-skew).
  const skew = rng.int(0, 99);
  const clockSkewMs: Record<NodeName, number> = {
    master: 0,
    backup:
      skew < 30 ? rng.int(-1500, 1500) : skew < 40 ? rng.pick([-1, 1]) * rng.int(3_590_000, 3_610_000) : 0,
  };
  const faults: ScheduledFault[] = [];
  for (let at = rng.int(500, 3000); at < FAULT_PHASE_MS; at += rng.int(200, 2500)) {
    faults.push({ at, fault: randomFault(rng, family) });
  }
  return {
    seed,
    family,
    pair: { recovery, restoreWindow, isolationCheck, timing },
    startTime: BASE_TIME + rng.int(0, 299) * 1000,
    durationMs: RUN_MS,
    boot,
    clockSkewMs,
    faults,
  };
}

export interface ScriptSpec {
  readonly seed?: number;
  readonly family?: Family;
  readonly recovery?: RecoveryMode;
  readonly restoreWindow?: RestoreWindow | null;
  readonly isolationCheck?: boolean;
  readonly timing?: Partial<Timing>;
  readonly startTime?: number;
  readonly durationMs: number;
  readonly boot?: Partial<Record<NodeName, number | null>>;
  readonly clockSkewMs?: Partial<Record<NodeName, number>>;
  readonly faults?: readonly ScheduledFault[];
}

/** A hand-written scenario for a named test; the seed still drives the network's random delays. */
export function scriptedScenario(spec: ScriptSpec): Scenario {
  const isolationCheck = spec.isolationCheck === true ? ISOLATION_HOST : null;
  return {
    seed: spec.seed ?? 1,
    family: spec.family ?? (isolationCheck ? 'isolation-safe' : 'general'),
    pair: {
      recovery: spec.recovery ?? 'automatic',
      restoreWindow: spec.restoreWindow ?? null,
      isolationCheck,
      timing: {
        pingRateMs: 100,
        pingTimeoutMs: 200,
        missedPings: 3,
        failoverTimeMs: 600,
        connectionWaitMs: 1000,
        ...spec.timing,
      },
    },
    startTime: spec.startTime ?? BASE_TIME,
    durationMs: spec.durationMs,
    boot: { master: 0, backup: 0, ...spec.boot },
    clockSkewMs: { master: 0, backup: 0, ...spec.clockSkewMs },
    faults: spec.faults ?? [],
  };
}

function randomFault(rng: Prng, family: Family): Fault {
  const node = rng.pick<NodeName>(['master', 'backup']);
  const restartAfterMs = rng.int(100, 7000);
  const durationMs = rng.int(100, 3000);
  const safe = ['crash', 'crash', 'stop', 'partition', 'partition', 'switchover'] as const;
  const all = [
    ...safe,
    'link-cut',
    'extra-delay',
    'one-way-loss',
    'one-way-loss',
    'slow-node',
    'host-outage',
  ] as const;
  const kind = family === 'isolation-safe' ? rng.pick(safe) : rng.pick(all);
  switch (kind) {
    case 'crash':
      return { kind, node, restartAfterMs, silent: rng.chance(0.3) };
    case 'stop':
      return { kind, node, restartAfterMs };
    case 'partition':
    case 'host-outage':
      return { kind, node, durationMs };
    case 'switchover':
      return { kind, node };
    case 'link-cut':
      return { kind, durationMs };
    case 'extra-delay':
      return { kind, durationMs, maxExtraMs: rng.int(20, 400) };
    case 'one-way-loss':
      return { kind, from: node, durationMs };
    case 'slow-node':
      return { kind, node, durationMs, maxExtraMs: rng.int(20, 300) };
    default:
      return assertNever(kind);
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled: ${String(value)}`);
}
