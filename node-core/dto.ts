/** The shapes the API answers with (contract.md); the renderer imports these as types only. */
import type { LicenseState } from './license/index.ts';
import type { Mode, StandbyLevel, Status } from './redundancy/types.ts';

export type { Mode, StandbyLevel, Status };

export type LinkState =
  'connected' | 'connecting' | 'disconnected' | 'pending-approval' | 'rejected' | 'faulted';

export type EventKind =
  | 'role-change'
  | 'peer-lost'
  | 'peer-regained'
  | 'split-brain'
  | 'switchover-failed'
  | 'certificate-pending'
  | 'certificate-approved'
  | 'certificate-rejected'
  | 'license-mismatch'
  | 'full-resync'
  | 'device-fault'
  | 'device-recovered';

export interface FailoverEvent {
  readonly id: string;
  /** ISO-8601 time. */
  readonly at: string;
  readonly kind: EventKind;
  /** Which node of the pair: its mode (`master`, `backup`, `independent`). */
  readonly node: Mode;
  readonly nodeId: string;
  readonly from: Status | null;
  readonly to: Status | null;
  readonly reason: string;
  readonly durationMs: number | null;
}

export type CertificateState = 'pending' | 'trusted' | 'rejected';

export interface CertificateRecord {
  readonly fingerprint: string;
  readonly subject: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly state: CertificateState;
  readonly firstSeenAt: string;
}

export interface NodeView {
  readonly name: string;
  readonly nodeId: string;
  readonly mode: Mode;
  readonly status: Status;
  readonly standbyLevel: StandbyLevel;
  readonly epoch: number;
  readonly startedAt: string;
  readonly fingerprint: string;
  readonly license: LicenseState;
  readonly version: string;
  readonly apiUrl: string;
}

export interface PeerView {
  readonly link: LinkState;
  readonly linkReason: string | null;
  readonly mode: Mode | null;
  readonly status: Status | null;
  readonly nodeId: string | null;
  readonly fingerprint: string | null;
  readonly epoch: number | null;
  readonly lastHeartbeatAt: string | null;
  readonly rttMs: number | null;
  readonly missedPings: number;
  readonly license: LicenseState | null;
  readonly apiUrl: string | null;
}

export interface StatusView {
  readonly node: NodeView;
  readonly peer: PeerView | null;
  readonly licenseMatch: 'match' | 'mismatch' | 'unknown';
  readonly licenseDifferences: readonly string[];
  readonly sync: { readonly eventsReplicated: number };
}
