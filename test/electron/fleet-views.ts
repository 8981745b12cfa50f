/** Pairs of a fleet in each verdict, as `GET /api/fleet` shows them, for the desktop's monitor mode tests. */
import type { FleetPairView, FleetView } from '../../node-core/monitor/index.ts';
import { fleetNode, fleetPair } from '../../renderer/src/fleet/fleet-fixtures.ts';

const backupNode = (overrides: Parameters<typeof fleetNode>[0] = {}) =>
  fleetNode({
    url: 'http://10.0.0.12:8088',
    dashboardUrl: 'http://10.0.0.12:8088/',
    mode: 'backup',
    status: 'standby',
    ...overrides,
  });

/** A pair on its own addresses (10.0.<n>.11 and .12), so each pair's dashboards differ. */
function onSubnet(pair: FleetPairView, subnet: number): FleetPairView {
  const moved = pair.nodes.map((node) => {
    const url = node.url.replace('10.0.0.', `10.0.${subnet}.`);
    return { ...node, url, dashboardUrl: `${url}/` };
  }) as unknown as FleetPairView['nodes'];
  return { ...pair, nodes: moved };
}

export const pairs = {
  healthy: (name: string, subnet = 0): FleetPairView => onSubnet(fleetPair({ name, key: name }), subnet),
  failedOver: (name: string, subnet = 0): FleetPairView =>
    onSubnet(
      fleetPair({
        name,
        key: name,
        verdict: 'failed-over',
        headline: 'Failed over: the backup runs the plant',
        activeNode: { index: 1, mode: 'backup', since: '2025-06-01T02:10:00Z' },
        lastFailover: {
          at: '2025-06-01T02:10:00Z',
          reason: 'master lost (missed heartbeats)',
          durationMs: 3000,
          node: 'backup',
        },
        nodes: [
          fleetNode({ reach: 'unreachable', answering: false, problem: 'connection refused', stale: true }),
          backupNode({ status: 'active' }),
        ],
      }),
      subnet,
    ),
  down: (name: string, subnet = 0): FleetPairView =>
    onSubnet(
      fleetPair({
        name,
        key: name,
        verdict: 'down',
        headline: 'Down: neither node answers',
        activeNode: null,
        nodes: [
          fleetNode({ reach: 'unreachable', answering: false, problem: 'connection refused' }),
          backupNode({ reach: 'unreachable', answering: false, problem: 'connection refused' }),
        ],
      }),
      subnet,
    ),
  /** Just started: neither node read yet. */
  reading: (name: string, subnet = 0): FleetPairView =>
    onSubnet(
      fleetPair({
        name,
        key: name,
        verdict: 'unknown',
        headline: 'Unknown: reading the nodes…',
        activeNode: null,
        nodes: [
          fleetNode({ reach: 'checking', answering: false, status: null, mode: null }),
          backupNode({ reach: 'checking', answering: false, status: null, mode: null }),
        ],
      }),
      subnet,
    ),
};

export function fleet(...list: FleetPairView[]): FleetView {
  return { at: '2025-06-01T02:10:00Z', pairs: list };
}
