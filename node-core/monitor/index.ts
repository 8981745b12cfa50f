/** The fleet monitor (docs/monitor.md): `tandem-node monitor` and the shapes of `GET /api/fleet`. */
export { startMonitor, MONITOR_DEFAULT_PORT, type RunningMonitor } from './run-monitor.ts';
export type {
  FleetView,
  FleetPairView,
  FleetNodeView,
  FleetFailover,
  Verdict,
  NodeReach,
} from './fleet-dto.ts';
export { VERDICTS } from './fleet-dto.ts';
export { loadMonitorConfig, type WatchedPair } from './config.ts';
export type { FleetMonitor } from './fleet-monitor.ts';
