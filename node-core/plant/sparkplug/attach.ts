/**
 * The one place a node meets Sparkplug: made when a broker is set, it follows the node's role and values.
 * Start and stop never wait on the broker beyond a short bound (docs/sparkplug.md "Start and stop").
 */
import type { Clock } from '../../clock/index.ts';
import type { Logger } from '../../logging.ts';
import type { TandemNode } from '../../node/tandem-node.ts';
import { recordMemoryValues } from './catch-up.ts';
import { SparkplugEdge } from './sparkplug-edge.ts';

export function attachSparkplug(node: TandemNode, clock: Clock, logger: Logger): SparkplugEdge | null {
  if (!node.settings.mqttUrl) return null;
  const edge = new SparkplugEdge({
    settings: node.settings,
    data: node.data,
    history: node.workload.history,
    nodeId: node.nodeId,
    clock,
    logger,
    status: () => node.status,
  });
  node.on('status', (status) => edge.statusChanged(status));
  node.on('data', (values) => {
    const isMemory = (name: string) => node.data.config.getTag(name)?.source.kind === 'memory';
    recordMemoryValues(node.workload.history, node.nodeId, values, isMemory);
    edge.valuesChanged(values);
  });
  node.workload.onWarmValues((values) => edge.standbyPolled(values));
  node.workload.onHistoryReceived(() => edge.historyArrived());
  return edge;
}
