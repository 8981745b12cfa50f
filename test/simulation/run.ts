/**
 * Runs the deterministic simulation from the command line.
 *
 *   npx node test/simulation/run.ts --seeds 5000 [--from N]   many seeds, a summary table
 *   npx node test/simulation/run.ts --seed 1234 --verbose        one seed, with a readable trace
 *   ... --verbose --heartbeats                                     the trace with every ping, pong and tick
 *
 * Exits non-zero when an invariant fails, printing the command that replays each failing seed.
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { randomScenario } from './scenario.ts';
import { addCoverage, emptyCoverage, replayCommand, runScenario, type SimResult } from './simulator.ts';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1000' },
    from: { type: 'string', default: '1' },
    seed: { type: 'string' },
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

const first = values.seed !== undefined ? integer('seed', values.seed) : integer('from', values.from);
const count = values.seed !== undefined ? 1 : integer('seeds', values.seeds);
const trace = values.verbose ? (line: string): void => console.log(line) : undefined;

const started = performance.now();
const failures: SimResult[] = [];
let steps = 0;
let failovers = 0;
let simulatedMs = 0;
let maxDual = 0;
const coverage = emptyCoverage();
for (let seed = first; seed < first + count; seed++) {
  const result = runScenario(
    randomScenario(seed),
    trace ? { trace, traceHeartbeats: values.heartbeats } : {},
  );
  steps += result.steps;
  failovers += result.failovers;
  simulatedMs += result.simulatedMs;
  maxDual = Math.max(maxDual, result.maxDualActiveMs);
  addCoverage(coverage, result.coverage);
  if (result.failure) {
    failures.push(result);
    const f = result.failure;
    console.log(`seed ${seed}: invariant (${f.invariant}) at ${(f.atMs / 1000).toFixed(3)}s: ${f.message}`);
    console.log(`  replay: ${replayCommand(seed)}`);
  }
}
const seconds = (performance.now() - started) / 1000;

const rows: [string, string][] = [
  ['seeds', `${count} (${first}..${first + count - 1})`],
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
  ['invariant failures', String(failures.length)],
  ['time', `${seconds.toFixed(2)} s`],
  ['seeds/s', (count / seconds).toFixed(0)],
];
const width = Math.max(...rows.map(([k]) => k.length));
console.log('');
for (const [key, value] of rows) console.log(`${key.padEnd(width)}  ${value}`);
process.exitCode = failures.length > 0 ? 1 : 0;
