/**
 * The node's OPC UA server (docs/opcua.md). Only what loads without node-opcua is exported here: the server
 * itself (opcua-server.ts) is imported when a node starts one.
 */
export { startOpcUa } from './start-opcua.ts';
export type { OpcUaHandle, StartOpcUaOptions } from './start-opcua.ts';
export type { OpcUaNode, OpcUaOptions } from './opcua-server.ts';
export type { OpcUaView } from './opcua-view.ts';
export { serviceLevel, SERVICE_LEVEL } from './service-level.ts';
export type { NodeHealth } from './service-level.ts';
