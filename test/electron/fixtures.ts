/** Test data for the desktop shell: StatusViews and FailoverEvents as node-core makes them. */
import type { FailoverEvent, LinkState, Mode, Status, StatusView } from '../../node-core/index.ts';

export interface ViewShape {
  name?: string;
  mode?: Mode;
  status?: Status;
  /** `null`: no peer (independent). */
  peer?: null;
  link?: LinkState;
  linkReason?: string | null;
  peerStatus?: Status | null;
  licenseMatch?: 'match' | 'mismatch' | 'unknown';
  /** Config changes of a split that wait for review. */
  conflicts?: number;
}

/** An active master with a connected standby backup, unless told otherwise. */
export function statusView(shape: ViewShape = {}): StatusView {
  const mode = shape.mode ?? 'master';
  const link = shape.link ?? 'connected';
  const withPeer = shape.peer !== null && mode !== 'independent';
  return {
    node: {
      name: shape.name ?? 'line-1',
      nodeId: 'node-self',
      mode,
      status: shape.status ?? 'active',
      standbyLevel: 'warm',
      recovery: 'automatic',
      epoch: 3,
      startedAt: '2025-01-01T00:00:00.000Z',
      fingerprint: 'ab'.repeat(32),
      license: { state: 'missing' },
      version: '0.1.0',
      apiUrl: 'http://127.0.0.1:8088',
      heldSince: null,
    },
    peer: withPeer
      ? {
          link,
          linkReason: shape.linkReason ?? null,
          mode: mode === 'master' ? 'backup' : 'master',
          status:
            link === 'connected' ? (shape.peerStatus === undefined ? 'standby' : shape.peerStatus) : null,
          nodeId: 'node-peer',
          fingerprint: 'cd'.repeat(32),
          epoch: 3,
          lastHeartbeatAt: null,
          rttMs: 1,
          rttRecentMs: [1],
          missedPings: 0,
          license: { state: 'missing' },
          apiUrl: 'http://10.0.0.12:8088',
          standbyLevel: 'warm',
          version: '0.1.0',
          startedAt: '2025-01-01T00:00:00.000Z',
          clockOffsetMs: 0,
          clockOffsetErrorMs: 1,
          heldSince: null,
        }
      : null,
    licenseMatch: shape.licenseMatch ?? 'match',
    licenseDifferences: shape.licenseMatch === 'mismatch' ? ['modules differ: opc-ua'] : [],
    misconfiguration: null,
    settingsDifferences: [],
    clockSkew: null,
    databaseDamage: null,
    sync: {
      eventsReplicated: 0,
      configSeq: 0,
      peerConfigSeq: 0,
      runtimeLagMs: null,
      conflicts: shape.conflicts ?? 0,
    },
  };
}

export function failoverEvent(
  kind: FailoverEvent['kind'],
  change: Partial<FailoverEvent> = {},
): FailoverEvent {
  return {
    id: `e-${Math.random().toString(16).slice(2)}`,
    at: '2025-01-01T00:00:00.000Z',
    kind,
    node: 'master',
    nodeId: 'node-self',
    from: null,
    to: null,
    reason: 'missed heartbeats',
    durationMs: null,
    ...change,
  };
}
