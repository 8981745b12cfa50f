/**
 * The node's OPC UA server (docs/opcua.md). Only what loads without node-opcua is exported here: the server
 * itself (opcua-server.ts) is imported when a node starts one.
 */
export { startOpcUa } from './start-opcua.ts';
export type { OpcUaNode } from './opcua-server.ts';
