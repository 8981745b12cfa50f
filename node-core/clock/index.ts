export { systemClock, ManualClock } from './clock.ts';
export type { Clock, TimerHandle } from './clock.ts';
