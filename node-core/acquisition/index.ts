/** Acquisition: device definitions, drivers (simulator, Modbus TCP) and the engine that polls them. */
export { AcquisitionEngine } from './acquisition-engine.ts';
export type {
  AcquisitionOptions,
  AcquisitionPorts,
  AcquisitionRole,
  AcquisitionTag,
  DriverFactory,
} from './acquisition-engine.ts';
export {
  deviceDefinitionSchema,
  modbusSourceSchema,
  describeIssues,
  DEVICE_KEY,
} from './device-definition.ts';
export type { DeviceDefinition, ModbusSource, ModbusTable } from './device-definition.ts';
export { AcquisitionError } from './driver.ts';
export type { DataType, Driver, DriverTag, PolledScalar, PolledValue, Quality } from './driver.ts';
export { SimulatorDriver, simulateValue, asSimulatorSource } from './simulator-driver.ts';
export type { SimulatorSource, Waveform } from './simulator-driver.ts';
export { ModbusTcpDriver } from './modbus-tcp-driver.ts';
export type { ModbusTcpDriverOptions } from './modbus-tcp-driver.ts';
export { planReads, MAX_BITS_PER_READ, MAX_REGISTERS_PER_READ } from './modbus-plan.ts';
export type { ReadBlock, PlanOptions } from './modbus-plan.ts';
