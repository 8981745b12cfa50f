/** What GET /api/status tells of Sparkplug B: a wire shape, one source in protocol/. */
export type { SparkplugView } from '../../protocol/plant-views.ts';
