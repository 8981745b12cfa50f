/** What GET /api/status shows of the node's OPC UA server: a wire shape, one source in protocol/. */
export type { OpcUaView } from '../../protocol/plant-views.ts';
