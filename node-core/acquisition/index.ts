/** Acquisition: device definitions, drivers (simulator, Modbus TCP) and the engine that polls them. */
export { AcquisitionEngine } from './acquisition-engine.ts';
export type { AcquisitionRole } from './acquisition-engine.ts';
export { deviceDefinitionSchema, describeIssues } from './device-definition.ts';
export type { PolledValue } from './driver.ts';
