/**
 * `npm run bench`: failover and start-up figures from real processes on 127.0.0.1. Prints a table with the
 * settings used; never fails on a number. The processes run the built service (npm run build:node, run first
 * here), as installers ship it; start-up is also measured from source for comparison.
 */
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import {
  buildService,
  FAST,
  FASTEST,
  freePort,
  makePair,
  NodeProcess,
  SOURCE_CLI,
  tempDir,
  waitFor,
} from '../integration/harness.ts';
import { dataBench, dataBenchSettings } from './data-bench.ts';
import { opcuaBench } from './opcua-bench.ts';
import { fleetBench } from './fleet-bench.ts';
import { sparkplugBench } from './sparkplug-bench.ts';

const BUILT_CLI = buildService();

const BENCH_TIMING = FASTEST;
const KILLS = Number(process.env['BENCH_KILLS'] ?? 20);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/**
 * When `node` first answers `wanted`, asked every 10 ms: the asking is the measurement's own error (at
 * harness's usual 50 ms it was a sixth of a 300 ms failover time).
 */
async function pollUntil(node: NodeProcess, wanted: string): Promise<number> {
  return waitFor(
    async () => ((await node.status())?.node.status === wanted ? performance.now() : undefined),
    20_000,
    `${wanted}`,
    10,
  );
}

async function failoverAfterKill(): Promise<number[]> {
  const pair = await makePair(['--recovery', 'automatic', ...BENCH_TIMING], BENCH_TIMING, { cli: BUILT_CLI });
  const times: number[] = [];
  try {
    await pair.master.start();
    await pair.backup.start();
    for (let i = 0; i < KILLS; i++) {
      await pair.master.waitStatus(
        (s) => s.node.status === 'active' && s.peer?.link === 'connected',
        'pair formed',
      );
      await pair.backup.waitStatus(
        (s) => s.node.status === 'standby' && s.peer?.link === 'connected',
        'backup standby',
      );
      await new Promise((r) => setTimeout(r, 150));
      const killedAt = performance.now();
      await pair.master.kill('SIGKILL');
      times.push((await pollUntil(pair.backup, 'active')) - killedAt);
      await pair.master.start();
    }
  } finally {
    await pair.stop();
  }
  return times;
}

async function switchovers(): Promise<number[]> {
  const pair = await makePair(['--recovery', 'manual', ...FAST], ['--recovery', 'manual', ...FAST], {
    cli: BUILT_CLI,
  });
  const times: number[] = [];
  try {
    await pair.master.start();
    await pair.backup.start();
    await pair.backup.waitStatus(
      (s) => s.node.status === 'standby' && s.peer?.link === 'connected',
      'pair formed',
    );
    for (let i = 0; i < 20; i++) {
      // Whichever node is standby now asks to become active.
      const standby = await waitFor(
        async () => {
          for (const node of [pair.master, pair.backup]) {
            const s = await node.status();
            if (s?.node.status === 'standby' && s.peer?.status === 'active') return node;
          }
          return undefined;
        },
        20_000,
        'one standby, one active',
      );
      const start = performance.now();
      const answer = await standby.api<{ status: string }>('POST', '/api/redundancy/switchover');
      if (answer.body.status === 'active') times.push(performance.now() - start);
    }
  } finally {
    await pair.stop();
  }
  return times;
}

/** A first start makes the node's identity (key pair, certificate); a start in the same folder again does not. */
async function independentStart(
  cli: string,
  dataDir = tempDir('bench-independent'),
): Promise<{ startMs: number; rssMb: number; dataDir: string }> {
  const node = new NodeProcess(dataDir, await freePort(), [], cli);
  const spawnedAt = performance.now();
  await node.start();
  const activeAt = await pollUntil(node, 'active');
  await new Promise((r) => setTimeout(r, 3000));
  const rssKb = Number(
    /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${node.child!.pid}/status`, 'utf8'))?.[1] ?? NaN,
  );
  await node.kill('SIGTERM');
  return { startMs: activeAt - spawnedAt, rssMb: rssKb / 1024, dataDir };
}

/**
 * Chromium opens an independent node's dashboard (dist/renderer): test/e2e/measure-first-paint.ts, in its
 * own process because the browser-side code is typed with the DOM (test/e2e/tsconfig.json).
 */
function dashboardFirstPaint(): string {
  const script = new URL('../e2e/measure-first-paint.ts', import.meta.url).pathname;
  const result = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 60_000 });
  const why = result.stderr.trim().split('\n').at(-1) || result.error?.message || `exit ${result.status}`;
  return result.status === 0 ? result.stdout.trim() : `n/a (${why})`;
}

const rows: [string, string, string][] = [];
const kill = await failoverAfterKill();
rows.push([
  `kill -9 master → backup active (${kill.length} kills)`,
  `p50 ${percentile(kill, 50).toFixed(0)} ms, p99 ${percentile(kill, 99).toFixed(0)} ms, max ${Math.max(...kill).toFixed(0)} ms`,
  'target: failover time + 100 ms = 400 ms at p99',
]);
const sw = await switchovers();
rows.push([
  `operator switch-over (${sw.length} done of 20)`,
  `p50 ${percentile(sw, 50).toFixed(1)} ms, p99 ${percentile(sw, 99).toFixed(1)} ms`,
  'target: < 100 ms',
]);
for (const [label, cli] of [
  ['built service', BUILT_CLI],
  ['from source (type stripping)', SOURCE_CLI],
] as const) {
  const first = await independentStart(cli);
  const again = await independentStart(cli, first.dataDir);
  rows.push(
    [
      `independent node, ${label}, first start: spawn → active`,
      `${first.startMs.toFixed(0)} ms`,
      'target: < 1000 ms',
    ],
    [`independent node, ${label}, first start: idle RSS`, `${first.rssMb.toFixed(0)} MB`, 'target: < 120 MB'],
    [
      `independent node, ${label}, restart: spawn → active`,
      `${again.startMs.toFixed(0)} ms`,
      'target: < 1000 ms',
    ],
    [`independent node, ${label}, restart: idle RSS`, `${again.rssMb.toFixed(0)} MB`, 'target: < 120 MB'],
  );
}
rows.push(...(await dataBench()));
rows.push(...(await opcuaBench(BUILT_CLI)));
rows.push(...(await fleetBench(BUILT_CLI)));
rows.push(...(await sparkplugBench(BUILT_CLI)));
rows.push([
  'dashboard first meaningful paint (Chromium)',
  dashboardFirstPaint(),
  'navigation start → Overview shows the name',
]);

console.log(
  `\nSettings for kill -9: ${BENCH_TIMING.join(' ')}; switch-over: ${FAST.join(' ')}; machine: ${(await import('node:os')).cpus().length} cores, Node ${process.version}\n${dataBenchSettings}\n`,
);
const width = [Math.max(...rows.map((r) => r[0].length)), Math.max(...rows.map((r) => r[1].length))];
for (const [what, value, target] of rows)
  console.log(`${what.padEnd(width[0]!)} | ${value.padEnd(width[1]!)} | ${target}`);
