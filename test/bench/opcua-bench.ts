/**
 * OPC UA figures for `npm run bench` (docs/opcua.md): the gap a subscribed client sees across a kill -9 of
 * the active node, and what serving many monitored items costs a node. Real processes on 127.0.0.1 and
 * node-opcua-client in this process (its CPU is not counted).
 */
import fs from 'node:fs';
import { StatusCodes, type DataValue } from 'node-opcua';
import {
  FASTEST,
  freePort,
  makePair,
  NodeProcess,
  tempDir,
  waitFor,
  type Pair,
} from '../integration/harness.ts';
import { addOperator, openApproved, UaConnection } from '../integration/opcua-client.ts';

type Row = [what: string, value: string, target: string];

const KILLS = Number(process.env['BENCH_OPCUA_KILLS'] ?? 10);
const ITEMS = Number(process.env['BENCH_OPCUA_ITEMS'] ?? 10_000);
/** Long enough to hold several of the history's moves and WAL checkpoints, which come in bursts. */
const CPU_SECONDS = 20;
/** How often the feeder writes the counter the client follows (ms). */
const FEED_MS = 20;

const opcuaBenchSettings =
  `OPC UA bench: kill -9 gap over ${KILLS} kills at ${FASTEST.join(' ')}, a counter written every ${FEED_MS} ms ` +
  `through the API to whichever node takes it, the client subscribed on both (sampling ${FEED_MS} ms) following the highest ` +
  `ServiceLevel; read load ${ITEMS} simulated tags (random, 1 Hz, historized) monitored at 1 s by one client on ` +
  `SignAndEncrypt, node CPU over ${CPU_SECONDS} s`;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export async function opcuaBench(cli: string): Promise<Row[]> {
  console.log(opcuaBenchSettings);
  const gaps = await killGaps(cli);
  const load = await readLoad(cli);
  const failoverMs = Number(FASTEST[FASTEST.indexOf('--failover-time') + 1]);
  return [
    [
      `OPC UA kill -9 gap seen by a client, p50 / p99 (${gaps.length} kills)`,
      `${percentile(gaps, 50).toFixed(0)} / ${percentile(gaps, 99).toFixed(0)} ms`,
      `p99 <= failover time + 250 ms (${failoverMs + 250} ms)`,
    ],
    [
      // The node's own work on the tags (simulating, storing and historizing 10,000 changing values a second)
      // is there with or without a client; what the monitored items cost is the difference.
      `OPC UA ${load.items} monitored items at 1 Hz: serving them (node CPU with the client minus without)`,
      `${(load.cpuPercent - load.baselinePercent).toFixed(1)} % of one core (node ${load.cpuPercent.toFixed(1)} % ` +
        `with the client, ${load.baselinePercent.toFixed(1)} % without; ${load.notifications.toFixed(0)} values/s to it)`,
      '< 25 % of one core at 10,000 items',
    ],
  ];
}

async function opcuaPair(cli: string): Promise<Pair & { urls: [string, string] }> {
  const ports = [await freePort(), await freePort()] as const;
  const args = (port: number): string[] => [
    ...FASTEST,
    '--opcua-port',
    String(port),
    '--opcua-allow-insecure',
  ];
  const pair = await makePair(args(ports[0]), args(ports[1]), { cli, name: 'opcua-bench' });
  addOperator(pair.master.dataDir);
  addOperator(pair.backup.dataDir);
  return { ...pair, urls: [`opc.tcp://127.0.0.1:${ports[0]}`, `opc.tcp://127.0.0.1:${ports[1]}`] };
}

async function killGaps(cli: string): Promise<number[]> {
  const pair = await opcuaPair(cli);
  const nodes = [pair.master, pair.backup];
  const gaps: number[] = [];
  let counter = 0;
  let feeding = true;
  // The plant: a value that changes every FEED_MS, written to whichever node takes it.
  const feeder = (async () => {
    while (feeding) {
      counter++;
      await Promise.all(
        nodes.map((n) => n.api('POST', '/api/tags/counter/write', { value: counter }).catch(() => undefined)),
      );
      await new Promise((r) => setTimeout(r, FEED_MS));
    }
  })();
  try {
    await Promise.all(nodes.map((n) => n.start()));
    await pair.master.waitStatus((s) => s.node.status === 'active', 'master active');
    const put = await pair.master.api('PUT', '/api/config/tags/counter', {
      dataType: 'float',
      source: { kind: 'memory' },
    });
    if (put.status !== 200) throw new Error(`the counter tag could not be made: ${put.status}`);
    for (let i = 0; i < KILLS; i++) {
      // Recovery is automatic: the restarted master takes the pair back, so each kill is of the master.
      await pair.master.waitStatus(
        (s) => s.node.status === 'active' && s.opcua?.state === 'running' && s.peer?.link === 'connected',
        'master active',
        30_000,
      );
      await pair.backup.waitStatus(
        (s) => s.node.status === 'standby' && s.opcua?.state === 'running' && s.peer?.link === 'connected',
        'backup standby',
        30_000,
      );
      const [activeUrl, standbyUrl] = pair.urls;
      const active = pair.master;
      const seen = await followHighest([activeUrl, standbyUrl]);
      await waitFor(
        () => (seen.last(activeUrl) !== null ? true : undefined),
        10_000,
        'values from the active node',
      );
      const killedAt = performance.now();
      await active.kill('SIGKILL');
      const first = await waitFor(
        () => seen.firstAfter(standbyUrl, killedAt),
        20_000,
        'values from the new active node',
      );
      const last = seen.last(activeUrl) ?? killedAt;
      gaps.push(first - last);
      await seen.close();
      await active.start();
    }
  } finally {
    feeding = false;
    await feeder;
    await pair.stop();
  }
  return gaps;
}

/** A client of OPC 10000-4 §6.6.2.4.5.4 (Hot, b): subscribed on both, taking values from the highest ServiceLevel. */
async function followHighest(urls: readonly string[]): Promise<{
  last(url: string): number | null;
  firstAfter(url: string, at: number): number | undefined;
  close(): Promise<void>;
}> {
  const levels = new Map<string, number>();
  const taken: { url: string; at: number }[] = [];
  const connections = await Promise.all(urls.map((url) => UaConnection.open(url)));
  for (const c of connections) {
    c.onLost(() => levels.set(c.url, 0));
    await c.subscribe(['ns=0;i=2267'], FEED_MS, (_id, v: DataValue) =>
      levels.set(c.url, v.value.value as number),
    );
    await c.subscribe([c.tagId('counter')], FEED_MS, (_id, v: DataValue) => {
      const best = [...levels.entries()].sort((a, b) => b[1] - a[1])[0];
      if (best?.[0] === c.url && best[1] >= 200 && v.statusCode.equals(StatusCodes.Good))
        taken.push({ url: c.url, at: performance.now() });
    });
  }
  return {
    last: (url) => taken.filter((t) => t.url === url).at(-1)?.at ?? null,
    firstAfter: (url, at) => taken.find((t) => t.url === url && t.at > at)?.at,
    close: async () => {
      await Promise.all(connections.map((c) => c.close()));
    },
  };
}

async function readLoad(
  cli: string,
): Promise<{ items: number; cpuPercent: number; baselinePercent: number; notifications: number }> {
  const opcuaPort = await freePort();
  const dataDir = tempDir('opcua-load');
  addOperator(dataDir);
  const node = new NodeProcess(
    dataDir,
    await freePort(),
    ['--opcua-port', String(opcuaPort), '--opcua-allow-insecure'],
    cli,
  );
  let connection: UaConnection | null = null;
  try {
    await node.start();
    await node.waitStatus((s) => s.node.status === 'active', 'node active');
    const tags = Array.from({ length: ITEMS }, (_, i) => ({
      name: `load.${i}`,
      dataType: 'float',
      source: { kind: 'simulator', waveform: 'random', periodMs: 1000 },
    }));
    // In bulk, 1,000 a request (docs/contract.md): one PUT each took about a minute for 10,000.
    for (let i = 0; i < ITEMS; i += 1000) {
      const answer = await node.api('POST', '/api/config/tags', { items: tags.slice(i, i + 1000) });
      if (answer.status !== 200)
        throw new Error(`bulk tags: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    await node.waitStatus((s) => s.opcua?.state === 'running', 'OPC UA running', 60_000);
    const pid = node.child!.pid!;
    // What the node spends on the tags themselves (simulation, runtime store) with no client: the baseline.
    const baselinePercent = await cpuPercent(pid, () => 0);
    connection = await openApproved(node, `opc.tcp://127.0.0.1:${opcuaPort}`);
    const ids = Array.from({ length: ITEMS }, (_, i) => connection!.tagId(`load.${i}`));
    let notifications = 0;
    await connection.subscribe(ids, 1000, () => notifications++);
    await new Promise((r) => setTimeout(r, 3000));
    let rate = 0;
    const cpu = await cpuPercent(
      pid,
      (seconds, first) => (rate = (notifications - first) / seconds),
      () => notifications,
    );
    return { items: ITEMS, cpuPercent: cpu, baselinePercent, notifications: rate };
  } finally {
    await connection?.close();
    await node.kill('SIGKILL');
  }
}

/** The process's CPU over CPU_SECONDS, in % of one core. */
async function cpuPercent(
  pid: number,
  done: (seconds: number, first: number) => number,
  count: () => number = () => 0,
): Promise<number> {
  const before = cpuTicks(pid);
  const first = count();
  const started = performance.now();
  await new Promise((r) => setTimeout(r, CPU_SECONDS * 1000));
  const seconds = (performance.now() - started) / 1000;
  done(seconds, first);
  // /proc counts in clock ticks, 100 per second on Linux.
  return ((cpuTicks(pid) - before) / 100 / seconds) * 100;
}

function cpuTicks(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of stat; [0] here is field 3.
  return Number(fields[11]) + Number(fields[12]);
}
