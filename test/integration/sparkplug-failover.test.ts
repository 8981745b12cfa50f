/**
 * Plant interfaces, MQTT Sparkplug B: the pair is one edge node, and a failover loses no sample
 * (docs/rules.md "Plant interfaces 2"; docs/sparkplug.md). A real mosquitto, a real pair of `tandem-node`
 * processes polling a real Modbus server whose register counts up at 10 Hz, and a host application that
 * decodes every message. The counter makes every sample recognisable whichever node polled it: the host must
 * hold each value once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FAST, formPair, makePair, waitFor, type NodeProcess, type Pair } from './harness.ts';
import { Broker, countingPlc, rampSamples, sequenceProblems, SparkplugHost } from './sparkplug-host.ts';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sparkplugOnline(node: NodeProcess, what: string): Promise<void> {
  await node.waitStatus((s) => s.sparkplug?.state === 'online', what, 30_000);
}

/** The ramp values in a node's history (the last 10 minutes, raw). */
async function rampHistory(node: NodeProcess): Promise<number[]> {
  const from = new Date(Date.now() - 600_000).toISOString();
  const answer = await node.api<{ kind: string; samples?: { value: number }[] }>(
    'GET',
    `/api/history/ramp?from=${encodeURIComponent(from)}&maxPoints=10000`,
  );
  expect(answer.body.kind).toBe('raw');
  return (answer.body.samples ?? []).map((s) => s.value);
}

async function activeOf(pair: Pair): Promise<NodeProcess> {
  return waitFor(
    async () => {
      for (const node of [pair.master, pair.backup])
        if ((await node.status())?.node.status === 'active') return node;
      return undefined;
    },
    30_000,
    'an active node',
  );
}

describe('Plant interfaces: MQTT Sparkplug B, the pair is one edge node and nothing published is lost or sent twice', () => {
  it(
    'kill -9 of the master, its restart, a switch-over and a 10 s broker outage: the host holds every ramp sample the pair recorded, exactly once',
    { timeout: 240_000 },
    async () => {
      const broker = await Broker.start();
      cleanup.push(() => broker.down());
      const host = await SparkplugHost.connect(broker.url, 'plant');
      cleanup.push(() => host.close());
      const plc = await countingPlc();
      cleanup.push(() => plc.close());
      const sparkplug = ['--mqtt-url', broker.url, '--sparkplug-group', 'plant'];
      const pair = await makePair([...sparkplug], [...sparkplug]);
      cleanup.push(() => pair.stop());
      void FAST;
      await formPair(pair);
      const { master, backup } = pair;
      expect(
        (
          await master.api('PUT', '/api/config/devices/plc', {
            protocol: 'modbus-tcp',
            host: '127.0.0.1',
            port: plc.port,
            pollRateMs: 50,
          })
        ).status,
      ).toBe(200);
      expect(
        (
          await master.api('PUT', '/api/config/tags/ramp', {
            dataType: 'int',
            source: { kind: 'modbus', device: 'plc', register: 0, table: 'holding' },
          })
        ).status,
      ).toBe(200);
      await sparkplugOnline(master, 'the master online');
      // The tag came after the first birth: a rebirth puts it in, as a host asks when it meets an unknown metric.
      await host.command('spBv1.0/plant/NCMD/line-1', [
        { name: 'Node Control/Rebirth', type: 'Boolean', value: true },
      ]);
      await pause(3000);

      const timeline: string[] = [];
      // 1. kill -9 of the active master mid-stream: the broker sends its will, the backup births.
      const birthsBefore = host.ofType('NBIRTH').length;
      const killedAt = Date.now();
      timeline.push(`kill -9 of the master at counter ${plc.now()}`);
      await master.kill('SIGKILL');
      await sparkplugOnline(backup, 'the backup online after the kill');
      await waitFor(
        () => (host.ofType('NBIRTH').length > birthsBefore ? true : undefined),
        30_000,
        'a new NBIRTH',
      );
      timeline.push(`kill -9 -> NBIRTH at the host: ${host.ofType('NBIRTH').at(-1)!.at - killedAt} ms`);
      await pause(2000);
      // 2. The master comes back (recovery automatic: it takes over again, a hand-over).
      timeline.push(`master restarted at counter ${plc.now()}`);
      await master.start();
      await waitFor(
        async () => ((await master.status())?.peer?.link === 'connected' ? true : undefined),
        30_000,
        'the master linked again',
      );
      await pause(3000);
      // 3. An operator's switch-over.
      const active = await activeOf(pair);
      const standby = active === master ? backup : master;
      timeline.push(`switch-over at counter ${plc.now()}`);
      expect((await standby.api('POST', '/api/redundancy/switchover')).status).toBe(200);
      await sparkplugOnline(standby, 'the new active online after the switch-over');
      await pause(2000);
      // 4. The broker is away for 10 s; what was polled meanwhile arrives as historical.
      timeline.push(`broker down at counter ${plc.now()}`);
      await broker.down();
      await pause(10_000);
      timeline.push(`broker up at counter ${plc.now()}`);
      await broker.up();
      await sparkplugOnline(await activeOf(pair), 'online again after the broker outage');
      await pause(2000);
      const last = plc.stop();
      await pause(1500);

      const samples = rampSamples(host.messages);
      const values = [...samples.keys()].sort((a, b) => a - b);
      const first = values[0]!;
      const top = values.at(-1)!;
      // What the pair recorded (both nodes' history): a value no node polled (a poll delayed past the counter's
      // 100 ms on a loaded machine) is a sampling gap, not a loss; a value the pair recorded and the host lacks is.
      const recorded = new Set([...(await rampHistory(master)), ...(await rampHistory(backup))]);
      const missing: number[] = [];
      const unpolled: number[] = [];
      for (let v = first; v <= top; v++) {
        if (samples.has(v)) continue;
        if (recorded.has(v)) missing.push(v);
        else unpolled.push(v);
      }
      const twice = [...samples].filter(([, n]) => n > 1).map(([v]) => v);
      const historical = host.messages
        .flatMap((m) => m.metrics)
        .filter((m) => m.name === 'ramp' && m.historical).length;
      console.log(
        [
          ...timeline,
          `ramp ${first}..${top} (counter reached ${last}): ${values.length} samples at the host, ${historical} of them historical`,
          `missing ${missing.length} (recorded by the pair, never at the host): ${missing.slice(0, 40).join(' ')}`,
          `not polled by either node ${unpolled.length}: ${unpolled.slice(0, 40).join(' ')}`,
          `duplicated ${twice.length}: ${twice.slice(0, 40).join(' ')}`,
          `node births and deaths in order (bdSeq, ms since the kill): ${host.messages
            .filter((m) => m.type === 'NBIRTH' || m.type === 'NDEATH')
            .map((m) => `${m.type}${m.bdSeq}${m.redelivered ? '(again)' : ''}@${m.at - killedAt}`)
            .join(' ')}`,
        ].join('\n'),
      );
      expect(host.undecodable).toEqual([]);
      expect(sequenceProblems(host.messages)).toEqual([]);
      expect(historical).toBeGreaterThan(50);
      // The ramp is a tag of the Modbus device plc: live or historical, it comes in that device's messages.
      const rampTopics = new Set(
        host.messages.filter((m) => m.metrics.some((x) => x.name === 'ramp')).map((m) => m.topic),
      );
      expect([...rampTopics].sort()).toEqual([
        'spBv1.0/plant/DBIRTH/line-1/plc',
        'spBv1.0/plant/DDATA/line-1/plc',
      ]);
      // Every sample the pair recorded reaches the host exactly once (docs/sparkplug.md "Nothing lost, nothing
      // twice"); the output names each value otherwise.
      expect(missing, 'ramp samples the pair recorded and the host never received').toEqual([]);
      expect(twice, 'ramp samples the host received twice').toEqual([]);
      // A sampling gap is not a loss (no node polled the value: a poll delayed past the counter's 100 ms on a
      // loaded machine), but a node that stops polling for seconds is a fault: at most 3 s of values.
      expect(unpolled.length, `ramp values no node polled: ${unpolled.join(' ')}`).toBeLessThanOrEqual(30);
    },
  );
});
