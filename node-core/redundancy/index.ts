export { RedundancyDriver } from './driver.ts';
export { yieldingToPeer } from './handover.ts';
export type { Frame, MachineEvent, MachineState, RecordedEvent } from './machine.ts';
export { probeTcp } from './isolation-probe.ts';
export type * from './types.ts';
export { PairClock } from './pair-clock.ts';
export {
  bestOffset,
  clockSkewed,
  describeOffset,
  offsetFromHeartbeat,
  OFFSET_SAMPLES_KEPT,
  type OffsetSample,
} from './clock-offset.ts';
