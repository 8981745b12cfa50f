/**
 * ServiceLevel (OPC 10000-4 §6.6.2.4.2, our account in docs/opcua.md "ServiceLevel"): one pure function of
 * the node's health, the same on both nodes, so a client that follows the highest ServiceLevel follows the
 * active node. The bands:
 *
 * - 0 (Maintenance): stopping, or stood down for the peer in a hand-over that the peer has not completed.
 * - 1 (NoData): starting; suspects it is isolated (the isolation check failed); a standby not synchronised
 *   (no link to the active node, or no replication measured yet).
 * - 150–199 (Degraded): standby, 199 when replication keeps up, down to 150 at `lagBoundMs` or more behind.
 * - 200–254 (Healthy): active with faulted devices, by the share of devices that answer.
 * - 255: active, every device answers (or there are none).
 */
import type { Status } from '../../redundancy/index.ts';

export interface NodeHealth {
  readonly status: Status;
  /** This node stood down for its peer (a switch-over) and waits for the peer to say it runs the pair
   * (`yieldingToPeer`, redundancy/handover.ts). */
  readonly handingOver: boolean;
  /** The isolation check failed while the peer was unreachable (docs/redundancy.md). */
  readonly isolationSuspected: boolean;
  /** A standby with a live link to the active node. */
  readonly linked: boolean;
  readonly devices: number;
  readonly devicesFaulted: number;
  /** How far the replicated runtime values trail the active node's, or null when not measured. */
  readonly replicationLagMs: number | null;
  /** The lag at which a standby's ServiceLevel reaches the bottom of its band. */
  readonly lagBoundMs: number;
}

const SERVICE_LEVEL = {
  maintenance: 0,
  noData: 1,
  standbyLowest: 150,
  standbyHighest: 199,
  activeLowest: 200,
  activeHealthy: 255,
} as const;

export function serviceLevel(h: NodeHealth): number {
  if (h.status === 'stopping' || h.handingOver) return SERVICE_LEVEL.maintenance;
  if (h.status === 'starting' || h.isolationSuspected) return SERVICE_LEVEL.noData;
  if (h.status === 'active') {
    const faulted = Math.min(Math.max(h.devicesFaulted, 0), h.devices);
    if (h.devices <= 0 || faulted === 0) return SERVICE_LEVEL.activeHealthy;
    // 200 with every device faulted, below 255 while any is: 54 steps share the healthy fraction.
    const healthy = (h.devices - faulted) / h.devices;
    return SERVICE_LEVEL.activeLowest + Math.floor(healthy * 54);
  }
  if (!h.linked) return SERVICE_LEVEL.noData;
  const lag = Math.max(h.replicationLagMs ?? 0, 0);
  const span = SERVICE_LEVEL.standbyHighest - SERVICE_LEVEL.standbyLowest;
  const behind = h.lagBoundMs > 0 ? Math.min(lag / h.lagBoundMs, 1) : lag > 0 ? 1 : 0;
  return SERVICE_LEVEL.standbyHighest - Math.round(behind * span);
}

/**
 * Server.EstimatedReturnTime (OPC 10000-5 ServerType; docs/opcua.md "ServiceLevel"), ms since the epoch, or
 * null when not known. Known only while a node of a pair hands over (`handingOver`, ServiceLevel 0): it is
 * back, as the standby, within the pair's failover time. A clean stop's offer is not counted: its status,
 * stopping, gives ServiceLevel 0, and whether the node is started again is not known. Fixed when the hand-over starts (`previous`), so that it does not
 * move at every heartbeat. A stopping node may or may not be started again: not known.
 */
export function estimatedReturnTime(
  handingOver: boolean,
  paired: boolean,
  previous: number | null,
  now: number,
  failoverMs: number,
): number | null {
  if (!paired || !handingOver) return null;
  return previous ?? now + failoverMs;
}
