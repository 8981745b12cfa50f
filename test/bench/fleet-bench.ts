/**
 * Fleet monitor figures for `npm run bench` (docs/monitor.md): a real `tandem-node monitor` (the built service)
 * watching BENCH_FLEET_PAIRS pairs of lightweight stand-in nodes (./fleet-standins.ts: they speak the status
 * and live API, nothing else, in one process of their own). Measured: from a stand-in pair swapping roles to
 * the monitor's `/api/fleet/live` showing that pair's new verdict (p50/p99), and the monitor's CPU share of one
 * core and RSS at steady state (every node pushing its status once a second).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import WebSocket from 'ws';
import type { FleetView } from '../../node-core/monitor/index.ts';
import { buildService, freePort } from '../integration/harness.ts';
import { MonitorProcess, writeMonitorConfig } from '../integration/monitor-harness.ts';

type Row = [what: string, value: string, target: string];

const PAIRS = Number(process.env['BENCH_FLEET_PAIRS'] ?? 100);
const FLIPS = Number(process.env['BENCH_FLEET_FLIPS'] ?? 50);
const CPU_SECONDS = 10;
const TOKEN = 'fleet-bench-token';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** CPU seconds (user + system) of a process so far, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssMb(pid: number): number {
  const line = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(line?.[1] ?? NaN) / 1024;
}

export async function fleetBench(cli: string): Promise<Row[]> {
  console.log(
    `Fleet bench: a monitor watching ${PAIRS} pairs of stand-in nodes (${PAIRS * 2} HTTP/WebSocket servers that ` +
      `speak the status and live API, not Tandem nodes), ${FLIPS} role swaps, CPU over ${CPU_SECONDS} s`,
  );
  const standIns = spawn(
    process.execPath,
    [path.join(import.meta.dirname, 'fleet-standins.ts'), String(PAIRS), TOKEN],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let monitor: MonitorProcess | null = null;
  let live: WebSocket | null = null;
  try {
    const first = await new Promise<string>((resolve) =>
      readline.createInterface({ input: standIns.stdout }).once('line', resolve),
    );
    const ports = (JSON.parse(first) as { ports: number[] }).ports;
    const config = writeMonitorConfig(
      Array.from({ length: PAIRS }, (_, i) => ({
        name: `pair-${i}`,
        nodes: [
          { url: `http://127.0.0.1:${ports[2 * i]!}`, token: TOKEN },
          { url: `http://127.0.0.1:${ports[2 * i + 1]!}`, token: TOKEN },
        ] as const,
      })),
    );
    monitor = new MonitorProcess(config, await freePort(), cli);
    await monitor.start({ TANDEM_LOG_LEVEL: 'warn' });
    await monitor.waitFleet(
      (f) => f.pairs.every((p) => p.verdict === 'healthy'),
      'every pair healthy',
      60_000,
    );
    const pid = monitor.child!.pid!;

    // Steady state: every stand-in pushes its status each second.
    await new Promise((r) => setTimeout(r, 2000));
    const cpuBefore = cpuSeconds(pid);
    const started = performance.now();
    await new Promise((r) => setTimeout(r, CPU_SECONDS * 1000));
    const cpuShare = ((cpuSeconds(pid) - cpuBefore) / ((performance.now() - started) / 1000)) * 100;
    const rss = rssMb(pid);

    // Change shown: a pair swaps roles; the time until the monitor's live push shows its new verdict.
    let latest: FleetView | null = null;
    let onFleet: (() => void) | null = null;
    live = new WebSocket(`${monitor.url.replace('http', 'ws')}/api/fleet/live`);
    live.on('open', () => live!.send(JSON.stringify({ token: monitor!.token })));
    live.on('message', (data) => {
      latest = (JSON.parse((data as Buffer).toString('utf8')) as { fleet: FleetView }).fleet;
      onFleet?.();
    });
    const verdictOf = (name: string): string | undefined =>
      latest?.pairs.find((p) => p.name === name)?.verdict;
    const latencies: number[] = [];
    for (let flip = 0; flip < FLIPS; flip++) {
      const pair = (flip * 37) % PAIRS;
      const name = `pair-${pair}`;
      while (verdictOf(name) === undefined) await new Promise((r) => setTimeout(r, 20));
      const expected = verdictOf(name) === 'healthy' ? 'failed-over' : 'healthy';
      const shown = new Promise<void>((resolve) => {
        onFleet = () => {
          if (verdictOf(name) === expected) resolve();
        };
      });
      const sentAt = performance.now();
      standIns.stdin.write(`flip ${pair}\n`);
      await shown;
      latencies.push(performance.now() - sentAt);
      await new Promise((r) => setTimeout(r, 100));
    }
    const label = `fleet monitor, ${PAIRS} pairs (${PAIRS * 2} stand-in nodes)`;
    return [
      [
        `${label}: change shown, p50 / p99`,
        `${percentile(latencies, 50).toFixed(0)} / ${percentile(latencies, 99).toFixed(0)} ms`,
        'target: p99 < 1000 ms',
      ],
      [`${label}: steady CPU`, `${cpuShare.toFixed(1)} % of one core`, 'target: < 10 %'],
      [`${label}: RSS`, `${rss.toFixed(0)} MB`, 'target: < 200 MB'],
    ];
  } finally {
    live?.terminate();
    await monitor?.stop();
    standIns.kill('SIGKILL');
  }
}

// Run alone: `npx node test/bench/fleet-bench.ts` (builds the service first, as `npm run bench` does).
if (import.meta.filename === process.argv[1])
  for (const [what, value, target] of await fleetBench(buildService()))
    console.log(`${what} | ${value} | ${target}`);
