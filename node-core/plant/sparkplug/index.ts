/** MQTT Sparkplug B: the pair as one edge node (docs/sparkplug.md). */
export { SparkplugEdge } from './sparkplug-edge.ts';
export type { SparkplugEdgePorts } from './edge-ports.ts';
export type { SparkplugView } from './sparkplug-view.ts';
