/**
 * What `GET /api/status` (and the live socket, the dashboard, OPC UA and the metrics) shows of a node: a
 * projection of what the node holds at this moment, built in one place and computing nothing of its own
 * beyond the peer's times read on this node's clock.
 */
import type { StatusView } from '../dto.ts';
import { compareLicenses, type LicenseState } from '../license/index.ts';
import type { PeerLink } from '../peer/index.ts';
import type { OpcUaView } from '../plant/opcua/opcua-view.ts';
import type { SparkplugView } from '../plant/sparkplug/index.ts';
import type { MachineState } from '../redundancy/index.ts';
import type { Identity } from '../trust/index.ts';
import type { PairChecks } from './pair-checks.ts';
import type { PeerFacts } from './peer-frames.ts';
import type { NodeSettings } from './settings.ts';

export interface StatusFacts {
  readonly settings: NodeSettings;
  readonly nodeId: string;
  readonly startedAt: number;
  readonly apiUrl: string;
  readonly identity: Identity;
  readonly license: LicenseState;
  readonly version: string;
  /** The redundancy machine's state, as the driver holds it. */
  readonly state: MachineState;
  /** What the peer said of itself on the current or last link, or null before any. */
  readonly peer: PeerFacts | null;
  /** Null for an independent node. */
  readonly link: PeerLink | null;
  readonly checks: PairChecks;
  readonly eventsReplicated: number;
  readonly sync: Omit<StatusView['sync'], 'eventsReplicated'>;
  readonly opcua: OpcUaView | null;
  readonly sparkplug: SparkplugView | null;
  readonly databaseDamage: string | null;
}

export function statusViewOf(f: StatusFacts): StatusView {
  const { settings: s, state, peer, link, checks } = f;
  const linked = link?.isUp === true;
  const comparison = compareLicenses(f.license, linked && peer ? peer.hello.license : null);
  const offset = checks.clockOffset;
  return {
    node: {
      name: s.name,
      nodeId: f.nodeId,
      mode: s.mode,
      status: state.status,
      standbyLevel: s.standby,
      recovery: s.recovery,
      epoch: state.epoch,
      startedAt: new Date(f.startedAt).toISOString(),
      fingerprint: f.identity.info.fingerprint,
      license: f.license,
      version: f.version,
      apiUrl: f.apiUrl,
      heldSince: state.heldSince === null ? null : new Date(state.heldSince).toISOString(),
    },
    peer: link
      ? {
          link: link.state,
          linkReason: checks.linkReason(link.reason, link.port),
          mode: peer?.hello.mode ?? null,
          status: linked ? (state.peer.status ?? peer?.hello.status ?? null) : null,
          nodeId: peer?.hello.nodeId ?? null,
          fingerprint: peer?.certificate.fingerprint ?? null,
          epoch: peer ? state.peer.epoch : null,
          lastHeartbeatAt: peer?.lastHeartbeatAt ? new Date(peer.lastHeartbeatAt).toISOString() : null,
          rttMs: peer?.rttMs ?? null,
          rttRecentMs: peer ? [...peer.rttRecent] : [],
          missedPings: state.heartbeat.missed,
          license: peer?.hello.license ?? null,
          apiUrl: peer?.hello.apiUrl ?? null,
          standbyLevel: peer?.hello.standby ?? null,
          version: peer?.hello.version ?? null,
          startedAt: peer?.hello.startedAt ?? null,
          clockOffsetMs: offset ? Math.round(offset.offsetMs) : null,
          clockOffsetErrorMs: offset ? Math.ceil(offset.errorMs) : null,
          // The peer's time, read on this node's clock where the offset is known.
          heldSince:
            linked && state.peer.heldSince !== null
              ? new Date(state.peer.heldSince - (offset?.offsetMs ?? 0)).toISOString()
              : null,
        }
      : null,
    licenseMatch: comparison.licenseMatch,
    licenseDifferences: comparison.differences,
    misconfiguration: checks.misconfiguration,
    settingsDifferences: checks.settingsDifferences,
    clockSkew: checks.clockSkew,
    databaseDamage: f.databaseDamage,
    ...(f.opcua ? { opcua: f.opcua } : {}),
    sync: { eventsReplicated: f.eventsReplicated, ...f.sync },
    ...(f.sparkplug ? { sparkplug: f.sparkplug } : {}),
  };
}
