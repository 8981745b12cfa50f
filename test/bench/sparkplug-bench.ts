/**
 * Sparkplug B figures for `npm run bench` (docs/sparkplug.md): kill -9 of the active node to the NBIRTH of
 * the new active at a host application, and the ramp samples lost and duplicated over all the kills. A real
 * mosquitto, a real pair polling a Modbus counter at 10 Hz, and the test's host application in this process.
 */
import { FASTEST, makePair, waitFor, type NodeProcess } from '../integration/harness.ts';
import { Broker, countingPlc, rampLoss, SparkplugHost } from '../integration/sparkplug-host.ts';

type Row = [what: string, value: string, target: string];

const KILLS = Number(process.env['BENCH_SPARKPLUG_KILLS'] ?? 10);

/** The ramp values in a node's history (the last 10 minutes, raw). */
async function rampHistory(node: NodeProcess): Promise<number[]> {
  const from = new Date(Date.now() - 600_000).toISOString();
  const answer = await node.api<{ samples?: { value: number }[] }>(
    'GET',
    `/api/history/ramp?from=${encodeURIComponent(from)}&maxPoints=10000`,
  );
  return (answer.body.samples ?? []).map((s) => s.value);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** The node online as the edge node, once the other one is a linked standby (after a return, a hand-over). */
async function settled(a: NodeProcess, b: NodeProcess): Promise<NodeProcess> {
  return waitFor(
    async () => {
      const [sa, sb] = await Promise.all([a.status(), b.status()]);
      for (const [node, mine, peer] of [
        [a, sa, sb],
        [b, sb, sa],
      ] as const) {
        const linkedStandby = peer?.node.status === 'standby' && peer.peer?.link === 'connected';
        if (mine?.sparkplug?.state === 'online' && linkedStandby) return node;
      }
      return undefined;
    },
    30_000,
    'one node online as the edge node, the other a linked standby',
  );
}

export async function sparkplugBench(cli: string): Promise<Row[]> {
  console.log(
    `Sparkplug bench: ${KILLS} kills at ${FASTEST.join(' ')}, a Modbus counter at 10 Hz polled every 50 ms`,
  );
  const broker = await Broker.start();
  const host = await SparkplugHost.connect(broker.url, 'plant');
  const plc = await countingPlc();
  const sparkplug = ['--mqtt-url', broker.url, '--sparkplug-group', 'plant', ...FASTEST];
  const pair = await makePair(sparkplug, sparkplug, { cli });
  const times: number[] = [];
  const marks: string[] = [];
  /** What the pair polled (both nodes' history): a value missing at the host that no node polled is a gap. */
  const recorded = new Set<number>();
  try {
    await pair.master.start();
    await pair.backup.start();
    const first = await settled(pair.master, pair.backup);
    await first.api('PUT', '/api/config/devices/plc', {
      protocol: 'modbus-tcp',
      host: '127.0.0.1',
      port: plc.port,
      pollRateMs: 50,
    });
    await first.api('PUT', '/api/config/tags/ramp', {
      dataType: 'int',
      source: { kind: 'modbus', device: 'plc', register: 0, table: 'holding' },
    });
    await host.command('spBv1.0/plant/NCMD/line-1', [
      { name: 'Node Control/Rebirth', type: 'Boolean', value: true },
    ]);
    for (let i = 0; i < KILLS; i++) {
      const active = await settled(pair.master, pair.backup);
      await new Promise((r) => setTimeout(r, 1000));
      const births = host.ofType('NBIRTH').length;
      const killedAt = Date.now();
      marks.push(`kill ${i} at counter ${plc.now()}`);
      await active.kill('SIGKILL');
      const birth = await waitFor(
        () => host.ofType('NBIRTH')[births],
        30_000,
        'the NBIRTH of the new active',
      );
      times.push(birth.at - killedAt);
      await active.start();
    }
    await new Promise((r) => setTimeout(r, 1000));
    plc.stop();
    await new Promise((r) => setTimeout(r, 1000));
    for (const node of [pair.master, pair.backup]) for (const v of await rampHistory(node)) recorded.add(v);
  } finally {
    await pair.stop();
    await host.close();
    await plc.close();
    await broker.down();
  }
  const loss = rampLoss(host.messages);
  const lost = loss.missing.filter((v) => recorded.has(v));
  const unpolled = loss.missing.filter((v) => !recorded.has(v));
  console.log(
    `${marks.join('; ')}; lost ${lost.join(' ')}; not polled ${unpolled.join(' ')}; twice ${loss.twice.join(' ')}`,
  );
  const failoverMs = Number(FASTEST[FASTEST.indexOf('--failover-time') + 1]);
  return [
    [
      `Sparkplug kill -9 -> NBIRTH of the new active at the host, p50 / p99 (${times.length} kills)`,
      `${percentile(times, 50).toFixed(0)} / ${percentile(times, 99).toFixed(0)} ms`,
      `<= failover time + 1 s (${failoverMs + 1000} ms)`,
    ],
    [
      `Sparkplug ramp samples lost / duplicated (${loss.last - loss.first + 1} samples, ${KILLS} kills and as many returns)`,
      `${lost.length} / ${loss.twice.length}`,
      '0 / 0',
    ],
    [
      'Sparkplug ramp values no node polled (a poll delayed past the 100 ms counter: a gap, not a loss)',
      `${unpolled.length}`,
      'few',
    ],
  ];
}
