/**
 * One chaos schedule from start to verdict: form a fresh pair, start the writers, apply the schedule's
 * faults one after another (each one undone before the next: a node killed is started again, a link cut is
 * healed), heal everything, let the writers finish, wait until the pair has settled, read both nodes and
 * judge (checker.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FailoverEvent, StatusView } from '../../node-core/dto.ts';
import { check, type CheckResult } from './checker.ts';
import { checkHistory, type HistoryCheck, type HistoryGap } from './history-check.ts';
import { FAKETIME_LIB, operatorLines, type ChaosNode, type Crash } from './chaos-node.ts';
import { HISTORY_TABLES } from '../../node-core/store/integrity-report.ts';
import { changedFiles, damageDatabase, fillDisk, freeDisk, restoreDatabase, type Damage } from './disk.ts';
import {
  ChaosPair,
  describeStatus,
  DualActiveWatch,
  readFinal,
  settle,
  type Bundle,
  type FinalState,
} from './pair.ts';
import { describeFault, type Fault, type Schedule } from './schedule.ts';
import { Workload, type Op } from './workload.ts';

export interface RunOptions {
  readonly bundle: Bundle;
  readonly writers: number;
  /** Why a tmpfs cannot be used (disk-full faults are skipped), or null. */
  readonly tmpfsUnavailable: string | null;
  readonly settleBoundMs: number;
  readonly log: (line: string) => void;
  /** Keep the data dirs of a failing schedule. */
  readonly keepFailed: boolean;
}

export interface ScheduleOutcome {
  readonly seed: number;
  readonly faults: readonly string[];
  readonly ops: number;
  readonly check: CheckResult | null;
  /** Every acknowledged value write in both nodes' history once (null: not settled, or not read). */
  readonly history: HistoryCheck | null;
  /** Every exit the schedule did not cause, whether the node ran or exited at start. */
  readonly crashes: readonly Crash[];
  readonly dualRecordedMs: number;
  readonly dualSeenMs: number;
  readonly splits: number;
  readonly settled: boolean;
  readonly settleMs: number;
  /** A damaged database the node did not refuse cleanly (started on it, exit 0, or not one line on stderr). */
  readonly dbRefusals: readonly string[];
  /** Rule 6: a switch-over asked of a linked standby whose peer ran, answered done, that did not hold a second later. */
  readonly brokenHolds: readonly string[];
  readonly notes: readonly string[];
  readonly keptDirs: readonly string[];
  readonly durationMs: number;
  /** The schedule could not run (the pair never formed, the harness failed): the reason. */
  readonly error: string | null;
}

export function failed(o: ScheduleOutcome): boolean {
  return (
    o.error !== null ||
    !o.settled ||
    o.crashes.length > 0 ||
    o.dbRefusals.length > 0 ||
    o.brokenHolds.length > 0 ||
    (o.check !== null && (o.check.lost > 0 || o.check.executedTwice > 0 || o.check.diverged > 0)) ||
    (o.history !== null && (o.history.missing.length > 0 || o.history.twice.length > 0))
  );
}

/** Most starts the keeper makes of a node that keeps crashing, per schedule. */
const MAX_RESTARTS = 6;
/** How long a node started on damaged history has to say so: its check runs ~2 s after start, for a second or so. */
const HISTORY_CHECK_WAIT_MS = 20_000;

export async function runSchedule(schedule: Schedule, o: RunOptions): Promise<ScheduleOutcome> {
  const started = Date.now();
  const notes: string[] = [];
  const faults = schedule.steps.map((s) => describeFault(s.fault));
  const tmpfsNode = o.tmpfsUnavailable === null ? schedule.tmpfsNode : null;
  const empty = (error: string, extra: Partial<ScheduleOutcome> = {}): ScheduleOutcome => ({
    seed: schedule.seed,
    faults,
    ops: 0,
    check: null,
    history: null,
    crashes: [],
    dualRecordedMs: 0,
    dualSeenMs: 0,
    splits: 0,
    settled: false,
    settleMs: 0,
    dbRefusals: [],
    brokenHolds: [],
    notes,
    keptDirs: [],
    durationMs: Date.now() - started,
    error,
    ...extra,
  });
  let pair: ChaosPair;
  try {
    pair = await ChaosPair.make(o.bundle, schedule.seed, tmpfsNode);
  } catch (error) {
    return empty(`could not make the pair: ${message(error)}`);
  }
  const run = new ScheduleRun(pair, o, notes);
  try {
    return await run.run(schedule, faults, started);
  } catch (error) {
    await run.abort();
    const keptDirs = await pair.tearDown(o.keepFailed).catch(() => []);
    return empty(`harness: ${message(error)}`, { crashes: pair.crashes, keptDirs });
  }
}

class ScheduleRun {
  readonly #pair: ChaosPair;
  readonly #o: RunOptions;
  readonly #notes: string[];
  readonly #dbRefusals: string[] = [];
  /** When a node ran on damaged history (its values then stored without samples). */
  readonly #historyGaps: HistoryGap[] = [];
  readonly #brokenHolds: string[] = [];
  /** Nodes the schedule wants running; the keeper starts a crashed one again. */
  readonly #wanted = new Set<ChaosNode>();
  /** Nodes a fault is stopping or starting right now: the keeper leaves them alone. */
  readonly #busy = new Set<ChaosNode>();
  readonly #restarts = new Map<ChaosNode, number>();
  readonly #diskFull = new Set<ChaosNode>();
  readonly #faultStarts: number[] = [];
  #t0 = 0;
  #keeperStopped = false;
  #workload: Workload | null = null;
  #watch: DualActiveWatch | null = null;
  #keeper: Promise<void> | null = null;

  constructor(pair: ChaosPair, o: RunOptions, notes: string[]) {
    this.#pair = pair;
    this.#o = o;
    this.#notes = notes;
  }

  /** The harness failed mid-run: stops what runs in the background (writers, polls, keeper). */
  async abort(): Promise<void> {
    this.#keeperStopped = true;
    await Promise.race([
      Promise.all([this.#workload?.stop(), this.#watch?.stop(), this.#keeper]),
      sleep(30_000),
    ]);
  }

  #log(line: string): void {
    this.#o.log(`  +${((Date.now() - this.#t0) / 1000).toFixed(1)}s ${line}`);
  }

  async run(schedule: Schedule, faults: readonly string[], started: number): Promise<ScheduleOutcome> {
    const pair = this.#pair;
    this.#t0 = Date.now();
    await pair.form();
    for (const n of pair.nodes) this.#wanted.add(n);
    const workload = (this.#workload = new Workload({
      nodes: pair.nodes.map((n) => n.url),
      token: pair.token,
      writers: this.#o.writers,
      seed: schedule.seed,
      attemptTimeoutMs: 2500,
      opBoundMs: 20_000,
    }));
    await workload.setUp();
    // What happened while the pair formed is not this schedule's: with these timings the backup may take over
    // for a moment before its first link is up (a split-brain event before any fault or write).
    const before = (
      await Promise.all(pair.nodes.map((n) => n.get<FailoverEvent[]>('/api/events?limit=10000')))
    ).flat();
    const formation = new Set(before.map((e) => e.id));
    const formationSplits = new Set(before.filter((e) => e.kind === 'split-brain').map((e) => e.id)).size;
    if (formationSplits > 0)
      this.#notes.push(
        `${formationSplits} split-brain event(s) while the pair formed (before the writers; not counted)`,
      );
    const watch = (this.#watch = new DualActiveWatch(pair));
    watch.start();
    const keeper = (this.#keeper = this.#keep());
    workload.start();
    this.#log(
      `pair formed (master API :${pair.master.o.apiPort}, backup API :${pair.backup.o.apiPort}), ${this.#o.writers} writers running`,
    );

    for (const step of schedule.steps) {
      await sleep(step.gapMs);
      this.#faultStarts.push(Date.now());
      await this.#apply(step.fault);
    }

    this.#log('healing everything, stopping the writers');
    pair.proxy.heal();
    for (const n of pair.nodes) if (n.frozen) n.resume();
    await this.#ensureRunning(30_000);
    await workload.stop();
    const opsDone = workload.ops.length;
    this.#log(`writers stopped after ${opsDone} ops; waiting for the pair to settle`);
    const settled = await settle(pair, this.#o.settleBoundMs);
    if (settled.settled && settled.standbyPeerSeqUnknown)
      this.#notes.push(
        'the standby reported sync.peerConfigSeq null after settling (caught up, as the active node reports)',
      );
    this.#keeperStopped = true;
    await keeper;
    await watch.stop();
    this.#log(
      settled.settled
        ? `settled in ${settled.ms} ms`
        : `NOT settled within ${this.#o.settleBoundMs} ms: master ${describeStatus(settled.last[0] ?? null)}; backup ${describeStatus(settled.last[1] ?? null)}`,
    );

    let result: CheckResult | null = null;
    let history: HistoryCheck | null = null;
    let finals: FinalState[] = [];
    let dualRecordedMs = 0;
    let splits = 0;
    try {
      finals = await this.#readConverged(settled.settled);
      const events = new Map(finals.flatMap((f) => f.events).map((e) => [e.id, e]));
      for (const e of events.values())
        if (e.kind === 'split-brain' && !formation.has(e.id)) {
          splits++;
          dualRecordedMs += e.durationMs ?? 0;
          if ((e.durationMs ?? 0) < 0)
            this.#notes.push(
              `a split-brain event (${e.node}, ${e.at}) records a negative dual-active time: ${e.durationMs} ms`,
            );
        }
      if (settled.settled) {
        const split = splits > 0 || watch.seenMs > 0;
        result = check(workload.ops, finals, split, watch, this.#faultStarts);
        history = await checkHistory(workload.ops, pair.nodes, 10_000, this.#historyGaps);
        if (history.excused.length > 0)
          this.#notes.push(
            `${history.excused.length} write(s) without a sample where a node ran on damaged history, as designed`,
          );
      }
    } catch (error) {
      this.#notes.push(`final read failed: ${message(error)}`);
    }
    for (const n of pair.nodes)
      for (const [message, count] of n.logged)
        this.#notes.push(`${n.o.label} logged ${message}${count > 1 ? ` (${count} times)` : ''}`);
    const outcome: ScheduleOutcome = {
      seed: schedule.seed,
      faults,
      ops: workload.ops.length,
      check: result,
      history,
      crashes: pair.crashes,
      dualRecordedMs,
      dualSeenMs: watch.seenMs,
      splits,
      settled: settled.settled,
      settleMs: settled.ms,
      dbRefusals: this.#dbRefusals,
      brokenHolds: this.#brokenHolds,
      notes: this.#notes,
      keptDirs: [],
      durationMs: Date.now() - started,
      error: null,
    };
    const keep = this.#o.keepFailed && failedOutcome(outcome);
    const keptDirs = await pair.tearDown(keep);
    if (keep) keptDirs.push(writeRecord(schedule, this.#faultStarts, workload.ops, finals));
    return { ...outcome, keptDirs };
  }

  /**
   * Reads both nodes; runtime data (values, alarms) is exchanged on link-up and may still be on its way
   * when config has settled, so a read where the nodes differ is repeated for a few seconds first.
   */
  async #readConverged(settled: boolean): Promise<FinalState[]> {
    const deadline = Date.now() + (settled ? 10_000 : 0);
    for (;;) {
      const finals = await Promise.all(this.#pair.nodes.map((n) => readFinal(n)));
      const [a, b] = finals;
      const same = a && b && sameState(a, b);
      if (same || Date.now() > deadline) return finals;
      await sleep(250);
    }
  }

  /** Starts again any node that exited without the schedule stopping it (each exit is a crash already). */
  async #keep(): Promise<void> {
    while (!this.#keeperStopped) {
      for (const n of this.#pair.nodes) {
        // A node whose disk is full is started again once the fault frees it, as a service manager would.
        if (!this.#wanted.has(n) || this.#busy.has(n) || this.#diskFull.has(n) || n.running) continue;
        const count = this.#restarts.get(n) ?? 0;
        if (count >= MAX_RESTARTS) continue;
        this.#restarts.set(n, count + 1);
        this.#log(`${n.o.label} is not running (crashed): starting it again`);
        await this.#start(n);
      }
      await sleep(250);
    }
  }

  async #start(n: ChaosNode): Promise<boolean> {
    this.#busy.add(n);
    try {
      await n.start();
      return true;
    } catch (error) {
      this.#log(`${n.o.label} did not start: ${message(error)}`);
      return false;
    } finally {
      this.#busy.delete(n);
    }
  }

  async #ensureRunning(boundMs: number): Promise<void> {
    const deadline = Date.now() + boundMs;
    for (const n of this.#pair.nodes) {
      this.#wanted.add(n);
      while (!n.running && Date.now() < deadline && (this.#restarts.get(n) ?? 0) < MAX_RESTARTS) {
        if (this.#busy.has(n)) {
          await sleep(100);
          continue;
        }
        this.#restarts.set(n, (this.#restarts.get(n) ?? 0) + 1);
        if (!(await this.#start(n))) await sleep(500);
      }
    }
  }

  async #role(n: ChaosNode): Promise<string> {
    const s: StatusView | null = await n.status(300);
    return s ? s.node.status : n.frozen ? 'frozen' : n.running ? 'not answering' : 'down';
  }

  async #apply(fault: Fault): Promise<void> {
    const pair = this.#pair;
    const what = describeFault(fault);
    switch (fault.kind) {
      case 'kill': {
        const n = pair.node(fault.target);
        this.#log(`${what} (was ${await this.#role(n)})`);
        this.#busy.add(n);
        await n.kill9();
        await sleep(fault.downMs);
        this.#busy.delete(n);
        await this.#start(n);
        return;
      }
      case 'freeze': {
        const n = pair.node(fault.target);
        this.#log(`${what} (was ${await this.#role(n)})`);
        n.freeze();
        await sleep(fault.ms);
        n.resume();
        return;
      }
      case 'restart': {
        const n = pair.node(fault.target);
        this.#log(`${what} (was ${await this.#role(n)})`);
        await this.#cleanStop(n);
        await sleep(fault.downMs);
        this.#busy.delete(n);
        await this.#start(n);
        return;
      }
      case 'switchover': {
        // The operator presses the button once the standby shows (the last fault may still be settling).
        let standby: ChaosNode | undefined;
        // Linked to a running peer: the operator moves the pair, which must hold (in a split it cannot).
        let linked = false;
        const deadline = Date.now() + 10_000;
        while (!standby && Date.now() < deadline) {
          const statuses = await Promise.all(pair.nodes.map((n) => n.status(500)));
          const i = statuses.findIndex((s) => s?.node.status === 'standby');
          standby = i >= 0 ? pair.nodes[i] : undefined;
          linked =
            i >= 0 && statuses[i]?.peer?.link === 'connected' && statuses[i]?.peer?.status === 'active';
          if (!standby) await sleep(100);
        }
        if (!standby) {
          this.#log(`${what}: no node is standby now, nothing to switch`);
          this.#notes.push('switch-over: no standby at that moment');
          return;
        }
        try {
          const answer = await standby.post<{ outcome?: unknown; reason?: unknown }>(
            '/api/redundancy/switchover',
            5000,
          );
          this.#log(
            `${what}: POST to ${standby.o.label} answered ${answer.status} ${JSON.stringify(answer.body)}`,
          );
          // Rule 6: a switch-over that was done holds. One that failed and said so (a fault came first) is the
          // honest answer to a request a split can defeat, and is counted apart (seed 416026 before outcomes).
          const outcome = answer.status === 200 ? answer.body?.outcome : undefined;
          const done = outcome === 'switched' || outcome === 'already-active';
          if (answer.status === 200 && !done) {
            this.#notes.push(
              `switch-over answered ${JSON.stringify(outcome)}: ${JSON.stringify(answer.body?.reason ?? '')}`,
            );
          }
          await sleep(1000);
          const [m, b] = await Promise.all(pair.nodes.map((n) => this.#role(n)));
          this.#log(`1 s after the switch-over: master ${m}, backup ${b}`);
          if (done && (standby === pair.master ? m : b) !== 'active') {
            const said = `switch-over to ${standby.o.label} did not hold: 1 s later master ${m}, backup ${b} (rule 6)`;
            if (linked) this.#brokenHolds.push(said);
            else this.#notes.push(`${said}; asked while the link was not up, so not judged`);
          }
        } catch (error) {
          this.#log(`${what}: POST to ${standby.o.label} failed: ${message(error)}`);
        }
        return;
      }
      case 'cut':
        this.#log(what);
        pair.proxy.cut();
        await sleep(fault.ms);
        pair.proxy.heal();
        return;
      case 'stall':
        this.#log(what);
        pair.proxy.stall(fault.direction);
        await sleep(fault.ms);
        pair.proxy.heal();
        return;
      case 'delay':
        this.#log(what);
        pair.proxy.delay(fault.delayMs);
        await sleep(fault.ms);
        pair.proxy.heal();
        return;
      case 'skew': {
        if (!FAKETIME_LIB) {
          this.#log(`${what}: skipped, faketime is not installed (apt-get install faketime)`);
          this.#notes.push('clock skew skipped: faketime not installed');
          return;
        }
        const n = pair.node(fault.target);
        this.#log(`${what}: clean restart under faketime (was ${await this.#role(n)})`);
        await this.#cleanStop(n);
        n.skewSeconds = fault.seconds;
        this.#busy.delete(n);
        await this.#start(n);
        return;
      }
      case 'disk-full': {
        if (this.#o.tmpfsUnavailable !== null) {
          this.#log(`${what}: skipped, no tmpfs (${this.#o.tmpfsUnavailable})`);
          this.#notes.push(`full disk skipped: ${this.#o.tmpfsUnavailable}`);
          return;
        }
        const n = pair.node(fault.target);
        const role = await this.#role(n);
        this.#diskFull.add(n);
        const bytes = fillDisk(n.o.dataDir);
        this.#log(`${what}: ${(bytes / 1048576).toFixed(1)} MiB of junk (was ${role})`);
        if (fault.cutMs === null) await sleep(fault.ms);
        else {
          const before = Math.max(0, Math.floor((fault.ms - fault.cutMs) / 2));
          await sleep(before);
          pair.proxy.cut();
          await sleep(fault.cutMs);
          pair.proxy.heal();
          await sleep(Math.max(0, fault.ms - fault.cutMs - before));
        }
        freeDisk(n.o.dataDir);
        this.#diskFull.delete(n);
        this.#log(`disk of ${n.o.label} freed`);
        return;
      }
      case 'damaged-db':
        return this.#damagedDatabase(fault.target, fault.pick, what);
    }
  }

  /** SIGTERM; a stop that hangs is killed and noted. The node stays busy (not restarted) until the caller starts it. */
  async #cleanStop(n: ChaosNode): Promise<void> {
    this.#busy.add(n);
    const clean = await n.stop();
    if (!clean) {
      this.#log(`${n.o.label} did not stop within its bound after SIGTERM: killed`);
      this.#notes.push(`${n.o.label}: SIGTERM did not stop it in time`);
    }
  }

  async #damagedDatabase(target: 'master' | 'backup', pick: number, what: string): Promise<void> {
    const n = this.#pair.node(target);
    this.#log(`${what} (was ${await this.#role(n)}): clean stop`);
    const stoppedAt = Date.now();
    await this.#cleanStop(n);
    try {
      const damage = damageDatabase(n.o.dataDir, pick);
      if (!damage) {
        this.#log('no damage SQLite would see could be made: skipped');
        this.#notes.push('damaged database: skipped (no detectable damage possible)');
      } else if (damage.table !== null && HISTORY_TABLES.includes(damage.table)) {
        await this.#damagedHistory(n, damage, stoppedAt);
      } else {
        await this.#damagedRefused(n, damage);
      }
    } finally {
      this.#busy.delete(n);
    }
    await this.#start(n);
  }

  /** Damage a node cannot run without: it refuses to start, in one line, and changes nothing. */
  async #damagedRefused(n: ChaosNode, damage: Damage): Promise<void> {
    const answer = await n.startExpectingRefusal();
    if (answer.kind === 'started') {
      this.#dbRefusals.push(`${n.o.label} started on a database with ${damage.what} damaged`);
      this.#log(`${n.o.label} STARTED on the damaged database (${damage.what}); stopping it`);
      await n.kill9();
    } else {
      // The structured log (pino JSON on stderr, by design) may hold the full report; the operator's line is one.
      const lines = operatorLines(answer.stderr);
      const problems: string[] = [];
      if (answer.code === 0) problems.push('exit code 0');
      if (lines.length !== 1) problems.push(`${lines.length} lines on stderr besides the log`);
      // Reported, not judged: a close after the refusal may checkpoint the WAL (same content, other files).
      const changed = changedFiles(damage);
      if (changed.length > 0)
        this.#notes.push(
          `${n.o.label}: the refused start rewrote ${changed.join(', ')} (${damage.what} damaged)`,
        );
      this.#log(
        `${n.o.label} refused (${damage.what}), exit ${answer.code}: ${lines.join(' | ').slice(0, 300)}`,
      );
      if (problems.length > 0)
        this.#dbRefusals.push(
          `${n.o.label}, ${damage.what}: ${problems.join(', ')}: ${lines.join(' | ').slice(0, 300)}`,
        );
    }
    restoreDatabase(damage);
    this.#log(`byte restored, starting ${n.o.label} again`);
  }

  /**
   * History's damage does not hold up a start: the node runs, and its check of the whole file after start
   * says so in its status. Then it stops, the byte is put back, and it starts again. The values it stores
   * meanwhile have no samples there, those written while it was down (`stoppedAt`, replicated to it at its
   * link-up) included.
   */
  async #damagedHistory(n: ChaosNode, damage: Damage, stoppedAt: number): Promise<void> {
    const answer = await n.startExpectingRefusal();
    if (answer.kind === 'exited') {
      this.#dbRefusals.push(
        `${n.o.label} refused a database with only history damaged (${damage.what}, ${damage.table}): ` +
          operatorLines(answer.stderr).join(' | ').slice(0, 300),
      );
    } else {
      const deadline = Date.now() + HISTORY_CHECK_WAIT_MS;
      let said: string | null = null;
      while (said === null && Date.now() < deadline) {
        said = (await n.status())?.databaseDamage ?? null;
        if (said === null) await sleep(200);
      }
      this.#log(
        `${n.o.label} started on damaged history (${damage.what}, ${damage.table}): ${said ?? 'SILENT'}`,
      );
      if (said === null)
        this.#dbRefusals.push(`${n.o.label} ran on damaged history (${damage.what}) without saying so`);
      await this.#cleanStop(n);
      this.#historyGaps.push({ node: n.o.label, from: stoppedAt, to: Date.now() });
    }
    restoreDatabase(damage);
    this.#log(`byte restored, starting ${n.o.label} again`);
  }
}

/** The ops and final states of a failing schedule as JSON, to study (or re-judge) without running it again. */
function writeRecord(
  schedule: Schedule,
  faultStarts: readonly number[],
  ops: readonly Op[],
  finals: readonly FinalState[],
): string {
  const file = path.join(os.tmpdir(), `tandem-chaos-${schedule.seed}-record-${Date.now()}.json`);
  const plain = finals.map((f) => ({
    ...f,
    config: Object.fromEntries(f.config),
    values: Object.fromEntries(f.values),
    alarms: Object.fromEntries(f.alarms),
  }));
  fs.writeFileSync(file, JSON.stringify({ schedule, faultStarts, ops, finals: plain }, null, 1));
  return file;
}

function sameState(a: FinalState, b: FinalState): boolean {
  const sameMap = <V>(x: ReadonlyMap<string, V>, y: ReadonlyMap<string, V>): boolean =>
    x.size === y.size && [...x].every(([k, v]) => JSON.stringify(y.get(k)) === JSON.stringify(v));
  return sameMap(a.config, b.config) && sameMap(a.values, b.values) && sameMap(a.alarms, b.alarms);
}

function failedOutcome(o: ScheduleOutcome): boolean {
  return failed(o);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
