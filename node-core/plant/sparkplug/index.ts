/** MQTT Sparkplug B: the pair as one edge node (docs/sparkplug.md). */
export { SparkplugEdge, type SparkplugEdgePorts } from './sparkplug-edge.ts';
export type { SparkplugView } from './sparkplug-view.ts';
export { PASSWORD_ENV } from './broker-connection.ts';
