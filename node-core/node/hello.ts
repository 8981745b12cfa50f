/**
 * What a node tells its peer when a link opens (the `hello` frame, node-core/peer/frames.ts): who it is, its
 * role and epoch, where its API and OPC UA server answer, its license, and the settings both nodes should
 * share, so that each can say where the two differ (docs/redundancy.md "Misconfiguration").
 */
import type { LicenseState } from '../license/index.ts';
import { EVENT_KINDS, type Hello } from '../peer/index.ts';
import type { MachineState } from '../redundancy/index.ts';
import type { PairingSettings } from './pairing.ts';
import type { NodeSettings } from './settings.ts';

export interface HelloFacts {
  readonly settings: NodeSettings;
  readonly nodeId: string;
  readonly state: MachineState;
  readonly startedAt: number;
  readonly version: string;
  readonly apiUrl: string;
  readonly license: LicenseState;
  /** This node's wall clock now: the peer's first estimate of the clock offset. */
  readonly now: number;
}

export function helloOf(f: HelloFacts): Hello {
  return {
    t: 'hello',
    protocol: 1,
    nodeId: f.nodeId,
    name: f.settings.name,
    mode: f.settings.mode,
    status: f.state.status,
    epoch: f.state.epoch,
    activeSince: f.state.activeSince,
    startedAt: new Date(f.startedAt).toISOString(),
    version: f.version,
    apiUrl: f.apiUrl,
    license: f.license,
    standby: f.settings.standby,
    opcuaPort: f.settings.opcuaPort,
    at: f.now,
    pairing: pairingOf(f.settings),
    eventKinds: [...EVENT_KINDS],
    partnerSessions: true,
  };
}

/** The settings both nodes of a pair should share, out of this node's settings. */
export function pairingOf(settings: NodeSettings): PairingSettings {
  const { recovery, timing } = settings;
  const { pingRateMs, pingTimeoutMs, missedPings, failoverTimeMs } = timing;
  return { recovery, pingRateMs, pingTimeoutMs, missedPings, failoverTimeMs };
}
