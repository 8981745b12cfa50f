/** The fleet monitor (docs/monitor.md): `tandem-node monitor` and the shapes of `GET /api/fleet`. */
export { startMonitor, type RunningMonitor } from './run-monitor.ts';
export type { FleetView, FleetPairView, Verdict } from './fleet-dto.ts';
export { VERDICTS } from './fleet-dto.ts';
export { loadMonitorConfig } from './config.ts';
