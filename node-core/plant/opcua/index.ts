export { OpcUaService } from './opcua-server.ts';
export type { OpcUaNode, OpcUaOptions } from './opcua-server.ts';
export type { OpcUaView } from './opcua-view.ts';
export { startOpcUa } from './start-opcua.ts';
export { serviceLevel, SERVICE_LEVEL } from './service-level.ts';
export type { NodeHealth } from './service-level.ts';
