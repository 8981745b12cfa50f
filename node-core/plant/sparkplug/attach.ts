/**
 * The one place a node meets Sparkplug: made when a broker is set, it follows the node's role and values.
 * Start and stop never wait on the broker beyond a short bound (docs/sparkplug.md "Start and stop").
 */
import type { Clock } from '../../clock/index.ts';
import type { Logger } from '../../logging.ts';
import type { TandemNode } from '../../node/tandem-node.ts';
import { SparkplugEdge } from './sparkplug-edge.ts';

export function attachSparkplug(node: TandemNode, clock: Clock, logger: Logger): SparkplugEdge | null {
  if (!node.settings.mqttUrl) return null;
  const edge = new SparkplugEdge({
    settings: node.settings,
    data: node.data,
    history: node.workload.history,
    clock,
    logger,
    status: () => node.status,
  });
  node.on('status', (status) => edge.statusChanged(status));
  node.on('data', (values) => edge.valuesChanged(values));
  node.workload.onWarmValues((values) => edge.standbyPolled(values));
  node.workload.onHistoryReceived(() => edge.historyArrived());
  return edge;
}
