/**
 * The data layer of the deterministic simulation (docs/rules.md "Data" and "Commands"): each simulated node
 * runs a real DataService over a real SQLite database, and simulated clients put and delete config, write
 * tags, acknowledge alarms and repeat uids against either node while the redundancy faults happen.
 *
 * Storage. Each node gets one in-memory SQLite database per run (a copy of one made with node-core's own
 * migrations) and KEEPS it across a simulated crash: the crash drops the DataService and everything it holds
 * in memory, and a restart builds a new one over the same Database object, which reloads from it like a
 * restarted process reloads its file. This is exact because better-sqlite3 commits synchronously and the
 * simulation crashes a node only between two steps, never inside a transaction: what the database holds is
 * exactly what was committed, which is what a reopened file holds after a process crash (WAL). A temp file
 * per node, reopened on every restart, would say the same and cost file system work per restart and per
 * seed; thousands of seeds stay fast this way. Not modelled: a power loss with `synchronous = NORMAL` may
 * roll back the last transactions of a file, and a crash in the middle of a synchronous run of code (between
 * two transactions of one operation).
 *
 * Routing. Every frame, link-up and link-down goes through the node's real PeerFrameRouter
 * (node-core/node/peer-frames.ts, built in simulator.ts #makeRouter), which hands it to this DataService
 * through `routerPort`, exactly as in TandemNode. What is still mirrored, each place marked `mirrors
 * TandemNode...`: the DataService ports (#makeService) and what TandemNode's ports of the real redundancy
 * driver do with the data service (pull-from-peer: `data.pullRequest()`; a status change:
 * `data.statusChanged(status)`; simulator.ts #driverPortsOf). Frames are serialised when sent and parsed with
 * the real frame schema when they arrive.
 *
 * Clients mirror node-core/client/tandem-client.ts: a standby answers 307 to the active node it knows of
 * (data-routes.ts, redirectUnlessActive) or 503; on 503, a refused connection or a reset one, the client
 * moves to the other node; after a round over both it waits (backoff.ts: 500 ms doubling, ±25 %, drawn from
 * the seed); five rounds, then it gives up. Every retry of a command carries the same uid. An answer may be lost on the way (the server did the work).
 *
 * Invariants (checked after every step, or at the end of a run where they only hold once the pair has settled):
 *  (h) after every step: a change or command answered with success while the node kept the same link since it
 *      made it was stored by the peer (docs/rules.md "Data 3": acknowledged only once the standby stored it).
 *  (i) after every step: an acknowledged alarm occurrence is never unacknowledged again on either node, also
 *      across restarts.
 *  (j) after every step: a node never executes a uid twice: not one it executed before (also before a
 *      restart: its ledger is durable), not one it received from its peer, not two at once. A uid executed on
 *      one node and again on the other is counted (coverage), not failed, when the first execution could not
 *      have reached the second node (its runtime frame was lost with a crash or a broken link).
 *  (k) after every step: an executed tag write is the value the executing node holds (newest version wins,
 *      so a fresh write must be newer than anything the node holds).
 *  (l) at the end, once settled: both nodes hold the same config (head seq, checksum and items); that config is
 *      the replay of the change log that leads to the head; every change answered with success is in that log
 *      or in the active node's conflict set (GET /api/config/conflicts), never silently dropped.
 *  (m) at the end, once settled: both nodes hold the same runtime data (values, ledger uids, alarm states); each
 *      written tag holds the write with the highest version of all executed writes (so every acknowledged
 *      write is there or superseded by a newer one); every acknowledged alarm occurrence is still acknowledged.
 *  (n) at the end, once settled: every call has been answered (no caller waits for an ack that never comes).
 */
import Database from 'better-sqlite3';
import {
  AlarmService,
  AlarmStore,
  compareVersions,
  ConfigStore,
  DataError,
  DataService,
  RuntimeStore,
  type ConfigChange,
  type ConfigHead,
  type ConfigKind,
  type DataPorts,
  type Version,
} from '../../node-core/data/index.ts';
import type { PeerFramePorts } from '../../node-core/node/peer-frames.ts';
import { parseFrame, type PeerFrame } from '../../node-core/peer/frames.ts';
import type { MachineState } from '../../node-core/redundancy/machine.ts';
import { MetaStore, type Db } from '../../node-core/store/index.ts';
import { migrations } from '../../node-core/store/migrations/index.ts';
import { WRITTEN_TAGS, type DataOp, type DataScript, type ScheduledOp } from './data-scenario.ts';
import { backoffDelay } from '../../node-core/protocol/backoff.ts';
import { Prng } from './prng.ts';
import { NODE_NAMES, peerOf, type NodeName } from './scenario.ts';

export type DataInvariantId = 'h' | 'i' | 'j' | 'k' | 'l' | 'm' | 'n';

/** What the real frame router calls on a node's data service (PeerFramePorts['data']). */
export type RouterDataPort = PeerFramePorts['data'];

/** What the simulator lends the data layer. */
export interface DataHost {
  now(): number;
  ms(at: number): string;
  /**
   * The node's pair clock (node-core/redundancy/pair-clock.ts), which stamps what the pair records: the
   * master's clock, on a backup its own plus the offset it measured. TandemNode gives it to the DataService.
   */
  pairTime(node: NodeName): number;
  /** The node's machine, null while it is down. */
  machine(node: NodeName): MachineState | null;
  incarnation(node: NodeName): number;
  /** The link this node's driver believes is up, or null. */
  linkSeen(node: NodeName): number | null;
  /** Sends a data frame from this node, like PeerLink.send: dropped unless this side is linked. */
  send(node: NodeName, frame: DataWire): void;
  schedule(at: number, event: DataEvent): void;
  /** Extra delay for anything addressed to a slow node. */
  slowExtra(node: NodeName): number;
  fail(invariant: DataInvariantId | 'f', message: string): void;
  log(line: () => string): void;
  /** The pair is up, linked and settled: data must have converged. */
  settled(): boolean;
}

/** A data frame on the simulated wire: serialised when sent, parsed with the real schema on arrival. */
export interface DataWire {
  readonly t: 'data';
  readonly kind: PeerFrame['t'];
  readonly json: string;
}

export function dataWire(frame: PeerFrame): DataWire {
  return { t: 'data', kind: frame.t, json: JSON.stringify(frame) };
}

type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly code: string; readonly message: string };

/** What a client gets back from one HTTP attempt. */
type ClientAnswer =
  | { readonly type: 'redirect' }
  | { readonly type: 'unavailable'; readonly why: string }
  | { readonly type: 'done'; readonly outcome: Outcome };

interface ClientCall {
  readonly id: number;
  readonly scheduled: ScheduledOp;
  current: NodeName;
  round: number;
  tried: number;
  attempts: number;
  state: 'running' | 'answered' | 'gave-up';
  /** What the client got in the end, with the node that answered. */
  outcome: (Outcome & { readonly node: NodeName; readonly atMs: number }) | null;
}

/** A client call as named tests read it. */
export interface CallView {
  readonly op: DataOp;
  readonly repeat: boolean;
  readonly state: ClientCall['state'];
  readonly attempts: number;
  readonly outcome: ClientCall['outcome'];
}

/** Lets a test break the DataService's ports on purpose, to show that the invariants catch it. */
export type PortsOverride = (node: NodeName, ports: DataPorts) => DataPorts;

export type DataEvent =
  | { readonly kind: 'op'; readonly op: ScheduledOp }
  | {
      readonly kind: 'request';
      readonly call: ClientCall;
      readonly node: NodeName;
      readonly redirects: number;
    }
  | {
      readonly kind: 'answer';
      readonly call: ClientCall;
      readonly node: NodeName;
      readonly inc: number;
      readonly redirects: number;
      readonly answer: ClientAnswer;
    }
  | { readonly kind: 'retry'; readonly call: ClientCall }
  | { readonly kind: 'device'; readonly node: NodeName; readonly inc: number; readonly done: () => void };

/** A config change as the simulation saw it made; the tree of all of them is keyed by checksum. */
interface Commit {
  readonly checksum: string;
  readonly parent: string;
  /** The conflict id the change would get: `origin:epoch:seq`. */
  readonly id: string;
  readonly kind: ConfigKind;
  readonly key: string;
  /** JSON of the definition, null for a delete. */
  readonly value: string | null;
  readonly node: NodeName;
  readonly at: number;
  /** Who made the change and when by its clock: a copy merged into the other node's log keeps both. */
  readonly origin: string;
  readonly changeAt: number;
  acknowledged: boolean;
}

interface Execution {
  readonly uid: string;
  readonly node: NodeName;
  readonly inc: number;
  readonly at: number;
  readonly tag: string | null;
  /** The version of a memory write, read back right after it executed. */
  readonly version: Version | null;
  readonly value: number | null;
  /** The alarm an acknowledgement acknowledged, and which occurrence of it (its activation stamp). */
  readonly alarm: string | null;
  readonly occurrence: string | null;
  /** A device write still waiting for the device: its ledger entry is not stored yet. */
  inFlight: boolean;
  answered: boolean;
}

interface ServerCall {
  readonly call: ClientCall;
  readonly node: NodeName;
  readonly inc: number;
  readonly service: DataService;
  readonly redirects: number;
  readonly at: number;
  readonly linkAtStart: number | null;
  commit: Commit | null;
  execution: Execution | null;
  outcome: Outcome | null;
}

interface NodeData {
  readonly name: NodeName;
  readonly nodeId: string;
  readonly db: Db;
  service: DataService | null;
  inc: number;
  /** How each past incarnation ended; an answer in flight is lost with a crash, not with a clean stop. */
  readonly exits: Map<number, 'graceful' | 'crash'>;
  /** The uids this node executed or stored from its peer, as the simulation saw them go in (durable). */
  readonly knownUids: Set<string>;
  /** `id@occurrence` of every occurrence this node has shown acknowledged. */
  readonly ackedOccurrences: Set<string>;
  /** Something happened to this node's data since the last check. */
  dirty: boolean;
}

export interface DataCoverage {
  runs: number;
  /** Runs that ended settled, so that (l), (m) and (n) were checked. */
  settledRuns: number;
  ops: number;
  attempts: number;
  answeredOk: number;
  answeredError: number;
  gaveUp: number;
  answersLost: number;
  configAcknowledged: number;
  /** Acknowledged changes found in the conflict set at the end, not in the pair's config. */
  configInConflictSet: number;
  /** Conflicts whose change the pair kept after all (shown to an operator although nothing was lost). */
  spuriousConflicts: number;
  /** Acknowledged changes of a node's side of a split (or of a hand-over) merged by key into the pair's log. */
  configMerged: number;
  /** Acknowledged changes not in the log because a later change of the same key is. */
  configSuperseded: number;
  commandsExecuted: number;
  commandsRepeated: number;
  /** A uid executed on one node and again on the other, its first execution lost with a crash or a cut. */
  reExecutedAcrossPair: number;
  /** A device write cut short by a crash and executed again after the restart. */
  interruptedDeviceWrites: number;
  fullResyncs: number;
  /** (h) answers checked against the peer's store. */
  durableAnswersChecked: number;
  /** (i) acknowledged alarm occurrences followed. */
  ackedOccurrences: number;
  drains: number;
}

export function emptyDataCoverage(): DataCoverage {
  return {
    runs: 0,
    settledRuns: 0,
    ops: 0,
    attempts: 0,
    answeredOk: 0,
    answeredError: 0,
    gaveUp: 0,
    answersLost: 0,
    configAcknowledged: 0,
    configInConflictSet: 0,
    spuriousConflicts: 0,
    configMerged: 0,
    configSuperseded: 0,
    commandsExecuted: 0,
    commandsRepeated: 0,
    reExecutedAcrossPair: 0,
    interruptedDeviceWrites: 0,
    fullResyncs: 0,
    durableAnswersChecked: 0,
    ackedOccurrences: 0,
    drains: 0,
  };
}

export function addDataCoverage(into: DataCoverage, from: DataCoverage): void {
  for (const key of Object.keys(into) as (keyof DataCoverage)[]) into[key] += from[key];
}

const GENESIS = '0'.repeat(64);
/** The client library's defaults (tandem-client.ts). */
const CLIENT_ROUNDS = 5;
const CLIENT_RETRY_DELAY_MS = 500;
const CLIENT_MAX_RETRY_DELAY_MS = 8000;
const MAX_REDIRECTS = 3;
/** One HTTP hop on the plant network: 1..HTTP_MAX_MS. */
const HTTP_MAX_MS = 5;
/** The simulated device answers a write within DEVICE_MIN_MS..DEVICE_MAX_MS, or fails. */
const DEVICE_MIN_MS = 5;
const DEVICE_MAX_MS = 60;
const DEVICE_FAILURE_RATE = 0.1;

/** An empty database with node-core's migrations, as store/database.ts makes them, serialised once. */
let template: Buffer | null = null;

/** A fresh in-memory database (see above): a copy of the template, twenty times cheaper than migrating. */
function memoryDatabase(): Db {
  if (template === null) {
    const db = new Database(':memory:');
    for (const migration of migrations) {
      db.transaction(() => {
        db.exec(migration.sql);
        db.pragma(`user_version = ${migration.version}`);
      })();
    }
    template = db.serialize();
    db.close();
  }
  const db = new Database(template);
  db.pragma('foreign_keys = ON');
  return db;
}

export class DataLayer {
  readonly coverage = emptyDataCoverage();
  readonly #host: DataHost;
  readonly #script: DataScript;
  readonly #rng: Prng;
  readonly #nodes: Record<NodeName, NodeData>;
  readonly #commits = new Map<string, Commit>();
  readonly #executions = new Map<string, Execution[]>();
  readonly #calls: ClientCall[] = [];
  /** Server calls whose promise has not settled yet, in the order they started. */
  readonly #pending = new Set<ServerCall>();
  /** Settled while the microtasks ran; handled in order after the drain. */
  readonly #settled: ServerCall[] = [];
  /** The call whose DataService method is running synchronously now (the device port needs to know). */
  #invoking: ServerCall | null = null;
  #nextCallId = 1;
  #touched = false;

  readonly #override: PortsOverride | null;

  constructor(
    host: DataHost,
    script: DataScript,
    seed: number,
    startTime: number,
    override: PortsOverride | null = null,
  ) {
    this.#host = host;
    this.#override = override;
    this.#script = script;
    this.#rng = new Prng(seed ^ 0xd47a);
    const node = (name: NodeName): NodeData => ({
      name,
      nodeId: `sim-${name}`,
      db: memoryDatabase(),
      service: null,
      inc: 0,
      exits: new Map(),
      knownUids: new Set(),
      ackedOccurrences: new Set(),
      dirty: false,
    });
    this.#nodes = { master: node('master'), backup: node('backup') };
    this.coverage.runs = 1;
    for (const op of script.ops) host.schedule(startTime + op.at, { kind: 'op', op });
  }

  /** The node's DataService now (null while it is down), for named tests. */
  service(name: NodeName): DataService | null {
    return this.#nodes[name].service;
  }

  /** Every client call so far, in the order they began. */
  calls(): CallView[] {
    return this.#calls.map((c) => ({
      op: c.scheduled.op,
      repeat: c.scheduled.repeat,
      state: c.state,
      attempts: c.attempts,
      outcome: c.outcome,
    }));
  }

  /** Closes both databases; the run is over. */
  dispose(): void {
    for (const name of NODE_NAMES) this.#nodes[name].db.close();
  }

  // ---------------------------------------------------------------- the node's life

  /** A process starts: a new DataService over the node's database (mirrors TandemNode's constructor). */
  boot(name: NodeName, inc: number): void {
    const n = this.#nodes[name];
    n.inc = inc;
    n.service = this.#makeService(n);
    n.dirty = true;
  }

  /** The process is gone. A clean stop closes the link first (TandemNode.stop: link.close emits 'down'). */
  exit(name: NodeName, how: 'graceful' | 'crash'): void {
    const n = this.#nodes[name];
    const service = n.service;
    if (!service) return;
    if (how === 'graceful' && this.#host.linkSeen(name) !== null) this.#touch(n, () => service.onLinkDown());
    n.exits.set(n.inc, how);
    n.service = null;
    // Calls still open on the process are answered (a clean stop released them) or reset after the drain.
    this.#touched = true;
  }

  /**
   * The data service of a node as the real frame router (PeerFrameRouter) sees it: each call reaches the
   * node's current DataService, marked as touched so its promises are drained and its invariants checked.
   */
  routerPort(name: NodeName): RouterDataPort {
    return {
      onLinkUp: (peerActive) => this.linkUp(name, peerActive),
      onLinkDown: () => this.linkDown(name),
      sendConfigHead: () => this.sendConfigHead(name),
      answerPull: (head, unshared) => this.answerPull(name, head, unshared),
      onFrame: (frame) => this.onFrame(name, frame),
    };
  }

  /** From the router's link-up, after the driver heard it: `data.onLinkUp(hello.status === 'active')`. */
  linkUp(name: NodeName, peerHelloActive: boolean): void {
    const n = this.#nodes[name];
    const service = n.service;
    if (service) this.#touch(n, () => service.onLinkUp(peerHelloActive));
  }

  /** From the router's link-down: `data.onLinkDown()` before the driver hears link-down. */
  linkDown(name: NodeName): void {
    const n = this.#nodes[name];
    const service = n.service;
    if (service) this.#touch(n, () => service.onLinkDown());
  }

  /** From the router's 'state': a new active peer, and this node not active: follow it. */
  sendConfigHead(name: NodeName): void {
    const n = this.#nodes[name];
    const service = n.service;
    if (service) this.#touch(n, () => service.sendConfigHead());
  }

  /** Mirrors TandemNode's driver port pullFromPeer: `data.pullRequest()`. */
  syncRequest(name: NodeName): PeerFrame {
    const service = this.#nodes[name].service;
    return service ? service.pullRequest() : { t: 'sync-request', configHead: { seq: 0, checksum: GENESIS } };
  }

  /** From the router's 'sync-request': everything the peer may lack (the router then sends sync-done). */
  answerPull(
    name: NodeName,
    head: ConfigHead,
    unshared?: { since: number; changes: readonly ConfigChange[] },
  ): void {
    const n = this.#nodes[name];
    const service = n.service;
    if (service) this.#touch(n, () => service.answerPull(head, unshared));
  }

  /** Mirrors TandemNode #onStatusChanged: `data.statusChanged(status)`. */
  statusChanged(name: NodeName, status: MachineState['status']): void {
    const n = this.#nodes[name];
    const service = n.service;
    if (service) this.#touch(n, () => service.statusChanged(status));
  }

  /** Parses a frame that arrived, like PeerLink does; a frame the real link would refuse fails the run. */
  receive(name: NodeName, wire: DataWire): PeerFrame | null {
    const parsed = parseFrame(wire.json);
    if (!parsed.ok) {
      this.#host.fail(
        'f',
        `${name} received a ${wire.kind} frame the real link would refuse: ${parsed.reason}`,
      );
      return null;
    }
    this.#host.log(() => `${name.padEnd(6)} ← ${describeFrame(parsed.frame)}`);
    return parsed.frame;
  }

  /** From the router's data frames: `this.data.onFrame(frame)`. */
  onFrame(name: NodeName, frame: PeerFrame): void {
    const n = this.#nodes[name];
    const service = n.service;
    if (!service) return;
    this.#touch(n, () => service.onFrame(frame));
    // What the node just stored from its peer (runtime frames are stored whatever the node's status).
    if (frame.t === 'runtime') for (const entry of frame.ledger) n.knownUids.add(entry.uid);
  }

  // ---------------------------------------------------------------- events

  handle(event: DataEvent): void {
    switch (event.kind) {
      case 'op':
        return this.#startCall(event.op);
      case 'request':
        return this.#request(event.call, event.node, event.redirects);
      case 'answer':
        return this.#clientGets(event);
      case 'retry':
        return this.#attempt(event.call, 0);
      case 'device': {
        const n = this.#nodes[event.node];
        // A device answer for a process that died is lost with it.
        if (n.service && n.inc === event.inc) this.#touch(n, event.done);
        return;
      }
      default:
        return assertNever(event);
    }
  }

  /** Promises settled by this step can only be seen after the microtasks ran. */
  needsDrain(): boolean {
    return this.#touched && this.#pending.size > 0;
  }

  /** After the microtasks ran: the settled calls, in the order they settled, then those of dead processes. */
  afterDrain(): void {
    this.coverage.drains++;
    this.#touched = false;
    const settled = this.#settled.splice(0);
    for (const sc of settled) this.#onSettled(sc);
    for (const sc of this.#pending) {
      if (this.#nodes[sc.node].service === sc.service) continue;
      // The process is gone with the call: the connection resets, the client moves on; it never settles.
      this.#pending.delete(sc);
      if (sc.execution?.inFlight) {
        sc.execution.inFlight = false;
        this.coverage.interruptedDeviceWrites++;
      }
      this.#answer(sc.call, sc.node, sc.inc, sc.redirects, { type: 'unavailable', why: 'connection reset' });
    }
  }

  // ---------------------------------------------------------------- clients

  #startCall(op: ScheduledOp): void {
    const call: ClientCall = {
      id: this.#nextCallId++,
      scheduled: op,
      current: op.first,
      round: 0,
      tried: 0,
      attempts: 0,
      state: 'running',
      outcome: null,
    };
    this.#calls.push(call);
    this.coverage.ops++;
    if (op.repeat) this.coverage.commandsRepeated++;
    this.#host.log(
      () => `client #${call.id} ${describeOp(op.op)}${op.repeat ? ' (repeat)' : ''} → ${call.current}`,
    );
    this.#attempt(call, 0);
  }

  #attempt(call: ClientCall, redirects: number): void {
    call.attempts++;
    this.coverage.attempts++;
    const node = call.current;
    const at = this.#host.now() + this.#rng.int(1, HTTP_MAX_MS) + this.#host.slowExtra(node);
    this.#host.schedule(at, { kind: 'request', call, node, redirects });
  }

  /** The request arrives at a node: data-routes.ts (redirectUnlessActive, then the route). */
  #request(call: ClientCall, name: NodeName, redirects: number): void {
    const n = this.#nodes[name];
    const machine = this.#host.machine(name);
    const inc = this.#host.incarnation(name);
    if (!machine || !n.service) {
      this.#answer(call, name, inc, redirects, { type: 'unavailable', why: 'connection refused' });
      return;
    }
    if (machine.status !== 'active') {
      const redirect = this.#host.linkSeen(name) !== null && machine.peer.status === 'active';
      this.#answer(
        call,
        name,
        inc,
        redirects,
        redirect ? { type: 'redirect' } : { type: 'unavailable', why: `503 (${machine.status})` },
      );
      return;
    }
    this.#serve(n, n.service, call, inc, redirects);
  }

  /** Sends an answer back to the client; it is lost if the node crashes before it arrives. */
  #answer(call: ClientCall, node: NodeName, inc: number, redirects: number, answer: ClientAnswer): void {
    let delivered = answer;
    if (answer.type === 'done' && this.#rng.chance(this.#script.answerLossRate)) {
      this.coverage.answersLost++;
      delivered = { type: 'unavailable', why: 'answer lost on the way' };
    }
    const at = this.#host.now() + this.#rng.int(1, HTTP_MAX_MS);
    this.#host.schedule(at, { kind: 'answer', call, node, inc, redirects, answer: delivered });
  }

  /** Mirrors TandemClient.request and #send: follow 307s, move on when a node is unavailable, five rounds. */
  #clientGets(event: Extract<DataEvent, { kind: 'answer' }>): void {
    const { call, node, inc } = event;
    if (call.state !== 'running') return;
    let answer = event.answer;
    const n = this.#nodes[node];
    if (answer.type !== 'unavailable' && n.exits.get(inc) === 'crash') {
      answer = { type: 'unavailable', why: 'connection reset' };
    }
    switch (answer.type) {
      case 'redirect':
        if (event.redirects >= MAX_REDIRECTS) return this.#unavailable(call, 'too many redirects');
        call.current = peerOf(node);
        this.#host.log(() => `client #${call.id} 307 from ${node} → ${call.current}`);
        return this.#attempt(call, event.redirects + 1);
      case 'unavailable':
        return this.#unavailable(call, `${node}: ${answer.why}`);
      case 'done': {
        call.state = 'answered';
        call.outcome = { ...answer.outcome, node, atMs: this.#host.now() };
        if (answer.outcome.ok) this.coverage.answeredOk++;
        else this.coverage.answeredError++;
        const outcome = answer.outcome;
        this.#host.log(
          () =>
            `client #${call.id} answered by ${node}: ${outcome.ok ? (JSON.stringify(outcome.value) ?? 'done') : `${outcome.code} ${outcome.message}`}`,
        );
        return;
      }
      default:
        return assertNever(answer);
    }
  }

  #unavailable(call: ClientCall, why: string): void {
    call.current = peerOf(call.current);
    call.tried++;
    this.#host.log(() => `client #${call.id} ${why}; next ${call.current}`);
    if (call.tried < NODE_NAMES.length) return this.#attempt(call, 0);
    call.tried = 0;
    call.round++;
    if (call.round >= CLIENT_ROUNDS) {
      call.state = 'gave-up';
      this.coverage.gaveUp++;
      this.#host.log(() => `client #${call.id} gives up`);
      return;
    }
    // The client library's pause between rounds (backoff.ts), spread by the seed's random source.
    const pause = backoffDelay(
      { baseMs: CLIENT_RETRY_DELAY_MS, maxMs: CLIENT_MAX_RETRY_DELAY_MS, random: () => this.#rng.next() },
      call.round - 1,
    );
    this.#host.schedule(this.#host.now() + pause, { kind: 'retry', call });
  }

  // ---------------------------------------------------------------- the server side of a call

  #serve(n: NodeData, service: DataService, call: ClientCall, inc: number, redirects: number): void {
    const op = call.scheduled.op;
    const machine = this.#host.machine(n.name);
    const sc: ServerCall = {
      call,
      node: n.name,
      inc,
      service,
      redirects,
      at: this.#host.now(),
      linkAtStart: this.#host.linkSeen(n.name),
      commit: null,
      execution: null,
      outcome: null,
    };
    const headBefore = service.config.head();
    const uid = op.kind === 'write' || op.kind === 'ack' ? op.uid : null;
    const ledgerBefore = uid !== null && service.runtime.ledgerEntry(uid) !== undefined;
    const tsBefore = op.kind === 'write' ? (service.runtime.get(op.tag)?.ts ?? null) : null;
    let promise: Promise<unknown>;
    this.#invoking = sc;
    n.dirty = true;
    this.#touched = true;
    try {
      switch (op.kind) {
        case 'put':
          promise = service.putConfig(op.configKind, op.key, op.definition);
          break;
        case 'delete':
          promise = service.deleteConfig(op.configKind, op.key);
          break;
        case 'write':
          promise = service.writeTag(op.tag, op.value, op.uid);
          break;
        case 'ack':
          promise = service.ackAlarm(op.alarm, op.by, op.uid);
          break;
        default:
          return assertNever(op);
      }
    } finally {
      this.#invoking = null;
    }
    this.#pending.add(sc);
    promise.then(
      (value) => {
        sc.outcome = { ok: true, value };
        this.#settled.push(sc);
      },
      (error: unknown) => {
        sc.outcome =
          error instanceof DataError
            ? { ok: false, code: error.code, message: error.message }
            : { ok: false, code: 'INTERNAL', message: String(error) };
        this.#settled.push(sc);
      },
    );

    // What the synchronous part of the call did: a config commit, or a command executed.
    const headAfter = service.config.head();
    if ((op.kind === 'put' || op.kind === 'delete') && headAfter.checksum !== headBefore.checksum) {
      const commit: Commit = {
        checksum: headAfter.checksum,
        parent: headBefore.checksum,
        id: `${n.nodeId}:${machine?.epoch ?? -1}:${headAfter.seq}`,
        kind: op.configKind,
        key: op.key,
        value: op.kind === 'put' ? JSON.stringify(op.definition) : null,
        node: n.name,
        at: this.#host.now(),
        origin: n.nodeId,
        changeAt: this.#host.pairTime(n.name),
        acknowledged: false,
      };
      this.#commits.set(commit.checksum, commit);
      sc.commit = commit;
    }
    if (uid !== null && !ledgerBefore && sc.execution === null && service.runtime.ledgerEntry(uid)) {
      // Executed here, now (a memory write or an acknowledgement: value, alarm and ledger in one transaction).
      const tag = op.kind === 'write' ? op.tag : null;
      const value = tag !== null ? service.runtime.get(tag) : undefined;
      const alarm = op.kind === 'ack' ? service.alarms.store.get(op.alarm) : undefined;
      this.#executed(n, sc, {
        uid,
        node: n.name,
        inc,
        at: this.#host.now(),
        tag,
        version: value?.version ?? null,
        value: op.kind === 'write' ? op.value : null,
        alarm: op.kind === 'ack' ? op.alarm : null,
        occurrence: alarm?.occurrence ?? null,
        inFlight: false,
        answered: false,
      });
      // (k) the write is what the node holds now, stamped by the pair's clock, or 1 ms after the value it
      // replaced where that clock holds still (docs/redundancy.md "Clock skew").
      const stamped = Math.max(this.#host.pairTime(n.name), tsBefore === null ? -Infinity : tsBefore + 1);
      if (op.kind === 'write' && (value?.value !== op.value || value.ts !== stamped)) {
        this.#host.fail(
          'k',
          `${n.name} executed write ${uid} (${op.tag} = ${op.value}) but holds ${JSON.stringify(value)}: an older version won over a fresh write`,
        );
      }
    }
  }

  /** (j) a node never executes a uid twice. */
  #executed(n: NodeData, sc: ServerCall, execution: Execution): void {
    sc.execution = execution;
    this.coverage.commandsExecuted++;
    const uid = execution.uid;
    const before = this.#executions.get(uid) ?? [];
    const here = before.filter((e) => e.node === n.name);
    const stillRunning = here.find((e) => e.inFlight);
    if (stillRunning) {
      this.#host.fail(
        'j',
        `${n.name} executed uid ${uid} again while its first execution (at ${this.#host.ms(stillRunning.at)}) was still waiting for the device`,
      );
    } else if (n.knownUids.has(uid)) {
      const first = before[0];
      this.#host.fail(
        'j',
        `${n.name} executed uid ${uid} again although it had ${here.length > 0 ? 'executed' : 'stored'} it${first ? ` (first executed on ${first.node} at ${this.#host.ms(first.at)})` : ''}`,
      );
    } else if (before.length > 0) {
      this.coverage.reExecutedAcrossPair++;
      this.#host.log(
        () => `       uid ${uid} executed again, on ${n.name}: its first execution never reached it`,
      );
    }
    if (!execution.inFlight) n.knownUids.add(uid);
    before.push(execution);
    this.#executions.set(uid, before);
  }

  #onSettled(sc: ServerCall): void {
    this.#pending.delete(sc);
    const outcome = sc.outcome;
    if (!outcome) return;
    const n = this.#nodes[sc.node];
    const alive = n.service === sc.service;
    if (!alive && n.exits.get(sc.inc) !== 'graceful') return;
    const op = sc.call.scheduled.op;
    const execution = sc.execution;
    if (execution?.inFlight) {
      // A device write answered: its ledger entry is stored now.
      execution.inFlight = false;
      n.knownUids.add(execution.uid);
    }
    if (outcome.ok) {
      const value = outcome.value as { executed?: boolean } | boolean | undefined;
      if (sc.commit && (op.kind === 'put' || value === true)) {
        sc.commit.acknowledged = true;
        this.coverage.configAcknowledged++;
        this.#checkDurable(sc, 'config');
      }
      if (execution && typeof value === 'object' && value.executed === true) execution.answered = true;
      if (!execution && typeof value === 'object' && value.executed === true) {
        // Executed after an await (a call that waited for another with the same uid): seen only now.
        if (op.kind === 'write' || op.kind === 'ack') {
          this.#executed(n, sc, {
            uid: op.uid,
            node: sc.node,
            inc: sc.inc,
            at: this.#host.now(),
            tag: null,
            version: null,
            value: null,
            alarm: null,
            occurrence: null,
            inFlight: false,
            answered: true,
          });
        }
      }
      // A command answered with its result (executed now, or a repeat answered from the ledger).
      if (op.kind === 'write' || op.kind === 'ack') this.#checkDurable(sc, 'command');
    }
    this.#answer(sc.call, sc.node, sc.inc, sc.redirects, { type: 'done', outcome });
  }

  /** (h) answered while the node kept the link it had when the call began: the release came from the peer's ack. */
  #checkDurable(sc: ServerCall, what: 'config' | 'command'): void {
    if (sc.linkAtStart === null || this.#host.linkSeen(sc.node) !== sc.linkAtStart) return;
    this.coverage.durableAnswersChecked++;
    // What the peer's database holds (the peer may have stopped or crashed since it stored the change).
    const peer = this.#nodes[peerOf(sc.node)];
    const op = sc.call.scheduled.op;
    if (what === 'config' && sc.commit) {
      const peerConfig = new ConfigStore(peer.db, new MetaStore(peer.db));
      const head = peerConfig.head();
      // Or the change lost a split while it waited: it is in this node's conflict set, on its way to the peer
      // (and sent again on every link-up); (l) checks at the end that the active node has it.
      const id = sc.commit.id;
      const conflict = () => sc.service.config.conflicts.list().some((c) => c.id === id);
      const commit = sc.commit;
      const peerLog = this.#lineageList(head.checksum) ?? [];
      // A change merged by key is held as a copy, or superseded by a later change of the key (its last one), or
      // the peer already holds the same value under that key: the same change made on both sides of a split,
      // which the merge by key takes as agreed (data seed 2898).
      const held = () =>
        peerConfig.storedValue(commit.kind, commit.key) === commit.value ||
        peerLog.some(
          (c) =>
            c.checksum === commit.checksum ||
            copyKey(c) === copyKey(commit) ||
            (c.kind === commit.kind &&
              c.key === commit.key &&
              c.origin === commit.origin &&
              c.changeAt > commit.changeAt),
        );
      if (!held() && !conflict()) {
        this.#host.fail(
          'h',
          `${sc.node} answered config change ${sc.commit.id} (${describeOp(op)}) as stored, but its peer does not hold it (peer head ${head.seq}/${head.checksum.slice(0, 8)})`,
        );
      }
    }
    if (what === 'command' && (op.kind === 'write' || op.kind === 'ack')) {
      if (!new RuntimeStore(peer.db).ledgerEntry(op.uid)) {
        this.#host.fail(
          'h',
          `${sc.node} answered command ${op.uid} (${describeOp(op)}, ${sc.execution ? 'executed now' : 'a repeat'}) with its result, but its peer has not stored it`,
        );
      }
    }
  }

  // ---------------------------------------------------------------- DataService and its ports

  /** Mirrors the DataService wiring in TandemNode's constructor. */
  #makeService(n: NodeData): DataService {
    const meta = new MetaStore(n.db);
    meta.set('node_id', n.nodeId);
    const config = new ConfigStore(n.db, meta);
    const host = this.#host;
    const ports: DataPorts = {
      nodeId: n.nodeId,
      clock: {
        now: () => host.pairTime(n.name),
        setTimeout: () => {
          throw new Error('DataService set a timer; the simulation has none to give');
        },
        clearTimeout: () => undefined,
      },
      send: (frame) => host.send(n.name, dataWire(frame)),
      linked: () => host.linkSeen(n.name) !== null,
      isActive: () => host.machine(n.name)?.status === 'active',
      epoch: () => host.machine(n.name)?.epoch ?? 0,
      fullResync: (reason) => {
        this.coverage.fullResyncs++;
        host.log(() => `${n.name.padEnd(6)} full resync: ${reason}`);
      },
      changed: () => undefined,
      writeDevice: (name, value) => this.#writeDevice(n, name, value),
      // In memory: nothing to sync, and power loss is not among the simulated faults.
      durable: () => Promise.resolve(),
    };
    return new DataService(
      config,
      new RuntimeStore(n.db),
      new AlarmService(new AlarmStore(n.db), config),
      this.#override ? this.#override(n.name, ports) : ports,
    );
  }

  /** The simulated device behind DEVICE_TAG: it takes the write at once and answers later, or fails. */
  #writeDevice(n: NodeData, name: string, value: unknown): Promise<void> {
    const sc = this.#invoking;
    const op = sc?.call.scheduled.op;
    if (sc && op?.kind === 'write') {
      this.#executed(n, sc, {
        uid: op.uid,
        node: n.name,
        inc: n.inc,
        at: this.#host.now(),
        tag: name,
        version: null,
        value: typeof value === 'number' ? value : null,
        alarm: null,
        occurrence: null,
        inFlight: true,
        answered: false,
      });
    }
    return new Promise((resolve, reject) => {
      const at = this.#host.now() + this.#rng.int(DEVICE_MIN_MS, DEVICE_MAX_MS);
      this.#host.schedule(at, {
        kind: 'device',
        node: n.name,
        inc: n.inc,
        done: () => (this.#rng.chance(DEVICE_FAILURE_RATE) ? reject(new Error('device timeout')) : resolve()),
      });
    });
  }

  #touch(n: NodeData, work: () => void): void {
    n.dirty = true;
    this.#touched = true;
    const before = this.#storedHead(n);
    work();
    this.#noteMerged(n, before);
  }

  /** The head as the node's database holds it (read without the service, which would persist what it staged). */
  #storedHead(n: NodeData): number {
    const row = n.db.prepare("SELECT value FROM meta WHERE key = 'config_seq'").get() as
      { value: string } | undefined;
    return Number(row?.value ?? 0);
  }

  /**
   * Changes an active node put into its log while it handled a frame: a follower's changes merged by key
   * (copies of changes made on the other node). They join the tree of commits, so the lineage of the head
   * is known, and (l) can tell a merged change from a lost one.
   */
  #noteMerged(n: NodeData, before: number): void {
    if (this.#storedHead(n) <= before) return;
    const rows = n.db
      .prepare('SELECT * FROM config_changes WHERE seq > ? ORDER BY seq')
      .all(before) as ConfigChange[];
    for (const c of rows) {
      if (this.#commits.has(c.checksum)) continue;
      const parentRow = n.db.prepare('SELECT checksum FROM config_changes WHERE seq = ?').get(c.seq - 1) as
        { checksum: string } | undefined;
      // The first change after a loaded snapshot follows the snapshot's head (ConfigStore keeps it in meta).
      const base = n.db.prepare("SELECT value FROM meta WHERE key = 'config_snapshot_base'").get() as
        { value: string } | undefined;
      const [baseSeq, baseChecksum] = (base?.value ?? '').split(':');
      const parent =
        c.seq === 1
          ? GENESIS
          : (parentRow?.checksum ?? (Number(baseSeq) === c.seq - 1 ? baseChecksum : undefined) ?? 'unknown');
      this.#commits.set(c.checksum, {
        checksum: c.checksum,
        parent,
        id: `${c.origin}:${c.epoch}:${c.seq}`,
        kind: c.kind,
        key: c.key,
        value: c.value,
        node: n.name,
        at: this.#host.now(),
        origin: c.origin,
        changeAt: c.at,
        acknowledged: false,
      });
    }
  }

  // ---------------------------------------------------------------- invariants

  /** After every step: (i). */
  check(): void {
    for (const name of NODE_NAMES) {
      const n = this.#nodes[name];
      if (!n.dirty) continue;
      n.dirty = false;
      const service = n.service;
      if (!service) continue;
      for (const state of service.alarms.store.all()) {
        const occurrence = `${state.id}@${state.occurrence}`;
        if (state.acked) {
          if (!n.ackedOccurrences.has(occurrence)) {
            n.ackedOccurrences.add(occurrence);
            this.coverage.ackedOccurrences++;
          }
        } else if (n.ackedOccurrences.has(occurrence)) {
          this.#host.fail(
            'i',
            `${name}: alarm ${state.id} (raised at ${state.activatedAt}) was acknowledged and is unacknowledged again: ${JSON.stringify(state)}`,
          );
          return;
        }
      }
    }
  }

  /** At the end of the run: (l), (m), (n), once the pair has settled. */
  finish(): void {
    const running = this.#calls.filter((c) => c.state === 'running');
    if (!this.#host.settled()) return;
    const m = this.#nodes.master;
    const b = this.#nodes.backup;
    const active = NODE_NAMES.filter((name) => this.#host.machine(name)?.status === 'active');
    if (!m.service || !b.service || active.length !== 1) return;
    this.coverage.settledRuns++;
    const fail = (invariant: DataInvariantId, message: string): void => this.#host.fail(invariant, message);
    // (n)
    for (const sc of this.#pending) {
      if (sc.service === this.#nodes[sc.node].service) {
        return fail(
          'n',
          `call #${sc.call.id} (${describeOp(sc.call.scheduled.op)}) on ${sc.node} is still waiting since ${this.#host.ms(sc.at)}, although the pair has settled`,
        );
      }
    }
    if (running.length > 0) {
      const call = running[0];
      return fail(
        'n',
        `${running.length} client call(s) still running, e.g. #${call?.id} (${call ? describeOp(call.scheduled.op) : ''})`,
      );
    }
    const activeNode = this.#nodes[active[0] ?? 'master'];
    const activeService = activeNode.service;
    if (!activeService) return;

    // (l) config: the same on both nodes, the replay of its log, nothing acknowledged dropped.
    const heads = NODE_NAMES.map((name) => this.#nodes[name].service?.config.head());
    const [hm, hb] = heads;
    if (!hm || !hb || hm.seq !== hb.seq || hm.checksum !== hb.checksum) {
      return fail(
        'l',
        `config did not converge: master at ${hm?.seq}/${hm?.checksum.slice(0, 8)}, backup at ${hb?.seq}/${hb?.checksum.slice(0, 8)}`,
      );
    }
    const itemsM = JSON.stringify(m.service.config.snapshot().items);
    const itemsB = JSON.stringify(b.service.config.snapshot().items);
    if (itemsM !== itemsB)
      return fail('l', `config items differ with the same head ${hm.seq}: ${itemsM} vs ${itemsB}`);
    const lineage = this.#lineageList(hm.checksum);
    if (lineage === null)
      return fail('l', `the config head ${hm.seq}/${hm.checksum.slice(0, 8)} was made by no change`);
    if (lineage.length !== hm.seq) {
      return fail('l', `the config head is seq ${hm.seq} but ${lineage.length} changes lead to it`);
    }
    const replay = new Map<string, { kind: ConfigKind; key: string; definition: string }>();
    for (const c of lineage) {
      if (c.value === null) replay.delete(`${c.kind}\u0000${c.key}`);
      else replay.set(`${c.kind}\u0000${c.key}`, { kind: c.kind, key: c.key, definition: c.value });
    }
    const expected = JSON.stringify(
      [...replay.values()].sort((x, y) =>
        x.kind === y.kind ? (x.key < y.key ? -1 : 1) : x.kind < y.kind ? -1 : 1,
      ),
    );
    if (expected !== itemsM) {
      return fail(
        'l',
        `config items are not the replay of the log that leads to the head: ${itemsM}, expected ${expected}`,
      );
    }
    // Every change answered with success is in the log that leads to the head, or merged into it (a copy made
    // by the active node), or superseded by a later change of that key in it, or (only when the other node
    // changed the same key) in the conflict set: a hand-over, restart or failover never puts it there.
    const kept = new Set(lineage.map((c) => c.checksum));
    const copies = new Set(lineage.map(copyKey));
    const conflicts = new Set(activeService.config.conflicts.list().map((c) => c.id));
    for (const commit of this.#commits.values()) {
      if (kept.has(commit.checksum)) {
        if (conflicts.has(commit.id)) {
          this.coverage.spuriousConflicts++;
          this.#host.log(() => `conflict ${commit.id} is shown although the pair kept that change`);
        }
        continue;
      }
      if (!commit.acknowledged) continue;
      if (copies.has(copyKey(commit))) {
        this.coverage.configMerged++;
        continue;
      }
      const sameKey = lineage.filter((c) => c.kind === commit.kind && c.key === commit.key);
      if (conflicts.has(commit.id)) {
        if (sameKey.some((c) => c.node !== commit.node || c.origin !== commit.origin)) {
          this.coverage.configInConflictSet++;
          continue;
        }
        return fail(
          'l',
          `config change ${commit.id} (${commit.kind} ${commit.key}, made on ${commit.node} at ${this.#host.ms(commit.at)}) was answered as stored and is in the conflict set, though the other node never changed that key`,
        );
      }
      const laterOfKey = [...this.#commits.values()].filter(
        (later) => later.kind === commit.kind && later.key === commit.key && later.at > commit.at,
      );
      // Or the same node changed the key again and what it left is what the pair holds (the merge had
      // nothing to do for that key: the other node held that value already).
      const lastHere = [commit, ...laterOfKey.filter((c) => c.origin === commit.origin)].at(-1)!;
      const inEffect =
        (replay.get(`${commit.kind}\u0000${commit.key}`)?.definition ?? null) === lastHere.value;
      const superseded =
        inEffect ||
        laterOfKey.some(
          (later) => kept.has(later.checksum) || copies.has(copyKey(later)) || conflicts.has(later.id),
        );
      if (superseded) {
        this.coverage.configSuperseded++;
        continue;
      }
      const elsewhere = this.#nodes[peerOf(activeNode.name)].service?.config.conflicts
        .list()
        .some((c) => c.id === commit.id);
      return fail(
        'l',
        `config change ${commit.id} (${commit.kind} ${commit.key} ${commit.value === null ? 'delete' : 'put'}, made on ${commit.node} at ${this.#host.ms(commit.at)}) was answered as stored and is neither in the pair's config nor in the active node's conflict set${elsewhere ? ' (only in the standby\u2019s)' : ''}`,
      );
    }

    // (m) runtime data: the same on both nodes; newest version wins; acknowledgements stay.
    const valuesM = JSON.stringify(sortBy(m.service.runtime.all(), (v) => v.name));
    const valuesB = JSON.stringify(sortBy(b.service.runtime.all(), (v) => v.name));
    if (valuesM !== valuesB) return fail('m', `tag values differ: master ${valuesM}, backup ${valuesB}`);
    const ledgerM = m.service.runtime
      .ledger()
      .map((e) => e.uid)
      .sort();
    const ledgerB = b.service.runtime
      .ledger()
      .map((e) => e.uid)
      .sort();
    if (JSON.stringify(ledgerM) !== JSON.stringify(ledgerB)) {
      const onlyM = ledgerM.filter((u) => !ledgerB.includes(u));
      const onlyB = ledgerB.filter((u) => !ledgerM.includes(u));
      return fail(
        'm',
        `command ledgers differ: only on master ${onlyM.join(',')}; only on backup ${onlyB.join(',')}`,
      );
    }
    const alarmsM = JSON.stringify(sortBy(m.service.alarms.store.all(), (a) => a.id));
    const alarmsB = JSON.stringify(sortBy(b.service.alarms.store.all(), (a) => a.id));
    if (alarmsM !== alarmsB) return fail('m', `alarm states differ: master ${alarmsM}, backup ${alarmsB}`);
    for (const tag of WRITTEN_TAGS) {
      const writes = [...this.#executions.values()].flat().filter((e) => e.tag === tag && e.version !== null);
      if (writes.length === 0) continue;
      const newest = writes.reduce((a, e) =>
        compareVersions(e.version as Version, a.version as Version) > 0 ? e : a,
      );
      const final = activeService.runtime.get(tag);
      if (
        !final ||
        final.value !== newest.value ||
        compareVersions(final.version, newest.version as Version) !== 0
      ) {
        return fail(
          'm',
          `${tag} holds ${JSON.stringify(final?.value)} (version ${JSON.stringify(final?.version)}), but the newest executed write is ${newest.uid} = ${newest.value} (version ${JSON.stringify(newest.version)}, on ${newest.node} at ${this.#host.ms(newest.at)}${newest.answered ? ', acknowledged' : ''})`,
        );
      }
    }
    for (const e of [...this.#executions.values()].flat()) {
      if (!e.answered || e.alarm === null || e.occurrence === null) continue;
      const state = activeService.alarms.store.get(e.alarm);
      if (state && state.occurrence === e.occurrence && !state.acked) {
        return fail(
          'm',
          `alarm ${e.alarm} (raised at ${e.occurrence}) was acknowledged by ${e.uid} and is unacknowledged at the end`,
        );
      }
    }
  }

  /** The checksums of the changes that lead from genesis to `head`, or null if `head` was made by no change. */
  #lineageList(head: string): Commit[] | null {
    const list: Commit[] = [];
    for (let at = head; at !== GENESIS;) {
      const commit = this.#commits.get(at);
      if (!commit) return null;
      list.push(commit);
      at = commit.parent;
    }
    return list.reverse();
  }
}

/** What a change and its copy merged into the other node's log have in common. */
function copyKey(c: Pick<Commit, 'origin' | 'changeAt' | 'kind' | 'key' | 'value'>): string {
  return JSON.stringify([c.origin, c.changeAt, c.kind, c.key, c.value]);
}

function sortBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function describeOp(op: DataOp): string {
  switch (op.kind) {
    case 'put':
      return `put ${op.configKind} ${op.key}`;
    case 'delete':
      return `delete ${op.configKind} ${op.key}`;
    case 'write':
      return `write ${op.tag} = ${op.value} uid ${op.uid}`;
    case 'ack':
      return `ack ${op.alarm} uid ${op.uid}`;
    default:
      return assertNever(op);
  }
}

function describeFrame(f: PeerFrame): string {
  switch (f.t) {
    case 'config-changes':
      return `config-changes ${f.changes.map((c) => `${c.seq}:${c.op} ${c.kind} ${c.key}`).join(', ')}`;
    case 'config-snapshot':
      return `config-snapshot at ${f.head.seq} (${f.items.length} items)`;
    case 'config-head':
      return `config-head ${f.head.seq}/${f.head.checksum.slice(0, 8)}`;
    case 'config-ack':
      return `config-ack ${f.seq}`;
    case 'config-conflicts':
      return `config-conflicts ${f.changes.map((c) => `${c.origin}:${c.epoch}:${c.seq}`).join(', ')}`;
    case 'runtime':
      return `runtime ${f.values.length} values, ${f.ledger.length} uids, ${f.alarms.length} alarms${f.ackId ? ' (ack asked)' : ''}`;
    case 'sync-request':
      return `sync-request from ${f.configHead.seq}`;
    default:
      return f.t;
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled: ${JSON.stringify(value)}`);
}
