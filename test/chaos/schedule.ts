/**
 * A chaos schedule: the faults of one run, drawn from its seed alone (a pure function, so a seed replays
 * the same faults in the same order with the same lengths; what the nodes do in between is real time).
 */
import { Prng } from '../simulation/prng.ts';
import type { Direction } from './fault-proxy.ts';

/** The two processes; which of them is active when a fault hits is up to the run. */
export type Target = 'master' | 'backup';

export type Fault =
  /** kill -9, then a start after `downMs`. */
  | { readonly kind: 'kill'; readonly target: Target; readonly downMs: number }
  /** SIGSTOP for `ms` (past the failover time), then SIGCONT. */
  | { readonly kind: 'freeze'; readonly target: Target; readonly ms: number }
  /** SIGTERM (a clean stop: hand-over first), then a start after `downMs`. */
  | { readonly kind: 'restart'; readonly target: Target; readonly downMs: number }
  /** POST /api/redundancy/switchover on whichever node is standby then. */
  | { readonly kind: 'switchover' }
  /** The peer link cut for `ms`. */
  | { readonly kind: 'cut'; readonly ms: number }
  /** The peer link holds back one direction for `ms`. */
  | { readonly kind: 'stall'; readonly direction: Direction; readonly ms: number }
  /** Every chunk on the peer link `delayMs` late, for `ms`. */
  | { readonly kind: 'delay'; readonly delayMs: number; readonly ms: number }
  /** A clean restart under faketime: the node's wall clock `seconds` off until the end of the schedule. */
  | { readonly kind: 'skew'; readonly target: Target; readonly seconds: number }
  /**
   * The node's data dir (a small tmpfs) filled up for `ms`, then freed; with `cutMs`, the peer link is also
   * cut for that long halfway through (the node then has events to record on a full disk).
   */
  | {
      readonly kind: 'disk-full';
      readonly target: Target;
      readonly ms: number;
      readonly cutMs: number | null;
    }
  /** A clean stop, one byte of the database damaged: the start must fail; the byte restored, started again. */
  | { readonly kind: 'damaged-db'; readonly target: Target; readonly pick: number };

export type FaultKind = Fault['kind'];

export const FAULT_KINDS: readonly FaultKind[] = [
  'kill',
  'freeze',
  'restart',
  'switchover',
  'cut',
  'stall',
  'delay',
  'skew',
  'disk-full',
  'damaged-db',
];

export interface Step {
  /** Quiet time before the fault, with the workload running. */
  readonly gapMs: number;
  readonly fault: Fault;
}

export interface Schedule {
  readonly seed: number;
  readonly steps: readonly Step[];
  /** The node whose data dir is a tmpfs (for a disk-full fault), or null. */
  readonly tmpfsNode: Target | null;
}

const TARGETS = ['master', 'backup'] as const;

export function randomSchedule(seed: number, faults: number): Schedule {
  const random = new Prng(seed);
  // Every kind once before any kind twice, in a seeded order: short schedules still vary widely.
  const order = shuffle(random, [...FAULT_KINDS]);
  const steps: Step[] = [];
  let diskTarget: Target | null = null;
  for (let i = 0; i < faults; i++) {
    const kind = order[i % order.length]!;
    let fault = makeFault(random, kind);
    // One node's data dir is a tmpfs: every disk-full fault of the schedule hits that node.
    if (fault.kind === 'disk-full') {
      diskTarget ??= fault.target;
      fault = { ...fault, target: diskTarget };
    }
    steps.push({ gapMs: random.int(300, 1500), fault });
  }
  return { seed, steps, tmpfsNode: diskTarget };
}

function makeFault(random: Prng, kind: FaultKind): Fault {
  const target = random.pick(TARGETS);
  switch (kind) {
    case 'kill':
      return { kind, target, downMs: random.int(100, 2000) };
    case 'freeze':
      return { kind, target, ms: random.int(600, 2000) };
    case 'restart':
      return { kind, target, downMs: random.int(0, 1500) };
    case 'switchover':
      return { kind };
    case 'cut':
      return { kind, ms: random.int(400, 2500) };
    case 'stall':
      return { kind, direction: random.pick(['to-master', 'to-backup'] as const), ms: random.int(400, 2500) };
    case 'delay':
      return { kind, delayMs: random.int(20, 250), ms: random.int(1000, 3000) };
    case 'skew':
      return { kind, target, seconds: random.pick([-1, 1] as const) * random.int(5, 600) };
    case 'disk-full':
      return {
        kind,
        target,
        ms: random.int(800, 3000),
        cutMs: random.chance(0.5) ? random.int(300, 800) : null,
      };
    case 'damaged-db':
      return { kind, target, pick: random.int(0, 1_000_000) };
  }
}

function shuffle<T>(random: Prng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

export function describeFault(fault: Fault): string {
  switch (fault.kind) {
    case 'kill':
      return `kill -9 ${fault.target}, down ${fault.downMs} ms`;
    case 'freeze':
      return `SIGSTOP ${fault.target} ${fault.ms} ms`;
    case 'restart':
      return `SIGTERM ${fault.target}, down ${fault.downMs} ms`;
    case 'switchover':
      return 'switch-over on the standby';
    case 'cut':
      return `link cut ${fault.ms} ms`;
    case 'stall':
      return `link stalled ${fault.direction} ${fault.ms} ms`;
    case 'delay':
      return `link delay ${fault.delayMs} ms for ${fault.ms} ms`;
    case 'skew':
      return `clock of ${fault.target} ${fault.seconds > 0 ? '+' : ''}${fault.seconds} s`;
    case 'disk-full':
      return `disk of ${fault.target} full ${fault.ms} ms${fault.cutMs !== null ? `, link cut ${fault.cutMs} ms meanwhile` : ''}`;
    case 'damaged-db':
      return `damaged database on ${fault.target}`;
  }
}
