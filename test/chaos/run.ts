/**
 * `npm run chaos`: real processes of the service bundle, real faults, real clients, and a checker that says
 * what an acknowledged change became (issue 14).
 *
 *   npm run chaos                                  the short fixed set (CI): every fault kind, a few minutes
 *   npm run chaos -- --schedules 200               200 random schedules from a random first seed (printed)
 *   npm run chaos -- --seed 1234 --schedules 1     replays one schedule (a failing one prints this line)
 *   npm run chaos -- --seeds 6,16,53               these schedules
 *   ... --faults 8 --writers 4 --no-build --quiet  more faults per schedule, more writers, the bundle as built
 *   ... --bundle /elsewhere/dist/node              another build of the service (an older commit, say)
 *
 * Each schedule starts a fresh master and backup from dist/node (copied to dist/chaos-node, so that another
 * build of dist/node cannot pull it away mid-run) with fast timings; the backup dials the master through
 * the fault proxy. Faults come from the seed; what the nodes do in between is real time, so a replay hits
 * the same faults, not necessarily the same interleaving. Exits non-zero when an acknowledged change was
 * lost, a uid ran twice, a node crashed, a damaged database was not refused cleanly, the pair never
 * settled, the two nodes disagree on config, a value, an alarm or the conflict set once settled, an
 * acknowledged value write is missing from either node's history or is in it twice (history-check.ts), or an
 * operator's switch-over answered done did not hold.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { crashSummary, FAKETIME_LIB, liveChildren } from './chaos-node.ts';
import { checkerSelfTest } from './checker-self-test.ts';
import { mountedDirs, tmpfsUnavailable, unmount } from './disk.ts';
import { failed, runSchedule, type ScheduleOutcome } from './run-schedule.ts';
import { FAULT_KINDS, randomSchedule, type FaultKind } from './schedule.ts';

/**
 * The short set: six schedules whose five faults together hit every fault kind at least twice (checked at
 * start), chosen among those that found acknowledged config changes lost on the code before the merge-by-key
 * and hand-over fixes (273bdca): about three minutes on a 2-core machine.
 */
const DEFAULT_SEEDS = [6, 16, 22, 53, 106, 208];
const DEFAULT_FAULTS = 5;

const root = path.resolve(import.meta.dirname, '../..');

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    seeds: { type: 'string' },
    schedules: { type: 'string' },
    faults: { type: 'string', default: String(DEFAULT_FAULTS) },
    writers: { type: 'string', default: '3' },
    'settle-bound': { type: 'string', default: '60000' },
    'no-build': { type: 'boolean', default: false },
    bundle: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(fs.readFileSync(import.meta.filename, 'utf8').split('*/')[0]);
  process.exit(0);
}

function integer(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) {
    console.error(`--${name} must be a whole number from ${min}, got '${text}'`);
    process.exit(2);
  }
  return value;
}

const faultsPerSchedule = integer('faults', values.faults, 1);
const writers = integer('writers', values.writers, 1);
const settleBoundMs = integer('settle-bound', values['settle-bound'], 1000);
let seeds: number[];
if (values.seeds !== undefined) {
  seeds = values.seeds.split(',').map((text) => integer('seeds', text.trim(), 0));
} else if (values.seed === undefined && values.schedules === undefined) {
  seeds = DEFAULT_SEEDS;
} else {
  const first =
    values.seed !== undefined ? integer('seed', values.seed, 0) : Math.floor(Math.random() * 1_000_000);
  const count = values.schedules !== undefined ? integer('schedules', values.schedules, 1) : 1;
  seeds = Array.from({ length: count }, (_, i) => first + i);
}
const defaultSet = seeds === DEFAULT_SEEDS && faultsPerSchedule === DEFAULT_FAULTS;
const replay = (seed: number): string =>
  `npm run chaos -- --seed ${seed} --schedules 1` +
  (faultsPerSchedule !== DEFAULT_FAULTS ? ` --faults ${faultsPerSchedule}` : '') +
  (writers !== 3 ? ` --writers ${writers}` : '');

// Interrupted (Ctrl-C, a CI timeout): no node and no tmpfs outlives the run.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    for (const child of liveChildren) child.kill('SIGKILL');
    setTimeout(() => {
      for (const dir of [...mountedDirs]) unmount(dir);
      process.exit(130);
    }, 300);
  });
}

function buildBundle(): { entry: string; nodeBin: string } {
  const nodeBin = path.join(root, 'node_modules/.bin/node');
  const built = values.bundle !== undefined ? path.resolve(values.bundle) : path.join(root, 'dist/node');
  const copy = path.join(root, 'dist/chaos-node');
  if (!values['no-build'] && values.bundle === undefined) {
    const started = Date.now();
    const result = spawnSync('npm', ['run', 'build:node'], { cwd: root, encoding: 'utf8', timeout: 180_000 });
    if (result.status !== 0) {
      console.error(`npm run build:node failed:\n${result.stdout}\n${result.stderr}`);
      process.exit(1);
    }
    console.log(`built the service bundle in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  if (!fs.existsSync(path.join(built, 'node-core/tandem-node.js'))) {
    console.error(
      `${path.join(built, 'node-core/tandem-node.js')} is missing: build it (npm run build:node)`,
    );
    process.exit(1);
  }
  fs.rmSync(copy, { recursive: true, force: true });
  fs.cpSync(built, copy, { recursive: true });
  return { entry: path.join(copy, 'node-core/tandem-node.js'), nodeBin };
}

checkerSelfTest();
const bundle = buildBundle();
const tmpfs = tmpfsUnavailable();
console.log(
  `chaos: ${seeds.length} schedule(s) (seeds ${seeds.length > 3 && !defaultSet ? `${seeds[0]}..${seeds.at(-1)}` : seeds.join(', ')}), ` +
    `${faultsPerSchedule} faults each, ${writers} writers`,
);
if (!FAKETIME_LIB)
  console.log('note: faketime is not installed: clock-skew faults are skipped (apt-get install faketime)');
if (tmpfs) console.log(`note: no tmpfs (${tmpfs}): full-disk faults are skipped`);
if (defaultSet) {
  const counts = new Map<FaultKind, number>();
  for (const seed of seeds)
    for (const step of randomSchedule(seed, faultsPerSchedule).steps)
      counts.set(step.fault.kind, (counts.get(step.fault.kind) ?? 0) + 1);
  const missing = FAULT_KINDS.filter((k) => (counts.get(k) ?? 0) < 2);
  if (missing.length > 0) console.log(`note: the short set hits ${missing.join(', ')} less than twice`);
}

const started = Date.now();
const outcomes: ScheduleOutcome[] = [];
for (const seed of seeds) {
  const schedule = randomSchedule(seed, faultsPerSchedule);
  console.log(`\nschedule seed ${seed}: ${schedule.steps.map((s) => s.fault.kind).join(', ')}`);
  const outcome = await runSchedule(schedule, {
    bundle,
    writers,
    tmpfsUnavailable: tmpfs,
    settleBoundMs,
    keepFailed: true,
    log: values.quiet ? () => undefined : (line) => console.log(line),
  });
  outcomes.push(outcome);
  report(outcome);
}

function report(o: ScheduleOutcome): void {
  const c = o.check;
  console.log(`  faults: ${o.faults.join('; ')}`);
  if (o.error) console.log(`  ERROR: ${o.error}`);
  console.log(
    `  operations ${o.ops}, acknowledged ${c?.acknowledged ?? '-'}, lost ${c?.lost ?? '-'}, in conflict set ${c?.inConflictSet ?? '-'}, ` +
      `split-superseded ${c?.splitSuperseded ?? '-'}, executed twice ${c?.executedTwice ?? '-'} (again after an unlinked answer ${c?.executedAgainUnlinked ?? '-'}), crashes ${o.crashes.length}, ` +
      `dual-active recorded ${o.dualRecordedMs} ms (${o.splits} split-brain events) vs seen ${o.dualSeenMs} ms, ` +
      `diverged ${c?.diverged ?? '-'}, ${o.settled ? `settled in ${o.settleMs} ms` : 'NOT SETTLED (not checked)'}, ${(o.durationMs / 1000).toFixed(1)} s`,
  );
  for (const crash of o.crashes) {
    console.log(
      crash.kind === 'crash'
        ? `  CRASH of ${crash.node} (exit ${crash.code ?? crash.signal}); its last lines:`
        : `  CRASH of ${crash.node}: it exited at start (exit ${crash.code}), saying:`,
    );
    for (const line of crashSummary(crash.lastLines)) console.log(`    | ${line.slice(0, 400)}`);
  }
  for (const line of o.dbRefusals) console.log(`  DAMAGED DATABASE NOT REFUSED CLEANLY: ${line}`);
  for (const line of o.brokenHolds) console.log(`  SWITCH-OVER DID NOT HOLD: ${line}`);
  for (const note of o.notes) console.log(`  note: ${note}`);
  const h = o.history;
  if (h) {
    console.log(
      `  history: ${h.expected} acknowledged value writes looked for on each node, ${h.missing.length} missing, ` +
        `${h.twice.length} recorded twice`,
    );
    for (const line of [...h.missing, ...h.twice].slice(0, 10)) console.log(`  HISTORY: ${line}`);
  }
  const details = c?.details ?? [];
  for (const line of details.slice(0, 25)) console.log(`  ${line}`);
  if (details.length > 25) console.log(`  ... and ${details.length - 25} more`);
  if (failed(o)) {
    if (o.keptDirs.length > 0) console.log(`  kept (data dirs, ops record): ${o.keptDirs.join(' ')}`);
    console.log(`  FAILED; replay: ${replay(o.seed)}`);
  }
}

function shortKinds(o: ScheduleOutcome): string {
  return randomSchedule(o.seed, faultsPerSchedule)
    .steps.map((s) => SHORT[s.fault.kind])
    .join(',');
}

const SHORT: Record<FaultKind, string> = {
  kill: 'kill',
  freeze: 'stop',
  restart: 'term',
  switchover: 'swo',
  cut: 'cut',
  stall: 'stall',
  delay: 'delay',
  skew: 'skew',
  'disk-full': 'disk',
  'damaged-db': 'db',
};

// A pair that could not be made may have left its tmpfs behind.
for (const dir of [...mountedDirs]) unmount(dir);

const header = [
  'seed',
  'faults',
  'ops',
  'acked',
  'lost',
  'conflict set',
  'split-superseded',
  'executed twice',
  'history missing/twice',
  'crashes',
  'dual-active rec/seen ms',
  'diverged',
  'settled',
  'verdict',
];
const rows = outcomes.map((o) => [
  String(o.seed),
  shortKinds(o),
  String(o.ops),
  String(o.check?.acknowledged ?? '-'),
  String(o.check?.lost ?? '-'),
  String(o.check?.inConflictSet ?? '-'),
  String(o.check?.splitSuperseded ?? '-'),
  String(o.check?.executedTwice ?? '-'),
  o.history ? `${o.history.missing.length}/${o.history.twice.length}` : '-',
  String(o.crashes.length),
  `${o.dualRecordedMs}/${o.dualSeenMs}`,
  String(o.check?.diverged ?? '-'),
  o.settled ? `${(o.settleMs / 1000).toFixed(1)}s` : 'no',
  failed(o) ? 'FAIL' : 'ok',
]);
const sum = (f: (o: ScheduleOutcome) => number): string => String(outcomes.reduce((n, o) => n + f(o), 0));
rows.push([
  'total',
  '',
  sum((o) => o.ops),
  sum((o) => o.check?.acknowledged ?? 0),
  sum((o) => o.check?.lost ?? 0),
  sum((o) => o.check?.inConflictSet ?? 0),
  sum((o) => o.check?.splitSuperseded ?? 0),
  sum((o) => o.check?.executedTwice ?? 0),
  `${sum((o) => o.history?.missing.length ?? 0)}/${sum((o) => o.history?.twice.length ?? 0)}`,
  sum((o) => o.crashes.length),
  `${sum((o) => o.dualRecordedMs)}/${sum((o) => o.dualSeenMs)}`,
  sum((o) => o.check?.diverged ?? 0),
  `${outcomes.filter((o) => o.settled).length}/${outcomes.length}`,
  `${outcomes.filter((o) => !failed(o)).length}/${outcomes.length} ok`,
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]): string =>
  cells
    .map((c, i) => c.padEnd(widths[i]!))
    .join('  ')
    .trimEnd();
console.log('');
console.log(line(header));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const row of rows) console.log(line(row));
console.log(
  'faults: kill = kill -9 and start, stop = SIGSTOP/SIGCONT, term = SIGTERM and start, swo = switch-over, ' +
    'cut / stall / delay = the peer link, skew = faketime clock, disk = full tmpfs, db = damaged database',
);
// Worded unlike any test runner's closing line ("N passed in 9s"): CI's reader took the old "6 schedules in
// 84 s" for a runner that ran no test. The run's own closing count is the plain line .ci/run prints last.
const failing = outcomes.filter(failed);
const seconds = ((Date.now() - started) / 1000).toFixed(0);
const verdicts =
  failing.length === 0 ? 'every verdict ok' : `FAIL on seed ${failing.map((o) => o.seed).join(', ')}`;
console.log(`\nchaos: ${outcomes.length} schedule(s), ${seconds} s, ${verdicts}`);
for (const o of failing) console.log(`replay: ${replay(o.seed)}`);
process.exitCode = failing.length > 0 ? 1 : 0;
