/**
 * Runs the deterministic simulation from the command line.
 *
 *   npx node test/simulation/run.ts --seeds 5000 [--from N]   many seeds, both layers, a summary table
 *   npx node test/simulation/run.ts --seeds 5000 --layer data  only the data layer (or --layer redundancy)
 *   npx node test/simulation/run.ts --seed 1234 --verbose        one seed, with a readable trace
 *   npx node test/simulation/run.ts --seed 1234 --data --verbose the data run of one seed
 *   ... --verbose --heartbeats                                     the trace with every ping, pong and tick
 *
 * Each seed runs twice: the redundancy machines alone (fast, the failover bounds), and the same scenario with
 * the data layer (data-layer.ts: real DataServices over SQLite, clients, the data invariants).
 * Exits non-zero when an invariant fails, printing the command that replays each failing seed.
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { addDataCoverage, emptyDataCoverage } from './data-layer.ts';
import { randomScenario } from './scenario.ts';
import {
  addCoverage,
  emptyCoverage,
  replayCommand,
  runDataScenario,
  runScenario,
  type SimResult,
} from './simulator.ts';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1000' },
    from: { type: 'string', default: '1' },
    seed: { type: 'string' },
    layer: { type: 'string', default: 'both' },
    data: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    heartbeats: { type: 'boolean', default: false },
  },
});

function integer(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) {
    console.error(`--${name} must be a non-negative integer, got '${text}'`);
    process.exit(2);
  }
  return value;
}

const layer = values.data ? 'data' : values.layer;
if (layer !== 'both' && layer !== 'redundancy' && layer !== 'data') {
  console.error(`--layer must be redundancy, data or both, got '${layer}'`);
  process.exit(2);
}
const runRedundancy = layer !== 'data';
const runData = layer !== 'redundancy';
const first = values.seed !== undefined ? integer('seed', values.seed) : integer('from', values.from);
const count = values.seed !== undefined ? 1 : integer('seeds', values.seeds);
const trace = values.verbose ? (line: string): void => console.log(line) : undefined;
const options = trace ? { trace, traceHeartbeats: values.heartbeats } : {};

const failures: SimResult[] = [];
let steps = 0;
let failovers = 0;
let simulatedMs = 0;
let maxDual = 0;
let redundancyMs = 0;
let dataMs = 0;
let dataSteps = 0;
const coverage = emptyCoverage();
const data = emptyDataCoverage();

function report(result: SimResult, which: 'redundancy' | 'data'): void {
  const f = result.failure;
  if (!f) return;
  failures.push(result);
  console.log(
    `seed ${result.seed} (${which}): invariant (${f.invariant}) at ${(f.atMs / 1000).toFixed(3)}s: ${f.message}`,
  );
  console.log(`  replay: ${replayCommand(result.seed, which)}`);
}

for (let seed = first; seed < first + count; seed++) {
  if (runRedundancy) {
    const started = performance.now();
    const result = runScenario(randomScenario(seed), options);
    redundancyMs += performance.now() - started;
    steps += result.steps;
    failovers += result.failovers;
    simulatedMs += result.simulatedMs;
    maxDual = Math.max(maxDual, result.maxDualActiveMs);
    addCoverage(coverage, result.coverage);
    report(result, 'redundancy');
  }
  if (runData) {
    const started = performance.now();
    const result = await runDataScenario(randomScenario(seed), options);
    dataMs += performance.now() - started;
    dataSteps += result.steps;
    if (result.data) addDataCoverage(data, result.data);
    report(result, 'data');
  }
}

const rate = (ms: number): string => (ms > 0 ? (count / (ms / 1000)).toFixed(1) : '-');
const rows: [string, string][] = [['seeds', `${count} (${first}..${first + count - 1}), layer ${layer}`]];
if (runRedundancy) {
  rows.push(
    ['steps', String(steps)],
    ['simulated time', `${(simulatedMs / 3_600_000).toFixed(2)} h`],
    ['failovers seen', String(failovers)],
    ['longest dual-active', `${maxDual} ms (any family)`],
    [
      '(a) active node partitioned',
      `${coverage.isolatedActive} (isolation-safe family), longest dual-active there ${coverage.maxDualActiveIsolationSafeMs} ms`,
    ],
    [
      '(b) take-overs checked',
      `${coverage.takeOvers}, slowest at ${(coverage.slowestTakeOverRatio * 100).toFixed(0)}% of its bound`,
    ],
    ['(c) steps checked (automatic, open window)', String(coverage.settledAutomatic)],
    [
      '(c)/(e) slowest settle',
      `${(coverage.slowestSettleRatio * 100).toFixed(0)}% of its bound (incl. hand-over gaps)`,
    ],
    ['(d) become-active checked', String(coverage.becameActive)],
    ['(e) steps checked', String(coverage.settled)],
    ['(g) clean stops checked', String(coverage.stops)],
    [
      '(p) split-brain records checked',
      `${coverage.splitBrains}, furthest ${coverage.worstSplitBrainMs} ms from the true overlap`,
    ],
    ['(q) ordered splits healed (manual/window)', String(coverage.orderedSplitsHealed)],
    ['redundancy time', `${(redundancyMs / 1000).toFixed(2)} s, ${rate(redundancyMs)} seeds/s`],
  );
}
if (runData) {
  rows.push(
    ['data steps', String(dataSteps)],
    [
      'client calls',
      `${data.ops} (${data.commandsRepeated} repeats of a uid), ${data.attempts} HTTP attempts, ${data.answersLost} answers lost`,
    ],
    [
      'answered',
      `${data.answeredOk} ok, ${data.answeredError} with an error, ${data.gaveUp} gave up (no active node for five rounds)`,
    ],
    [
      '(h) answers checked against the peer',
      `${data.durableAnswersChecked} (${data.configAcknowledged} config changes acknowledged)`,
    ],
    ['(i) acknowledged alarm occurrences', String(data.ackedOccurrences)],
    [
      '(j) commands executed',
      `${data.commandsExecuted}; again on the other node ${data.reExecutedAcrossPair} (first lost with a crash or cut), after an interrupted device write ${data.interruptedDeviceWrites}`,
    ],
    [
      '(l)-(n) settled runs checked',
      `${data.settledRuns} of ${data.runs}; acknowledged changes: ${data.configMerged} merged by key, ${data.configSuperseded} superseded, ${data.configInConflictSet} kept as conflicts (the other node changed the key too); ${data.spuriousConflicts} conflicts whose change was kept`,
    ],
    ['full resyncs', String(data.fullResyncs)],
    ['data time', `${(dataMs / 1000).toFixed(2)} s, ${rate(dataMs)} seeds/s`],
  );
}
rows.push(['invariant failures', String(failures.length)]);
const width = Math.max(...rows.map(([k]) => k.length));
console.log('');
for (const [key, value] of rows) console.log(`${key.padEnd(width)}  ${value}`);
process.exitCode = failures.length > 0 ? 1 : 0;
