/** Fleet views in the exact shape of `GET /api/fleet`, for the fleet dashboard's tests. */
import type { FleetNodeView, FleetPairView } from '../../../node-core/monitor/fleet-dto.ts';

export function fleetNode(overrides: Partial<FleetNodeView> = {}): FleetNodeView {
  return {
    url: 'http://10.0.0.11:8088',
    dashboardUrl: 'http://10.0.0.11:8088/',
    reach: 'answering',
    answering: true,
    since: '2025-06-01T02:00:00Z',
    problem: null,
    via: 'live',
    name: 'line-1',
    mode: 'master',
    status: 'active',
    stale: false,
    ...overrides,
  };
}

export function fleetPair(overrides: Partial<FleetPairView> = {}): FleetPairView {
  return {
    key: overrides.name ?? 'line-1',
    name: 'line-1',
    site: null,
    verdict: 'healthy',
    headline: 'Healthy: the master runs the plant',
    problems: [],
    activeNode: { index: 0, mode: 'master', since: '2025-06-01T02:00:00Z' },
    lastFailover: null,
    linkRttMs: 2,
    replicationLagMs: 4,
    licenseMatch: 'match',
    certificatesPending: 0,
    certificatesExpiring: 0,
    conflicts: 0,
    unacknowledgedAlarms: 0,
    nodes: [
      fleetNode(),
      fleetNode({
        url: 'http://10.0.0.12:8088',
        dashboardUrl: 'http://10.0.0.12:8088/',
        mode: 'backup',
        status: 'standby',
      }),
    ],
    ...overrides,
  };
}
