/**
 * Plant interfaces, MQTT Sparkplug B: one NDEATH per session across a graceful hand-over (docs/sparkplug.md
 * "One NDEATH per session"). A real mosquitto, a real pair of `tandem-node` processes and a host application
 * that decodes every message. The master reaches the broker through a relay that holds back its DISCONNECT,
 * so the backup's connection with the same client id reaches the broker first and takes the session over:
 * the broker then publishes the master's will.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { formPair, makePair, waitFor, type NodeProcess } from './harness.ts';
import { Broker, sequenceProblems, SparkplugHost } from './sparkplug-host.ts';
import { holdDisconnects } from './sparkplug-proxy.ts';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function sparkplugOnline(node: NodeProcess, what: string): Promise<void> {
  await node.waitStatus((s) => s.sparkplug?.state === 'online', what, 30_000);
}

describe('Plant interfaces: MQTT Sparkplug B, one NDEATH per session', () => {
  it(
    'a switch-over whose DISCONNECT is late on the way, while the new active takes the client id, gives the host one NDEATH for the old session',
    { timeout: 120_000 },
    async () => {
      const broker = await Broker.start();
      cleanup.push(() => broker.down());
      const host = await SparkplugHost.connect(broker.url, 'plant');
      cleanup.push(() => host.close());
      const relay = await holdDisconnects(broker.port);
      cleanup.push(() => relay.close());
      const pair = await makePair(
        ['--mqtt-url', relay.url, '--sparkplug-group', 'plant'],
        ['--mqtt-url', broker.url, '--sparkplug-group', 'plant'],
      );
      cleanup.push(() => pair.stop());
      await formPair(pair);
      await sparkplugOnline(pair.master, 'the master online');
      const first = await waitFor(() => host.ofType('NBIRTH')[0], 10_000, 'the master NBIRTH');

      expect((await pair.backup.api('POST', '/api/redundancy/switchover')).status).toBe(200);
      await sparkplugOnline(pair.backup, 'the backup online after the switch-over');
      const second = await waitFor(() => host.ofType('NBIRTH')[1], 10_000, 'the backup NBIRTH');
      expect(second.bdSeq).toBe((first.bdSeq! + 1) % 256);
      // Longer than the master's bound on ending its session (2 s): a second NDEATH would have come by now.
      await new Promise((r) => setTimeout(r, 3000));

      expect(relay.held, 'the master DISCONNECT was held back').toBeGreaterThan(0);
      const deaths = host.ofType('NDEATH').map((m) => m.bdSeq);
      expect(deaths).toEqual([first.bdSeq]);
      expect(sequenceProblems(host.messages)).toEqual([]);
    },
  );
});
