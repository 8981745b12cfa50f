/**
 * Deterministic simulation of the pair (style.md 13, after FoundationDB and TigerBeetle).
 *
 * Two nodes, one `master` and one `backup`, run in one process on a simulated clock. Each runs the node's real
 * redundancy driver (node-core/redundancy/driver.ts) over the pure machine (machine.ts) and its real frame
 * router (node-core/node/peer-frames.ts); the engine gives the driver its ports the way TandemNode does, but
 * simulated: a clock whose timers are events of this run, a peer link, an isolation host. It injects the
 * faults of the scenario. Every random choice comes from a PRNG seeded by the scenario, so a seed replays
 * exactly. The invariants below are checked after every step, and on every transition the driver makes (the
 * engine watches the machine it hands to the driver).
 *
 * Invariants (bounds derived in bounds.ts):
 *  (a) isolation-safe family: two nodes are never both active for longer than `dualActiveMs`, and a node does
 *      not take over for missed heartbeats from a peer that is active and reachable (narrowed in
 *      #checkTakeOverNeeded). Every family, on what the node knows: with the isolation check configured, a node
 *      never becomes active without its peer (not linked, or lost) unless its last isolation probe reached the
 *      host, not even for a moment.
 *  (b) a node whose peer process is down, that is not stopping, that has seen its link close and that reaches the
 *      isolation host (or no check is configured) is active by t0 + `takeOverMs` (a starting master: not before
 *      boot + `bootAloneMs`). t0 is the latest of: the peer's exit, this node seeing its link close, this node's
 *      start, this node regaining the isolation host, the end of any slowness or late delivery. A peer that went
 *      silent without closing the link is noticed within `noticeSilenceMs`. And not before rule 3 allows: a
 *      take-over for missed heartbeats comes at least the failover time after the last answered heartbeat.
 *  (c) automatic recovery: once both nodes are up and the network has been good for `settleMs` (and no operator
 *      switch-over was asked for in that time), the master is active. Window recovery: the same while a restore
 *      window has been open for `settleMs`.
 *  (d) a node's epoch never goes down, also across restarts; every become-active takes an epoch greater than the
 *      node's own previous epoch and than every epoch of its peer it has been told about (hello or state frame).
 *      Narrowed honestly: across a partition a node cannot know the epochs its peer took meanwhile, so two
 *      nodes may take the same epoch during a split brain; that is not checked, by design.
 *  (e) once both nodes are up and the network has been good for `settleMs`, never two active nodes, and no
 *      active node only for the `handoverGapMs` of a coordinated hand-over.
 *  (f) `transition` never throws, its `status-changed` effects agree with the state it returns, and the
 *      machines never spin (ask to be woken at the same instant over and over).
 *  (g) a node asked to stop cleanly has stopped within `stopMs` (plus the extra delay while it was slow).
 *  (o) an operator's switch-over holds (rule 6): a node that stood down for an operator's request does not take
 *      the role back by automatic recovery or a restore window in the same incarnation; only an operator's request,
 *      its peer's loss or clean stop make it active again. (c) does not expect a held master active. And a node
 *      an operator switched the pair to, or asked for while it was active, does not lose a healed split
 *      ("partition healed") while it stays active.
 *  (p) a recorded split brain's dual-active time, across skewed clocks, is never negative nor longer than the
 *      recording node was active, and it is the overlap of the two activations (the peer's time read on this
 *      node's clock) off by no more than the node's error in its estimate of the peer's clock offset.
 *  (q) manual and window recovery: a healed split is won by the node active without interruption. A node that
 *      became active first (in true time) never loses to one that became active later having heard of it (an
 *      epoch at least the first one's activation epoch), whatever the two clocks read. Two activations that
 *      did not hear of each other are not ordered by this: the rule breaks that tie on the stated times.
 *
 * With the data layer (`options.data`, `runDataScenario`, data-layer.ts) each node also runs a real
 * DataService over SQLite, frames carry config and runtime data the way TandemNode routes them, pull-from-peer
 * becomes the real sync-request / sync-done exchange, and clients put and delete config, write tags,
 * acknowledge alarms and repeat uids against either node. Invariants (h)-(n) are described in data-layer.ts.
 */
import { backoffDelay } from '../../node-core/protocol/backoff.ts';
import type { Clock } from '../../node-core/clock/index.ts';
import {
  REDUNDANCY_MACHINE,
  RedundancyDriver,
  type DriverPorts,
  type RedundancyMachine,
} from '../../node-core/redundancy/driver.ts';
import type {
  Frame,
  MachineEvent,
  MachineState,
  PeerHello,
  RecordedEvent,
  Transition,
} from '../../node-core/redundancy/machine.ts';
import { PeerFrameRouter } from '../../node-core/node/peer-frames.ts';
import { PairClock } from '../../node-core/redundancy/pair-clock.ts';
import { parseFrame, type Hello, type PeerFrame } from '../../node-core/peer/frames.ts';
import { currentOrNextWindowStart } from '../../node-core/redundancy/restore-window.ts';
import type { RedundancyConfig, Status } from '../../node-core/redundancy/types.ts';
import { boundsFor, type Bounds } from './bounds.ts';
import {
  DataLayer,
  dataWire,
  type DataCoverage,
  type DataEvent,
  type DataInvariantId,
  type DataWire,
  type PortsOverride,
} from './data-layer.ts';
import { randomDataScript, type DataScript } from './data-scenario.ts';
import { EventQueue } from './event-queue.ts';
import { Prng } from './prng.ts';
import { describeEffect, describeEvent, describeFault, describeScenario, pad } from './trace.ts';
import { DELAYS, NODE_NAMES, peerOf, type Fault, type NodeName, type Scenario } from './scenario.ts';

export type InvariantId = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'o' | 'p' | 'q' | DataInvariantId;

export interface InvariantFailure {
  readonly invariant: InvariantId;
  /** Simulated ms after the start of the run. */
  readonly atMs: number;
  readonly message: string;
}

export interface StatusChange {
  readonly atMs: number;
  readonly node: NodeName;
  readonly from: Status;
  readonly to: Status;
  readonly epoch: number;
  readonly reason: string;
}

/** How often each invariant actually had something to check, so that a green run means something. */
export interface Coverage {
  /** (a) partitions that cut off the active node in the isolation-safe family. */
  isolatedActive: number;
  /** (b) take-overs that happened while the invariant was armed, and the slowest of them against its bound. */
  takeOvers: number;
  slowestTakeOverRatio: number;
  /** (c) steps checked with automatic recovery and a settled good link. */
  settledAutomatic: number;
  /** (e) steps checked with a settled good link. */
  settled: number;
  /** (c), (e) the longest a good link took to settle, against `settleMs`. */
  slowestSettleRatio: number;
  /** (a) the longest both nodes were active in the isolation-safe family (ms). */
  maxDualActiveIsolationSafeMs: number;
  /** (d) become-active transitions checked. */
  becameActive: number;
  /** (g) clean stops checked. */
  stops: number;
  /** (p) split-brain records checked, and the furthest one was from the true overlap (ms). */
  splitBrains: number;
  worstSplitBrainMs: number;
  /** (q) healed splits lost under manual or window recovery where the later activation had heard of the earlier. */
  orderedSplitsHealed: number;
}

export function emptyCoverage(): Coverage {
  return {
    isolatedActive: 0,
    takeOvers: 0,
    slowestTakeOverRatio: 0,
    settledAutomatic: 0,
    settled: 0,
    slowestSettleRatio: 0,
    maxDualActiveIsolationSafeMs: 0,
    becameActive: 0,
    stops: 0,
    splitBrains: 0,
    worstSplitBrainMs: 0,
    orderedSplitsHealed: 0,
  };
}

export function addCoverage(into: Coverage, from: Coverage): void {
  into.isolatedActive += from.isolatedActive;
  into.takeOvers += from.takeOvers;
  into.slowestTakeOverRatio = Math.max(into.slowestTakeOverRatio, from.slowestTakeOverRatio);
  into.settledAutomatic += from.settledAutomatic;
  into.settled += from.settled;
  into.slowestSettleRatio = Math.max(into.slowestSettleRatio, from.slowestSettleRatio);
  into.maxDualActiveIsolationSafeMs = Math.max(
    into.maxDualActiveIsolationSafeMs,
    from.maxDualActiveIsolationSafeMs,
  );
  into.becameActive += from.becameActive;
  into.stops += from.stops;
  into.splitBrains += from.splitBrains;
  into.worstSplitBrainMs = Math.max(into.worstSplitBrainMs, from.worstSplitBrainMs);
  into.orderedSplitsHealed += from.orderedSplitsHealed;
}

export interface SimResult {
  readonly seed: number;
  readonly family: Scenario['family'];
  readonly steps: number;
  /** Times the active node changed from one node to the other. */
  readonly failovers: number;
  readonly simulatedMs: number;
  /** Longest period both nodes were active (any family). */
  readonly maxDualActiveMs: number;
  readonly failure: InvariantFailure | null;
  readonly coverage: Coverage;
  /** What the data layer did and checked; null for a redundancy-only run. */
  readonly data: DataCoverage | null;
}

/** The machine the drivers run; named tests swap in a broken one to show that the invariants catch it. */
export type MachineUnderTest = RedundancyMachine;

/**
 * Wraps the ports of a node's driver, to break the driver on purpose and show that the invariants catch it;
 * `dispatch` feeds that driver an event, as a broken driver would feed itself.
 */
export type DriverOverride = (
  ports: DriverPorts,
  node: NodeName,
  dispatch: (event: MachineEvent) => void,
) => DriverPorts;

export interface SimulationOptions {
  readonly machine?: MachineUnderTest;
  /** Wraps the ports each node's driver gets (tests that break the driver on purpose). */
  readonly driverPorts?: DriverOverride;
  /** Receives the readable trace; without it nothing is formatted. */
  readonly trace?: (line: string) => void;
  /** Also trace heartbeat traffic (pings, pongs and ticks that change nothing). */
  readonly traceHeartbeats?: boolean;
  /**
   * Adds the data layer (data-layer.ts): a real DataService and SQLite database per node and the clients of
   * this script. Such a run must be driven with `runAsync`/`runUntilAsync` (the DataService answers through
   * promises).
   */
  readonly data?: DataScript;
  /** Wraps each node's DataService ports (tests that break the data layer on purpose). */
  readonly dataPorts?: PortsOverride;
}

export function replayCommand(seed: number, layer: 'redundancy' | 'data' = 'redundancy'): string {
  return `npx node test/simulation/run.ts --seed ${seed}${layer === 'data' ? ' --data' : ''} --verbose`;
}

/**
 * What travels on the link: the machines' frames, the pong the frame router answers to a ping, and the hello
 * each side sends as soon as the connection is open (the machine hears `link-up` when the peer's hello arrives).
 */
type WireFrame =
  | Frame
  | { readonly t: 'pong'; readonly seq: number; readonly at?: number | undefined }
  | { readonly t: 'hello'; readonly hello: PeerHello }
  /** Data frames (and sync-request / sync-done) of a run with the data layer, as serialised JSON. */
  | DataWire;

interface Link {
  readonly id: number;
  /** The incarnations that opened it; a restarted process is not on this link. */
  readonly incs: Readonly<Record<NodeName, number>>;
  /** Frames may still be sent on it. */
  open: boolean;
  /** Frames in flight are lost. */
  cut: boolean;
  /** Arrival time of the last frame queued towards each node: frames arrive in order. */
  readonly lastArrival: Record<NodeName, number>;
  /** Each side's handshake ends when the other's hello arrives. */
  readonly helloReceived: Record<NodeName, boolean>;
}

interface SimNode {
  readonly name: NodeName;
  readonly config: RedundancyConfig;
  up: boolean;
  /** Grows on every boot and every exit; events addressed to an older incarnation are void. */
  incarnation: number;
  upSince: number;
  downSince: number;
  stopRequested: boolean;
  stopRequestedAt: number;
  restartAfterStopMs: number | null;
  /** The node's real redundancy driver for this incarnation; null while down. */
  driver: RedundancyDriver | null;
  /** The link this node's driver believes is up (got `link-up`, not yet `link-down`). */
  linkSeen: number | null;
  linkUpAt: number;
  linkDownAt: number;
  /** Persisted when the node becomes active; a restart begins from it. */
  persistedEpoch: number;
  highestEpoch: number;
  /** Highest peer epoch this incarnation was told about (link-up hello, state frames). */
  knownPeerEpoch: number;
  /** The status last reported by a `status-changed` effect in this incarnation. */
  reportedStatus: Status;
  /** When each heartbeat of this incarnation was sent, by seq. */
  readonly pingSentAt: Map<number, number>;
  /** The last heartbeat answered within the ping timeout (or link-up, or start): rule 3 counts from here. */
  lastAnsweredAt: number;
  /**
   * The clock the node stamps what the pair records with, as TandemNode's PairChecks keeps it: fed by the
   * hello until a heartbeat measured the master's clock, then by each heartbeat estimate. Null while down.
   */
  pairClock: PairClock | null;
  offsetMeasured: boolean;
  /** The node's real frame router (node-core/node/peer-frames.ts) for this incarnation; null while down. */
  router: PeerFrameRouter | null;
  /** (o) Seen to stand down for an operator's request in this incarnation, and not active since. */
  heldByOperator: boolean;
  /** (o) Active by an operator's request, or asked for while active, and active since. */
  claimedByOperator: boolean;
  /** (p) When it last became active, in true time. */
  activeAtTrue: number;
  /** (q) The epoch it last became active under, and the highest epoch of its peer it had heard of then. */
  activeEpoch: number;
  heardPeerEpochWhenActive: number;
}

type SimEvent =
  | { readonly kind: 'boot'; readonly node: NodeName }
  | { readonly kind: 'fault'; readonly fault: Fault }
  /** A timer of a node's clock (its driver's wake-up); void once cleared or its incarnation ended. */
  | { readonly kind: 'timer'; readonly node: NodeName; readonly inc: number; readonly id: number }
  | { readonly kind: 'frame'; readonly to: NodeName; readonly link: Link; readonly frame: WireFrame }
  | { readonly kind: 'dial'; readonly inc: number }
  | { readonly kind: 'open'; readonly incs: Readonly<Record<NodeName, number>> }
  | { readonly kind: 'handshake-timeout'; readonly link: Link }
  | { readonly kind: 'link-down'; readonly node: NodeName; readonly link: Link }
  | {
      readonly kind: 'probe';
      readonly node: NodeName;
      readonly inc: number;
      readonly reachable: boolean;
      readonly answer: (reachable: boolean) => void;
    }
  | { readonly kind: 'pull'; readonly node: NodeName; readonly inc: number; readonly link: Link }
  | { readonly kind: 'data'; readonly event: DataEvent };

type PerNode<T> = Record<NodeName, T>;

/** More steps than this at one simulated instant means the machines spin without time passing. */
const LIVELOCK_STEPS = 10_000;
/**
 * Data converges within a few frames once the pair has settled (config head, snapshot or changes, acks); the
 * end-of-run data invariants are checked only when the pair has been settled this much longer and the active
 * node has not changed for DATA_STABLE_MS.
 */
const DATA_SETTLE_MS = 1000;
const DATA_STABLE_MS = 300;

/** Lets every promise that a step settled run to its end (a macrotask runs after all microtasks). */
function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class Simulation {
  readonly scenario: Scenario;
  readonly bounds: Bounds;
  /** Every status change, in order, for assertions in named scenarios. */
  readonly history: StatusChange[] = [];
  /** Every `record` effect (the failover history each node keeps), in order. */
  readonly recorded: { readonly atMs: number; readonly node: NodeName; readonly event: RecordedEvent }[] = [];

  readonly #rng: Prng;
  readonly #queue = new EventQueue<SimEvent>();
  readonly #trace: ((line: string) => void) | null;
  readonly #traceHeartbeats: boolean;
  readonly #nodes: PerNode<SimNode>;
  #now: number;
  #steps = 0;
  #stepsAtThisTime = 0;
  #failovers = 0;
  #failure: InvariantFailure | null = null;
  readonly #machine: MachineUnderTest;
  readonly #driverPorts: DriverOverride | null;
  /** The timers of the nodes' clocks that are set and not yet fired or cleared, by id. */
  readonly #timers = new Map<number, () => void>();
  #nextTimerId = 1;
  readonly #coverage = emptyCoverage();
  /** (b) while armed (the invariant held and the node was not active at the last step): its t0 and deadline. */
  readonly #takeOverArmed: PerNode<{ readonly t0: number; readonly deadline: number } | null> = {
    master: null,
    backup: null,
  };

  #link: Link | null = null;
  #nextLinkId = 1;
  #dialPending = false;

  // Fault state: each is the end of the latest fault of its kind (a time in the past = over).
  #cutUntil = 0;
  #delayUntil = 0;
  #delayMaxMs = 0;
  readonly #lossUntil: PerNode<number> = { master: 0, backup: 0 };
  readonly #slowUntil: PerNode<number> = { master: 0, backup: 0 };
  readonly #slowMaxMs: PerNode<number> = { master: 0, backup: 0 };
  readonly #partitionUntil: PerNode<number> = { master: 0, backup: 0 };
  readonly #hostOutageUntil: PerNode<number> = { master: 0, backup: 0 };
  /** Latest arrival of anything delayed by a fault (extra delay, slow node): the world is not settled before. */
  #lateUntil = 0;
  #lastSwitchoverAt = 0;

  #dualSince: number | null = null;
  #zeroSince: number | null = null;
  #maxDualActiveMs = 0;
  #lastActive: NodeName | null = null;
  /** Restore windows (true time) that open during the run. */
  readonly #windows: readonly { readonly start: number; readonly end: number }[];
  /** The data layer, in a data run. */
  readonly #data: DataLayer | null;

  constructor(scenario: Scenario, options: SimulationOptions = {}) {
    this.scenario = scenario;
    this.bounds = boundsFor(scenario.pair.timing);
    this.#rng = new Prng(scenario.seed ^ 0x5eed);
    this.#trace = options.trace ?? null;
    this.#traceHeartbeats = options.traceHeartbeats ?? false;
    this.#machine = options.machine ?? REDUNDANCY_MACHINE;
    this.#driverPorts = options.driverPorts ?? null;
    this.#now = scenario.startTime;
    const node = (name: NodeName): SimNode => ({
      name,
      config: { mode: name, ...scenario.pair },
      up: false,
      incarnation: 0,
      upSince: 0,
      downSince: scenario.startTime,
      stopRequested: false,
      stopRequestedAt: 0,
      restartAfterStopMs: null,
      driver: null,
      pairClock: null,
      offsetMeasured: false,
      linkSeen: null,
      linkUpAt: 0,
      linkDownAt: 0,
      persistedEpoch: 0,
      highestEpoch: 0,
      knownPeerEpoch: 0,
      reportedStatus: 'starting',
      pingSentAt: new Map(),
      lastAnsweredAt: 0,
      router: null,
      heldByOperator: false,
      claimedByOperator: false,
      activeAtTrue: 0,
      activeEpoch: 0,
      heardPeerEpochWhenActive: 0,
    });
    this.#nodes = { master: node('master'), backup: node('backup') };
    this.#windows = windowsDuring(scenario);
    for (const name of NODE_NAMES) {
      const at = scenario.boot[name];
      if (at !== null) this.#queue.push(scenario.startTime + at, { kind: 'boot', node: name });
    }
    for (const { at, fault } of scenario.faults) {
      this.#queue.push(scenario.startTime + at, { kind: 'fault', fault });
    }
    this.#log(() => `config ${describeScenario(scenario)}`);
    this.#log(() => `bounds ${JSON.stringify(this.bounds)}`);
    this.#data = options.data
      ? new DataLayer(
          {
            now: () => this.#now,
            ms: (at) => this.#ms(at),
            pairTime: (node) => this.#nodes[node].pairClock?.now() ?? this.#localTime(node),
            machine: (node) => (this.#nodes[node].up ? (this.#nodes[node].driver?.state ?? null) : null),
            incarnation: (node) => this.#nodes[node].incarnation,
            linkSeen: (node) => this.#nodes[node].linkSeen,
            send: (node, frame) => this.#send(this.#nodes[node], frame),
            schedule: (at, event) => this.#queue.push(at, { kind: 'data', event }),
            slowExtra: (node) => this.#slowExtra(node),
            fail: (invariant, message) => this.#fail(invariant, message),
            log: (line) => this.#log(line),
            settled: () => this.#dataSettled(),
          },
          options.data,
          scenario.seed,
          scenario.startTime,
          options.dataPorts ?? null,
        )
      : null;
  }

  /** Simulated ms since the start of the run. */
  get elapsedMs(): number {
    return this.#now - this.scenario.startTime;
  }

  get failure(): InvariantFailure | null {
    return this.#failure;
  }

  /** The data layer of a data run (DataServices and client calls, for named tests), else null. */
  get data(): DataLayer | null {
    return this.#data;
  }

  status(node: NodeName): Status | 'down' {
    const n = this.#nodes[node];
    return n.up && n.driver ? n.driver.state.status : 'down';
  }

  epoch(node: NodeName): number {
    return this.#nodes[node].driver?.state.epoch ?? this.#nodes[node].persistedEpoch;
  }

  run(): SimResult {
    this.runUntil(this.scenario.durationMs);
    return this.result();
  }

  /**
   * A run with the data layer: the data invariants of the end of the run are checked too. The databases stay
   * open for the caller to read (`data.service(node)`) until `data.dispose()`.
   */
  async runAsync(): Promise<SimResult> {
    await this.runUntilAsync(this.scenario.durationMs);
    if (this.#failure === null) this.#data?.finish();
    return this.result();
  }

  /** Processes every event up to `elapsedMs` after the start, checking the invariants after each. */
  runUntil(elapsedMs: number): InvariantFailure | null {
    if (this.#data) throw new Error('a run with the data layer is driven with runUntilAsync');
    const end = this.scenario.startTime + elapsedMs;
    for (let event = this.#next(end); event !== null; event = this.#next(end)) {
      this.#handle(event);
      this.#check();
    }
    return this.#finishUntil(end);
  }

  /**
   * The same with the data layer: after a step that touched a DataService with calls outstanding, the
   * microtasks run (a DataService answers its caller through promises) before the invariants are checked.
   * The simulation stays deterministic: nothing else runs meanwhile, and promises settle in a fixed order.
   */
  async runUntilAsync(elapsedMs: number): Promise<InvariantFailure | null> {
    const end = this.scenario.startTime + elapsedMs;
    const data = this.#data;
    for (let event = this.#next(end); event !== null; event = this.#next(end)) {
      this.#handle(event);
      if (data?.needsDrain()) {
        await drainMicrotasks();
        data.afterDrain();
      }
      this.#check();
    }
    return this.#finishUntil(end);
  }

  /** The next event due by `end`, with simulated time moved to it; null when there is none or a check failed. */
  #next(end: number): SimEvent | null {
    if (this.#failure !== null) return null;
    const next = this.#queue.peekTime();
    if (next === null || next > end) return null;
    const popped = this.#queue.pop();
    if (popped === null) return null;
    // The state since the last step held until now: check it at this time first, then the new state.
    if (popped.at > this.#now) {
      this.#now = popped.at;
      this.#stepsAtThisTime = 0;
      this.#check();
      if (this.#failure !== null) return null;
    }
    if (++this.#stepsAtThisTime > LIVELOCK_STEPS) {
      this.#fail(
        'f',
        `livelock: ${LIVELOCK_STEPS} steps without simulated time moving (a machine keeps asking to be woken now)`,
      );
      return null;
    }
    this.#steps++;
    return popped.item;
  }

  #finishUntil(end: number): InvariantFailure | null {
    if (this.#failure === null && end > this.#now) {
      this.#now = end;
      this.#check();
    }
    return this.#failure;
  }

  /** Both nodes up, the network good and the pair settled for a while: data must have converged. */
  #dataSettled(): boolean {
    const healthySince = this.#healthySince();
    const lastChange = this.history.at(-1)?.atMs ?? 0;
    return (
      healthySince !== null &&
      this.#now >= healthySince + this.bounds.settleMs + DATA_SETTLE_MS &&
      this.elapsedMs >= lastChange + DATA_STABLE_MS
    );
  }

  result(): SimResult {
    return {
      seed: this.scenario.seed,
      family: this.scenario.family,
      steps: this.#steps,
      failovers: this.#failovers,
      simulatedMs: this.elapsedMs,
      maxDualActiveMs: this.#maxDualActiveMs,
      failure: this.#failure,
      coverage: { ...this.#coverage },
      data: this.#data ? { ...this.#data.coverage } : null,
    };
  }

  // ---------------------------------------------------------------- events

  #handle(ev: SimEvent): void {
    switch (ev.kind) {
      case 'boot':
        this.#boot(this.#nodes[ev.node]);
        return;
      case 'fault':
        this.#fault(ev.fault);
        return;
      case 'timer': {
        const n = this.#nodes[ev.node];
        const callback = this.#timers.get(ev.id);
        this.#timers.delete(ev.id);
        if (callback && n.up && n.incarnation === ev.inc) callback();
        return;
      }
      case 'frame':
        this.#deliverFrame(ev.to, ev.link, ev.frame);
        return;
      case 'dial':
        this.#dial(ev.inc);
        return;
      case 'open':
        this.#open(ev.incs);
        return;
      case 'handshake-timeout': {
        // Like the real link: a side still up whose peer's hello did not arrive within the ping timeout closes.
        const link = ev.link;
        const waiting = NODE_NAMES.some((name) => {
          const n = this.#nodes[name];
          return n.up && n.incarnation === link.incs[name] && !link.helloReceived[name];
        });
        if (link.open && !link.cut && waiting) {
          this.#log(() => `net    link ${link.id}: no hello within the handshake timeout`);
          this.#cutLink(link);
        }
        return;
      }
      case 'link-down': {
        const n = this.#nodes[ev.node];
        if (!n.up || n.linkSeen !== ev.link.id) return;
        n.linkSeen = null;
        n.linkDownAt = this.#now;
        n.router?.linkDown();
        return;
      }
      case 'probe': {
        const n = this.#nodes[ev.node];
        if (n.up && n.incarnation === ev.inc) ev.answer(ev.reachable && this.#reachesHost(ev.node));
        return;
      }
      case 'pull': {
        // A round trip: the peer must still be there and frames must pass both ways.
        const n = this.#nodes[ev.node];
        const link = ev.link;
        const peer = this.#nodes[peerOf(ev.node)];
        const answered = peer.up && peer.incarnation === link.incs[peer.name];
        if (
          n.up &&
          n.incarnation === ev.inc &&
          n.linkSeen === link.id &&
          link.open &&
          !link.cut &&
          answered
        ) {
          n.driver?.dispatch({ type: 'sync-complete' });
        } else {
          this.#log(() => `${pad(ev.node)} pull from peer lost with its link`);
        }
        return;
      }
      case 'data':
        this.#data?.handle(ev.event);
        return;
      default:
        return assertNever(ev);
    }
  }

  #boot(n: SimNode): void {
    if (n.up) return;
    n.up = true;
    n.incarnation++;
    n.upSince = this.#now;
    n.stopRequested = false;
    n.restartAfterStopMs = null;
    n.linkSeen = null;
    n.knownPeerEpoch = 0;
    n.reportedStatus = 'starting';
    n.heldByOperator = false;
    n.claimedByOperator = false;
    n.pingSentAt.clear();
    n.lastAnsweredAt = this.#now;
    this.#log(() => `${pad(n.name)} boots with stored epoch ${n.persistedEpoch}`);
    n.driver = this.#makeDriver(n);
    n.pairClock = new PairClock(this.#clockOf(n.name, n.incarnation), n.name === 'backup');
    n.offsetMeasured = false;
    this.#data?.boot(n.name, n.incarnation);
    n.router = this.#makeRouter(n, n.driver);
    n.driver.start();
    if (n.name === 'backup') this.#queue.push(this.#now, { kind: 'dial', inc: n.incarnation });
  }

  /**
   * The process is gone. `graceful`: it exited after `stopped`, frames already sent still arrive, then the close.
   * `reset`: it crashed and the OS resets its connection at once. `silent`: power loss, nothing tells the peer.
   */
  #exit(n: SimNode, how: 'graceful' | 'reset' | 'silent'): void {
    this.#data?.exit(n.name, how === 'graceful' ? 'graceful' : 'crash');
    n.up = false;
    n.incarnation++;
    n.downSince = this.#now;
    n.driver = null;
    n.pairClock = null;
    n.router = null;
    const link = this.#link;
    const peer = peerOf(n.name);
    if (link && link.open && !link.cut && link.incs[n.name] === n.incarnation - 1) {
      if (how === 'graceful') {
        link.open = false;
        const at = Math.max(this.#now, link.lastArrival[peer]) + this.#rng.int(0, DELAYS.linkDownMaxMs);
        this.#queue.push(at, { kind: 'link-down', node: peer, link });
      } else if (how === 'reset') {
        this.#cutLink(link);
      }
    }
    n.linkSeen = null;
  }

  #fault(fault: Fault): void {
    const now = this.#now;
    this.#log(() => `fault ${describeFault(fault)}`);
    switch (fault.kind) {
      case 'crash': {
        const n = this.#nodes[fault.node];
        if (!n.up) return this.#log(() => `       (no effect: ${n.name} is down)`);
        this.#exit(n, fault.silent ? 'silent' : 'reset');
        if (fault.restartAfterMs !== null)
          this.#queue.push(now + fault.restartAfterMs, { kind: 'boot', node: n.name });
        return;
      }
      case 'stop': {
        const n = this.#nodes[fault.node];
        if (!n.up || n.stopRequested)
          return this.#log(() => `       (no effect: ${n.name} is down or stopping)`);
        n.stopRequested = true;
        this.#coverage.stops++;
        n.stopRequestedAt = now;
        n.restartAfterStopMs = fault.restartAfterMs;
        n.driver?.dispatch({ type: 'stop-requested' });
        return;
      }
      case 'link-cut':
        this.#cutUntil = Math.max(this.#cutUntil, now + fault.durationMs);
        if (this.#link) this.#cutLink(this.#link);
        return;
      case 'extra-delay':
        this.#delayUntil = Math.max(this.#delayUntil, now + fault.durationMs);
        this.#delayMaxMs = fault.maxExtraMs;
        return;
      case 'one-way-loss':
        this.#lossUntil[fault.from] = Math.max(this.#lossUntil[fault.from], now + fault.durationMs);
        return;
      case 'slow-node':
        this.#slowUntil[fault.node] = Math.max(this.#slowUntil[fault.node], now + fault.durationMs);
        this.#slowMaxMs[fault.node] = Math.max(this.#slowMaxMs[fault.node], fault.maxExtraMs);
        return;
      case 'partition':
        if (this.scenario.family === 'isolation-safe' && this.status(fault.node) === 'active') {
          this.#coverage.isolatedActive++;
        }
        this.#partitionUntil[fault.node] = Math.max(this.#partitionUntil[fault.node], now + fault.durationMs);
        if (this.#link) this.#cutLink(this.#link);
        return;
      case 'host-outage':
        this.#hostOutageUntil[fault.node] = Math.max(
          this.#hostOutageUntil[fault.node],
          now + fault.durationMs,
        );
        return;
      case 'switchover': {
        const n = this.#nodes[fault.node];
        if (!n.up || n.stopRequested)
          return this.#log(() => `       (no effect: ${n.name} is down or stopping)`);
        this.#lastSwitchoverAt = now;
        if (this.status(fault.node) === 'active') n.claimedByOperator = true;
        n.driver?.dispatch({ type: 'switchover-requested' });
        return;
      }
      default:
        return assertNever(fault);
    }
  }

  /** What this node's clock says. */
  #localTime(node: NodeName): number {
    return this.#now + this.scenario.clockSkewMs[node];
  }

  // ---------------------------------------------------------------- network

  #linkPossible(): boolean {
    const now = this.#now;
    return (
      this.#nodes.master.up &&
      this.#nodes.backup.up &&
      this.#cutUntil <= now &&
      this.#partitionUntil.master <= now &&
      this.#partitionUntil.backup <= now
    );
  }

  #reachesHost(node: NodeName): boolean {
    return this.#partitionUntil[node] <= this.#now && this.#hostOutageUntil[node] <= this.#now;
  }

  /** The backup's peer link dials every ping rate, spread ±25 %, while it has no link (PeerLink, redialMs). */
  #dial(inc: number): void {
    const b = this.#nodes.backup;
    if (!b.up || b.incarnation !== inc) return;
    const ping = b.config.timing.pingRateMs;
    const pause = backoffDelay({ baseMs: ping, maxMs: ping, random: () => this.#rng.next() }, 0);
    this.#queue.push(this.#now + pause, { kind: 'dial', inc });
    const link = this.#link;
    // Linked, or a connection of this incarnation still waiting for its hellos: nothing to dial.
    if (this.#dialPending || b.linkSeen !== null || (link && link.open && link.incs.backup === inc)) return;
    if (!this.#linkPossible()) return;
    this.#dialPending = true;
    this.#queue.push(this.#now + this.#rng.int(1, DELAYS.handshakeMaxMs), {
      kind: 'open',
      incs: { master: this.#nodes.master.incarnation, backup: inc },
    });
  }

  /** The connection is open: each side sends its hello; a side is linked when the other's hello arrives. */
  #open(incs: Readonly<Record<NodeName, number>>): void {
    this.#dialPending = false;
    const m = this.#nodes.master;
    const b = this.#nodes.backup;
    if (m.incarnation !== incs.master || b.incarnation !== incs.backup || !this.#linkPossible()) {
      this.#log(() => `net    dial failed`);
      return;
    }
    const old = this.#link;
    if (old && old.open) {
      // A new connection from the backup replaces a stale one (the master still held it after a silent crash).
      this.#log(() => `net    link ${old.id} replaced`);
      old.open = false;
      old.cut = true;
      if (m.linkSeen === old.id)
        this.#queue.push(this.#now, { kind: 'link-down', node: 'master', link: old });
    }
    const link: Link = {
      id: this.#nextLinkId++,
      incs,
      open: true,
      cut: false,
      lastArrival: { master: 0, backup: 0 },
      helloReceived: { master: false, backup: false },
    };
    this.#link = link;
    this.#log(() => `net    link ${link.id} open`);
    for (const n of [m, b]) {
      const s = n.driver?.state;
      if (s)
        this.#transmit(n, link, {
          t: 'hello',
          hello: {
            status: s.status,
            epoch: s.epoch,
            activeSince: s.activeSince,
            at: this.#localTime(n.name),
          },
        });
    }
    this.#queue.push(this.#now + m.config.timing.pingTimeoutMs, { kind: 'handshake-timeout', link });
  }

  /** Cuts a link: frames in flight are lost, each side that was linked hears the close soon. */
  #cutLink(link: Link): void {
    if (link.cut) return;
    link.open = false;
    link.cut = true;
    this.#log(() => `net    link ${link.id} cut`);
    for (const n of NODE_NAMES) {
      if (this.#nodes[n].linkSeen === link.id) {
        this.#queue.push(this.#now + this.#rng.int(0, DELAYS.linkDownMaxMs), {
          kind: 'link-down',
          node: n,
          link,
        });
      }
    }
  }

  /** What the machine sends: only once this side is linked (the real link drops frames before the hello). */
  #send(from: SimNode, frame: WireFrame): void {
    const link = this.#link;
    if (!link || from.linkSeen !== link.id) return;
    this.#transmit(from, link, frame);
  }

  #transmit(from: SimNode, link: Link, frame: WireFrame): void {
    if (!link.open) return;
    const now = this.#now;
    const to = peerOf(from.name);
    let delay = this.#rng.int(1, DELAYS.frameMaxMs);
    // One-way loss on a TCP link: nothing gets through until it ends, then everything arrives in order (unless
    // the link is dropped first, and what was held back is lost with it). Heartbeats go missing meanwhile.
    if (this.#lossUntil[from.name] > now) {
      delay += this.#lossUntil[from.name] - now;
      if (this.#traceHeartbeats || (frame.t !== 'ping' && frame.t !== 'pong')) {
        this.#log(() => `net    ${from.name} → ${frame.t} held back`);
      }
    }
    if (this.#delayUntil > now) delay += this.#rng.int(0, this.#delayMaxMs);
    delay += this.#slowExtra(to);
    const at = Math.max(now + delay, link.lastArrival[to]);
    link.lastArrival[to] = at;
    if (at > now + DELAYS.frameMaxMs) this.#lateUntil = Math.max(this.#lateUntil, at);
    this.#queue.push(at, { kind: 'frame', to, link, frame });
  }

  /** Extra delay for anything addressed to a slow node. */
  #slowExtra(node: NodeName): number {
    if (this.#slowUntil[node] <= this.#now) return 0;
    const extra = this.#rng.int(0, this.#slowMaxMs[node]);
    this.#lateUntil = Math.max(this.#lateUntil, this.#now + extra + DELAYS.frameMaxMs);
    return extra;
  }

  #deliverFrame(toName: NodeName, link: Link, frame: WireFrame): void {
    const n = this.#nodes[toName];
    if (!n.up || link.cut) return;
    if (frame.t === 'hello') {
      if (n.incarnation !== link.incs[toName] || n.linkSeen !== null || !link.open) return;
      link.helloReceived[toName] = true;
      n.linkSeen = link.id;
      n.linkUpAt = this.#now;
      n.lastAnsweredAt = this.#now;
      n.knownPeerEpoch = Math.max(n.knownPeerEpoch, frame.hello.epoch);
      // As PairChecks.peerHello: the hello's time is a first offset until a heartbeat measures one.
      if (!n.offsetMeasured && frame.hello.at !== undefined)
        n.pairClock?.peerOffset(frame.hello.at - this.#localTime(n.name));
      // The real router: the driver hears link-up, then the history and the data service (TandemNode's 'up').
      n.router?.linkUp(simHello(peerOf(n.name), frame.hello), SIM_CERTIFICATE);
      return;
    }
    if (n.linkSeen !== link.id) return;
    switch (frame.t) {
      case 'pong': {
        // Answered in time as far as this observer can tell (strictly within the timeout, so never later
        // than the machine's own view).
        const sentAt = n.pingSentAt.get(frame.seq);
        n.pingSentAt.delete(frame.seq);
        if (sentAt !== undefined && this.#now - sentAt < n.config.timing.pingTimeoutMs) {
          n.lastAnsweredAt = this.#now;
        }
        break;
      }
      case 'state':
        n.knownPeerEpoch = Math.max(n.knownPeerEpoch, frame.epoch);
        break;
      case 'data': {
        const parsed = this.#data?.receive(n.name, frame);
        if (parsed) n.router?.route(parsed);
        return;
      }
      case 'goodbye':
      case 'handover-ack':
      case 'handover-offer':
      case 'handover-request':
      case 'ping':
        break;
    }
    // Every other frame goes through the real schema and the real router, as on the real link.
    const parsed = parseFrame(JSON.stringify(frame));
    if (!parsed.ok) {
      this.#fail('f', `${n.name} received a ${frame.t} frame the real link would refuse: ${parsed.reason}`);
      return;
    }
    n.router?.route(parsed.frame);
  }

  /**
   * The node's real redundancy driver for this incarnation, with the ports TandemNode gives it, over the
   * simulated clock, link and isolation host. It runs the machine through #watched, which checks every
   * transition it makes.
   */
  #makeDriver(n: SimNode): RedundancyDriver {
    let driver: RedundancyDriver | null = null;
    const ports = this.#driverPortsOf(n);
    const dispatch = (event: MachineEvent): void => driver?.dispatch(event);
    driver = new RedundancyDriver(
      n.config,
      n.persistedEpoch,
      this.#clockOf(n.name, n.incarnation),
      this.#driverPorts ? this.#driverPorts(ports, n.name, dispatch) : ports,
      this.#watched(n),
    );
    return driver;
  }

  /** The node's clock: its skewed wall time; its timers are events of this run, late while the node is slow. */
  #clockOf(node: NodeName, inc: number): Clock {
    return {
      now: () => this.#localTime(node),
      setTimeout: (callback, delayMs) => {
        const id = this.#nextTimerId++;
        this.#timers.set(id, callback);
        const at = this.#now + Math.max(0, delayMs) + this.#slowExtra(node);
        this.#queue.push(at, { kind: 'timer', node, inc, id });
        return { id };
      },
      clearTimeout: (handle) => {
        this.#timers.delete(handle.id);
      },
    };
  }

  /** The ports of TandemNode's driver (node-core/node/tandem-node.ts), on the simulated world. */
  #driverPortsOf(n: SimNode): DriverPorts {
    return {
      statusChanged: (status, epoch, reason) => {
        // The driver persists the epoch before anyone hears that the node is active.
        if (status === 'active') n.persistedEpoch = Math.max(n.persistedEpoch, epoch);
        if (status === 'active') n.activeAtTrue = this.#now;
        this.history.push({
          atMs: this.elapsedMs,
          node: n.name,
          from: n.reportedStatus,
          to: status,
          epoch,
          reason,
        });
        n.reportedStatus = status;
        // As TandemNode #onStatusChanged: the data service hears of it before the frames that follow.
        this.#data?.statusChanged(n.name, status);
      },
      epochLearned: (epoch) => {
        n.persistedEpoch = Math.max(n.persistedEpoch, epoch);
      },
      send: (frame) => {
        if (frame.t === 'ping') n.pingSentAt.set(frame.seq, this.#now);
        // As TandemNode#send: the router hears of every frame on its way out (it times heartbeats).
        n.router?.sending(frame);
        this.#send(n, frame);
      },
      dropLink: () => this.#dropLink(n),
      record: (event) => {
        this.recorded.push({ atMs: this.elapsedMs, node: n.name, event });
        if (event.kind === 'split-brain') this.#checkSplitBrainRecord(n, event);
      },
      pullFromPeer: () => this.#pullFromPeer(n),
      mergeSplitChanges: () => undefined,
      probeIsolation: (answer) => {
        // Like the real probe (a TCP connect with the ping timeout): a reachable host answers within probeMaxMs
        // (false if it was lost meanwhile); an unreachable one answers "unreachable" when the timeout expires.
        const reachable = this.#reachesHost(n.name);
        const delay = reachable ? this.#rng.int(1, DELAYS.probeMaxMs) : n.config.timing.pingTimeoutMs;
        const at = this.#now + delay + this.#slowExtra(n.name);
        this.#queue.push(at, { kind: 'probe', node: n.name, inc: n.incarnation, reachable, answer });
      },
      stopped: () => {
        const restartAfterMs = n.restartAfterStopMs;
        const epoch = this.epoch(n.name);
        this.#exit(n, 'graceful');
        this.#log(() => `${pad(n.name)} process exited (epoch ${epoch})`);
        if (restartAfterMs !== null)
          this.#queue.push(this.#now + restartAfterMs, { kind: 'boot', node: n.name });
      },
    };
  }

  /** As TandemNode's pullFromPeer: a sync-request that the peer answers (a round trip without the data layer). */
  #pullFromPeer(n: SimNode): void {
    if (this.#data) {
      this.#send(n, dataWire(this.#data.syncRequest(n.name)));
      return;
    }
    const link = this.#link;
    if (!link || n.linkSeen !== link.id) return;
    // The request and the answer wait out a one-way loss like any frame.
    const now = this.#now;
    const held = Math.max(this.#lossUntil.master, this.#lossUntil.backup, now) - now;
    const at = now + held + this.#rng.int(DELAYS.pullMinMs, DELAYS.pullMaxMs) + this.#slowExtra(n.name);
    if (held > 0) this.#lateUntil = Math.max(this.#lateUntil, at);
    this.#queue.push(at, { kind: 'pull', node: n.name, inc: n.incarnation, link });
  }

  /** As PeerLink.drop: this side closes at once, the other hears of it soon. */
  #dropLink(n: SimNode): void {
    const link = this.#link;
    if (!link || n.linkSeen !== link.id || link.cut) return;
    link.open = false;
    link.cut = true;
    this.#queue.push(this.#now, { kind: 'link-down', node: n.name, link });
    this.#queue.push(this.#now + this.#rng.int(0, DELAYS.linkDownMaxMs), {
      kind: 'link-down',
      node: peerOf(n.name),
      link,
    });
  }

  /**
   * The node's real frame router (node-core/node/peer-frames.ts), wired the way TandemNode wires it, over the
   * node's driver and the simulated link and clock. What the simulation does not model is a part that does
   * nothing: the failover history, the history of samples (gateway workload), sessions asked of the partner,
   * licenses and metrics.
   */
  #makeRouter(n: SimNode, driver: RedundancyDriver): PeerFrameRouter {
    return new PeerFrameRouter({
      driver,
      data: this.#data?.routerPort(n.name) ?? NO_DATA,
      workload: { linkUp: () => undefined, linkDown: () => undefined, onFrame: () => undefined },
      partnerSessions: { linkDown: () => undefined, onFrame: () => undefined },
      events: { list: () => [], insert: () => false, position: () => 0, storedAfter: () => [] },
      license: { state: 'missing' },
      metrics: { heartbeatRtt: () => undefined },
      clock: { now: () => this.#localTime(n.name) },
      send: (frame) => this.#sendFromRouter(n, frame),
      record: () => undefined,
      eventReceived: () => undefined,
      // As TandemNode's PairChecks.offsetMeasured: the pair clock follows the measured offset.
      clockOffset: (estimate) => {
        n.offsetMeasured = true;
        n.pairClock?.peerOffset(estimate.offsetMs);
      },
    });
  }

  /** What the router sends: a heartbeat's answer on the simulated link; the rest only where data is simulated. */
  #sendFromRouter(n: SimNode, frame: PeerFrame): void {
    if (frame.t === 'pong') this.#send(n, frame);
    else if (this.#data) this.#send(n, dataWire(frame));
  }

  // ---------------------------------------------------------------- every transition the drivers make

  /** The machine under test as this node's driver gets it: each transition is checked before its effects run. */
  #watched(n: SimNode): RedundancyMachine {
    const machine = this.#machine;
    return {
      initialState: machine.initialState,
      transition: (before, event, now) => {
        let result: Transition;
        try {
          result = machine.transition(before, event, now);
        } catch (error) {
          this.#fail('f', `${n.name}: transition threw on ${describeEvent(event)}: ${String(error)}`);
          return { state: before, effects: [], wakeAt: null };
        }
        this.#observe(n, event, before, result);
        return result;
      },
    };
  }

  #observe(n: SimNode, event: MachineEvent, before: MachineState, result: Transition): void {
    const now = this.#now;
    const after = result.state;
    this.#traceTransition(n, event, before, result);

    // (f) the effects tell the same story as the state.
    const lastChange = result.effects.findLast((e) => e.type === 'status-changed');
    if (lastChange && lastChange.type === 'status-changed' && lastChange.status !== after.status) {
      this.#fail('f', `${n.name}: status-changed says ${lastChange.status} but the state is ${after.status}`);
    }
    // (d) epochs.
    if (after.epoch < before.epoch || after.epoch < n.highestEpoch) {
      this.#fail(
        'd',
        `${n.name}: epoch went down from ${Math.max(before.epoch, n.highestEpoch)} to ${after.epoch}`,
      );
    }
    // Every become-active, also one undone within the same transition, takes a fresh epoch; the driver persists it.
    let epochBefore = before.epoch;
    const peerUp = after.peer.linked && !after.peer.lost;
    for (const e of result.effects) {
      if (e.type !== 'status-changed' || e.status !== 'active') continue;
      this.#coverage.becameActive++;
      // (a) what the node knows: with the check, it never becomes active without its peer unless its last
      // isolation probe reached the host (also not for a moment within one transition).
      if (n.config.isolationCheck !== null && !peerUp && after.isolationReachable !== true) {
        this.#fail(
          'a',
          `${n.name}: became active ("${e.reason}") without its peer although its isolation probe said ${String(after.isolationReachable)}`,
        );
      }
      this.#checkTakeOverNeeded(n, e.reason);
      // (b) and not before rule 3 allows: the failover time since the last answered heartbeat.
      const sinceAnswer = now - n.lastAnsweredAt;
      if (e.reason === 'missed heartbeats' && sinceAnswer < n.config.timing.failoverTimeMs) {
        this.#fail(
          'b',
          `${n.name} took over ${sinceAnswer} ms after its last answered heartbeat, before the failover time of ${n.config.timing.failoverTimeMs} ms`,
        );
      }
      if (e.epoch <= epochBefore || e.epoch <= n.knownPeerEpoch) {
        this.#fail(
          'd',
          `${n.name}: became active with epoch ${e.epoch}, not above its own ${epochBefore} and the peer's ${n.knownPeerEpoch} it was told about`,
        );
      }
      epochBefore = e.epoch;
      n.activeEpoch = e.epoch;
      n.heardPeerEpochWhenActive = n.knownPeerEpoch;
      // (o) an operator's switch-over holds.
      if (n.heldByOperator && (e.reason === 'automatic recovery' || e.reason === 'restore window')) {
        this.#fail(
          'o',
          `${n.name} took the role back ("${e.reason}") although an operator switched away from it`,
        );
      }
      n.heldByOperator = false;
    }
    if (before.status === 'active' && after.status === 'standby') {
      const change = result.effects.findLast((e) => e.type === 'status-changed');
      if (change?.type === 'status-changed' && change.reason === 'operator request') n.heldByOperator = true;
      // (o) the operator's choice of an active node decides a split that heals afterwards.
      if (n.claimedByOperator && change?.type === 'status-changed' && change.reason === 'partition healed') {
        this.#fail(
          'o',
          `${n.name} lost a healed split ("partition healed") although an operator had switched the pair to it`,
        );
      }
      if (change?.type === 'status-changed' && change.reason === 'partition healed')
        this.#checkSplitWinner(n);
    }
    if (after.status !== 'active') n.claimedByOperator = false;
    if (before.status !== 'active' && after.status === 'active') {
      const change = result.effects.findLast((e) => e.type === 'status-changed');
      if (change?.type === 'status-changed' && change.reason === 'operator request')
        n.claimedByOperator = true;
    }
    // Held without a change of status: it had lost the split on its own when the operator's request came.
    if (before.heldSince === null && after.heldSince !== null) n.heldByOperator = true;
    if (before.status !== 'active' && after.status === 'active') {
      if (this.#lastActive !== null && this.#lastActive !== n.name) this.#failovers++;
      this.#lastActive = n.name;
    }
    n.highestEpoch = Math.max(n.highestEpoch, after.epoch);
  }

  // ---------------------------------------------------------------- invariants

  #fail(invariant: InvariantId, message: string): void {
    if (this.#failure !== null) return;
    this.#failure = { invariant, atMs: this.elapsedMs, message };
    this.#log(() => `INVARIANT (${invariant}) FAILED: ${message}`);
  }

  #isActive(node: NodeName): boolean {
    return this.status(node) === 'active';
  }

  /** (q) `n` just lost a healed split: the winner must not be a later activation that had heard of n's. */
  #checkSplitWinner(n: SimNode): void {
    if (n.config.recovery === 'automatic') return;
    const winner = this.#nodes[peerOf(n.name)];
    if (winner.claimedByOperator || winner.reportedStatus !== 'active') return;
    const [first, later] = n.activeAtTrue < winner.activeAtTrue ? [n, winner] : [winner, n];
    if (later.heardPeerEpochWhenActive < first.activeEpoch) return;
    this.#coverage.orderedSplitsHealed++;
    if (first === n) {
      this.#fail(
        'q',
        `${n.name} (active since ${n.activeAtTrue} ms true time, epoch ${n.activeEpoch}) lost a healed split to ${winner.name}, active only since ${winner.activeAtTrue} ms under epoch ${winner.activeEpoch} after hearing of epoch ${winner.heardPeerEpochWhenActive}`,
      );
    }
  }

  /**
   * (a) isolation-safe family: a take-over for missed heartbeats while the peer is active and reachable is a
   * split brain the isolation check should have prevented. Allowed only
   *  - while this node is cut off itself (it may not know yet: the detection window of `dualActiveMs`);
   *  - just after the peer booted or its partition ended: the link needs a re-dial, a handshake and a hello
   *    (`p + H + 2D`) before this node can hear it;
   *  - just after this node's own partition ended, for the same `p + H + 2D`. A node that was cut off counts the
   *    failover time anew from the probe that reaches the host again (docs/redundancy.md "Isolation check"),
   *    so this only matters when the failover time is shorter than a re-dial (seed 22 took over at once
   *    before that rule).
   */
  #checkTakeOverNeeded(n: SimNode, reason: string): void {
    if (this.scenario.family !== 'isolation-safe' || reason !== 'missed heartbeats') return;
    const now = this.#now;
    const peer = peerOf(n.name);
    const redialMaxMs = Math.ceil(n.config.timing.pingRateMs * 1.25);
    const reconnectMs = redialMaxMs + DELAYS.handshakeMaxMs + 2 * DELAYS.frameMaxMs;
    const reachableSince = Math.max(
      this.#partitionUntil[peer],
      this.#nodes[peer].upSince,
      this.#partitionUntil[n.name],
    );
    if (this.#partitionUntil[n.name] > now || reachableSince > now - reconnectMs) return;
    if (this.status(peer) !== 'active') return;
    this.#fail(
      'a',
      `${n.name} took over for missed heartbeats while its peer was active and reachable (its own partition ended ${this.#ago(this.#partitionUntil[n.name])}, its peer's ${this.#ago(this.#partitionUntil[peer])})`,
    );
  }

  /**
   * (p) The node stands down at the heal of a split brain and records how long both were active. It reads the
   * peer's `activeSince` (the peer's clock) through its estimate of the peer's offset; the simulation knows the
   * true offset, so the record must match the overlap within the estimate's error (rounding: 1 ms).
   */
  #checkSplitBrainRecord(n: SimNode, event: RecordedEvent): void {
    const recorded = event.durationMs;
    const state = n.driver?.state;
    const peer = this.#nodes[peerOf(n.name)];
    if (recorded === null || !state)
      return this.#fail('p', `${n.name} recorded a split brain without a duration`);
    const trueOffset = this.scenario.clockSkewMs[peer.name] - this.scenario.clockSkewMs[n.name];
    const estimateError = Math.abs((state.peer.clockOffsetMs ?? 0) - trueOffset);
    const activeFor = this.#now - n.activeAtTrue;
    const localNow = this.#localTime(n.name);
    const theirs = (state.peer.activeSince ?? localNow) - trueOffset;
    const overlap = Math.max(0, localNow - Math.max(localNow - activeFor, theirs));
    this.#coverage.splitBrains++;
    this.#coverage.worstSplitBrainMs = Math.max(
      this.#coverage.worstSplitBrainMs,
      Math.abs(recorded - overlap),
    );
    if (recorded < 0 || recorded > activeFor || Math.abs(recorded - overlap) > estimateError + 1) {
      this.#fail(
        'p',
        `${n.name} recorded ${recorded} ms of dual-active time; it was active for ${activeFor} ms, the overlap was ${overlap} ms, its estimate of the peer's clock is ${estimateError} ms off`,
      );
    }
  }

  /** When the network became good with both nodes up and not stopping; null if it is not good now. */
  #healthySince(): number | null {
    const m = this.#nodes.master;
    const b = this.#nodes.backup;
    if (!m.up || !b.up || m.stopRequested || b.stopRequested) return null;
    const ends = [
      this.#cutUntil,
      this.#delayUntil,
      this.#lossUntil.master,
      this.#lossUntil.backup,
      this.#slowUntil.master,
      this.#slowUntil.backup,
      this.#partitionUntil.master,
      this.#partitionUntil.backup,
      this.#lateUntil,
    ];
    if (ends.some((end) => end > this.#now)) return null;
    return Math.max(...ends, m.upSince, b.upSince);
  }

  #check(): void {
    if (this.#failure !== null) return;
    const now = this.#now;
    const { bounds, scenario } = this;
    const activeM = this.#isActive('master');
    const activeB = this.#isActive('backup');

    // (a) and the dual-active statistics.
    if (activeM && activeB) {
      this.#dualSince ??= now;
    } else if (this.#dualSince !== null) {
      const lasted = now - this.#dualSince;
      this.#maxDualActiveMs = Math.max(this.#maxDualActiveMs, lasted);
      if (scenario.family === 'isolation-safe') {
        this.#coverage.maxDualActiveIsolationSafeMs = Math.max(
          this.#coverage.maxDualActiveIsolationSafeMs,
          lasted,
        );
      }
      this.#dualSince = null;
      if (scenario.family === 'isolation-safe' && lasted > bounds.dualActiveMs) {
        return this.#fail('a', `both nodes were active for ${lasted} ms (bound ${bounds.dualActiveMs} ms)`);
      }
    }
    if (
      scenario.family === 'isolation-safe' &&
      this.#dualSince !== null &&
      now - this.#dualSince > bounds.dualActiveMs
    ) {
      return this.#fail(
        'a',
        `both nodes active since ${this.#ms(this.#dualSince)} (bound ${bounds.dualActiveMs} ms) although the isolation check is configured and only one-node partitions and crashes happened`,
      );
    }
    if (!activeM && !activeB) this.#zeroSince ??= now;
    else this.#zeroSince = null;

    // (b) a standby with a dead peer takes over.
    for (const name of NODE_NAMES) {
      const n = this.#nodes[name];
      const peer = this.#nodes[peerOf(name)];
      // Checked at every step: a node that was not active at the previous step was not active in between.
      const armed = this.#takeOverArmed[name];
      this.#takeOverArmed[name] = null;
      if (armed !== null && now > armed.deadline) {
        return this.#fail(
          'b',
          `${name} was still ${this.status(name) === 'active' ? 'not active before this step' : this.status(name)} ${now - armed.t0} ms after its peer was gone at ${this.#ms(armed.t0)} (bound ${armed.deadline - armed.t0} ms)`,
        );
      }
      if (!n.up || n.stopRequested || peer.up || this.#slowUntil[name] > now) continue;
      if (n.linkSeen !== null) {
        // The peer is gone but this side still holds the link (a silent crash): its heartbeats must notice.
        const since = Math.max(peer.downSince, n.upSince, n.linkUpAt, this.#slowUntil[name], this.#lateUntil);
        if (now > since + bounds.noticeSilenceMs) {
          return this.#fail(
            'b',
            `${name} still holds the link ${now - since} ms after its peer went silent at ${this.#ms(since)} (bound ${bounds.noticeSilenceMs} ms)`,
          );
        }
        continue;
      }
      let regained = 0;
      if (scenario.pair.isolationCheck !== null) {
        if (!this.#reachesHost(name)) continue;
        regained = Math.max(this.#partitionUntil[name], this.#hostOutageUntil[name]);
      }
      const t0 = Math.max(
        peer.downSince,
        n.upSince,
        n.linkDownAt,
        regained,
        this.#slowUntil[name],
        this.#lateUntil,
      );
      let deadline = Math.max(t0 + bounds.takeOverMs, regained + bounds.takeOverAfterIsolationMs);
      if (name === 'master' && this.status(name) === 'starting') {
        deadline = Math.max(deadline, n.upSince + bounds.bootAloneMs);
      }
      if (!this.#isActive(name)) {
        if (now > deadline) {
          return this.#fail(
            'b',
            `${name} is ${this.status(name)}, not active, ${now - t0} ms after its peer was gone at ${this.#ms(t0)} (bound ${deadline - t0} ms)`,
          );
        }
        this.#takeOverArmed[name] = { t0, deadline };
      } else if (armed !== null) {
        this.#coverage.takeOvers++;
        const ratio = (now - armed.t0) / (armed.deadline - armed.t0);
        this.#coverage.slowestTakeOverRatio = Math.max(this.#coverage.slowestTakeOverRatio, ratio);
      }
    }

    // (c), (e) a good link settles to exactly one active node, the master with automatic recovery.
    const healthySince = this.#healthySince();
    if (healthySince !== null && now > healthySince) {
      const expectMaster =
        !this.#nodes.master.heldByOperator &&
        (scenario.pair.recovery === 'automatic' ||
          (scenario.pair.recovery === 'window' && this.#windows.some((w) => w.start <= now && now < w.end)));
      const since = Math.max(
        healthySince,
        this.#lastSwitchoverAt,
        this.#windows.find((w) => w.start <= now && now < w.end)?.start ?? 0,
      );
      const unsettled = activeM === activeB || (expectMaster && !activeM);
      if (unsettled && now > since) {
        this.#coverage.slowestSettleRatio = Math.max(
          this.#coverage.slowestSettleRatio,
          (now - since) / bounds.settleMs,
        );
      }
    }
    if (healthySince !== null && now >= healthySince + bounds.settleMs) {
      this.#coverage.settled++;
      if (activeM && activeB) {
        return this.#fail(
          'e',
          `both nodes active although the link has been good since ${this.#ms(healthySince)}`,
        );
      }
      if (this.#zeroSince !== null && now - this.#zeroSince > bounds.handoverGapMs) {
        return this.#fail(
          'e',
          `no node active since ${this.#ms(this.#zeroSince)} although the link has been good since ${this.#ms(healthySince)} (master ${this.status('master')}, backup ${this.status('backup')})`,
        );
      }
      let since = Math.max(healthySince, this.#lastSwitchoverAt);
      let expectMaster = scenario.pair.recovery === 'automatic';
      if (scenario.pair.recovery === 'window') {
        const open = this.#windows.find((w) => w.start <= now && now < w.end);
        expectMaster = open !== undefined;
        if (open) since = Math.max(since, open.start);
      }
      if (this.#nodes.master.heldByOperator) expectMaster = false;
      if (expectMaster && now >= since + bounds.settleMs) {
        this.#coverage.settledAutomatic++;
        if (!activeM) {
          return this.#fail(
            'c',
            `${scenario.pair.recovery} recovery: master is ${this.status('master')}, not active, although both are up and the link has been good${scenario.pair.recovery === 'window' ? ' and the restore window open' : ''} since ${this.#ms(since)}`,
          );
        }
      }
    }

    // (g) a clean stop ends.
    for (const name of NODE_NAMES) {
      const n = this.#nodes[name];
      if (!n.up || !n.stopRequested) continue;
      const slow = this.#slowUntil[name] > n.stopRequestedAt ? this.#slowMaxMs[name] : 0;
      if (now > n.stopRequestedAt + bounds.stopMs + slow) {
        return this.#fail(
          'g',
          `${name} was asked to stop at ${this.#ms(n.stopRequestedAt)} and is still ${this.status(name)}`,
        );
      }
    }

    // (h)-(k): the data invariants that hold after every step (data-layer.ts).
    this.#data?.check();
  }

  // ---------------------------------------------------------------- trace

  #ago(at: number): string {
    return at === 0 ? 'never' : `${this.#now - at} ms ago`;
  }

  #ms(at: number): string {
    return `${((at - this.scenario.startTime) / 1000).toFixed(3)}s`;
  }

  #log(line: () => string): void {
    if (this.#trace) this.#trace(`${this.#ms(this.#now).padStart(9)}  ${line()}`);
  }

  #traceTransition(n: SimNode, event: MachineEvent, before: MachineState, result: Transition): void {
    if (!this.#trace) return;
    const effects = result.effects.filter((e) => !(e.type === 'send' && e.frame.t === 'ping'));
    const changed = before.status !== result.state.status;
    // A tick that only asks the isolation host again (every missed heartbeat does) is heartbeat noise too.
    const quiet = effects.every((e) => e.type === 'probe-isolation');
    if (!this.#traceHeartbeats && !changed && quiet) return;
    const status = changed
      ? `  ⇒ ${before.status}→${result.state.status} e${result.state.epoch}`
      : `  (${result.state.status} e${result.state.epoch})`;
    const fx = effects.length > 0 ? `  ⇒ ${effects.map(describeEffect).join(', ')}` : '';
    this.#log(() => `${pad(n.name)} ← ${describeEvent(event)}${status}${fx}`);
  }
}

function windowsDuring(scenario: Scenario): { start: number; end: number }[] {
  const window = scenario.pair.restoreWindow;
  const windows: { start: number; end: number }[] = [];
  if (window === null) return windows;
  const end = scenario.startTime + scenario.durationMs;
  for (let at = scenario.startTime; at < end;) {
    const start = currentOrNextWindowStart(window, at);
    if (start === null || start >= end) break;
    windows.push({ start, end: start + window.lengthMs });
    at = start + window.lengthMs + 1;
  }
  return windows;
}

function assertNever(value: never): never {
  throw new Error(`unhandled: ${JSON.stringify(value)}`);
}

/** Runs one seed of the random scenario family. */
export function runScenario(scenario: Scenario, options: SimulationOptions = {}): SimResult {
  return new Simulation(scenario, options).run();
}

/** Runs one seed with the data layer: the redundancy scenario of that seed plus its clients. */
export function runDataScenario(
  scenario: Scenario,
  options: Omit<SimulationOptions, 'data'> = {},
): Promise<SimResult> {
  const sim = new Simulation(scenario, { ...options, data: randomDataScript(scenario.seed) });
  return sim.runAsync().finally(() => sim.data?.dispose());
}

/** The router's data port where the data layer is not simulated: no data frames ever arrive. */
const NO_DATA = {
  onLinkUp: () => undefined,
  onLinkDown: () => undefined,
  sendConfigHead: () => undefined,
  answerPull: () => undefined,
  onFrame: () => undefined,
};

/** The peer's certificate as the router keeps it (the simulated link has no TLS). */
const SIM_CERTIFICATE = {
  fingerprint: '0'.repeat(64),
  subject: 'CN=simulated peer',
  notBefore: '2026-01-01T00:00:00.000Z',
  notAfter: '2036-01-01T00:00:00.000Z',
};

/** The hello a real peer would send, with what the simulated one carries (status, epoch, active since). */
function simHello(from: NodeName, peer: PeerHello): Hello {
  return {
    t: 'hello',
    protocol: 1,
    nodeId: `sim-${from}`,
    name: 'sim',
    mode: from,
    status: peer.status,
    epoch: peer.epoch,
    activeSince: peer.activeSince,
    at: peer.at,
    startedAt: '2026-01-01T00:00:00.000Z',
    version: 'simulated',
    apiUrl: '',
    license: { state: 'missing' },
    standby: 'warm',
  };
}
