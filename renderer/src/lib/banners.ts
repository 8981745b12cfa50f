/**
 * What needs the operator, worked out from what the node said. Pure: the Overview shows the list at the
 * top of every screen, most urgent first.
 */
import type { CertificateRecord, LinkState, StatusView } from '../../../node-core/dto.ts';
import type { ApiProblem } from './api-client.ts';

export type Banner =
  | { readonly kind: 'node-unreachable'; readonly problem: ApiProblem }
  | {
      readonly kind: 'peer-unreachable';
      readonly link: LinkState;
      readonly reason: string | null;
      readonly lastHeartbeatAt: string | null;
    }
  /** This node is the master on standby while the backup runs: the operator switches back here. */
  | { readonly kind: 'switch-back-here' }
  /** This node is the backup running while the master waits on standby: switch back on the master. */
  | { readonly kind: 'switch-back-on-master'; readonly masterApiUrl: string | null }
  /**
   * The peer link waits for a certificate decision. `here`: peer certificates wait on this node (their
   * fingerprints). `peer`: this node trusts the peer's, and the peer has yet to approve this node's certificate
   * (`fingerprints` then holds this node's own, which the peer's operator compares).
   */
  | {
      readonly kind: 'certificate-pending';
      readonly waitingOn: 'here' | 'peer';
      readonly fingerprints: readonly string[];
      /** `peer` only: this node trusts a peer certificate already (it was approved here). */
      readonly approvedHere?: boolean;
    }
  | { readonly kind: 'license-mismatch'; readonly differences: readonly string[] }
  /** Config changes a split left out of the pair's log, waiting for an operator to re-apply or discard. */
  | { readonly kind: 'config-conflicts'; readonly count: number }
  /** The two nodes cannot form a pair (both masters, two pairs, one node twice): docs/redundancy.md. */
  | { readonly kind: 'misconfiguration'; readonly reason: string }
  /** Recovery mode or heartbeat timing differ between the nodes. */
  | { readonly kind: 'settings-mismatch'; readonly differences: readonly string[] }
  /** The peer's clock is off by more than the bound (positive: ahead). */
  | { readonly kind: 'clock-skew'; readonly offsetMs: number; readonly boundMs: number }
  /** The check of this node's whole database after start found damage: the node's one line about it. */
  | { readonly kind: 'database-damaged'; readonly summary: string };

export interface BannerInput {
  readonly status: StatusView | null;
  /** Set when this node's own API did not answer the last time it was asked. */
  readonly statusProblem: ApiProblem | null;
  readonly certificates: readonly CertificateRecord[] | null;
}

export function bannersFor(input: BannerInput): Banner[] {
  const banners: Banner[] = [];
  const { status, statusProblem, certificates } = input;
  if (statusProblem && statusProblem.status !== 401)
    banners.push({ kind: 'node-unreachable', problem: statusProblem });
  if (status?.databaseDamage) banners.push({ kind: 'database-damaged', summary: status.databaseDamage });

  const peer = status?.peer ?? null;
  const pending = new Set(certificates?.filter((c) => c.state === 'pending').map((c) => c.fingerprint) ?? []);
  const trusted = new Set(certificates?.filter((c) => c.state === 'trusted').map((c) => c.fingerprint) ?? []);
  if (peer?.link === 'pending-approval') {
    // A certificate the link names (or last linked with) that this node has not approved waits here, also
    // before the list catches up; one it trusts waits for nothing here.
    const named = [
      ...(peer.linkReason?.match(/\b[0-9a-f]{64}\b/g) ?? []),
      ...(peer.fingerprint ? [peer.fingerprint] : []),
    ];
    for (const fingerprint of named) if (!trusted.has(fingerprint)) pending.add(fingerprint);
  }

  // A misconfiguration explains a faulted link better than "unreachable" does.
  const misconfiguration = status?.misconfiguration ?? null;
  if (misconfiguration) banners.push({ kind: 'misconfiguration', reason: misconfiguration });

  // A pending certificate explains a blocked link better than "unreachable" does.
  if (peer && peer.link !== 'connected' && peer.link !== 'pending-approval' && !misconfiguration) {
    banners.push({
      kind: 'peer-unreachable',
      link: peer.link,
      reason: peer.linkReason,
      lastHeartbeatAt: peer.lastHeartbeatAt,
    });
  }

  if (status && peer?.link === 'connected') {
    const { node } = status;
    if (node.mode === 'master' && node.status === 'standby' && peer.status === 'active') {
      banners.push({ kind: 'switch-back-here' });
    } else if (
      node.mode === 'backup' &&
      node.status === 'active' &&
      peer.mode === 'master' &&
      peer.status === 'standby'
    ) {
      banners.push({ kind: 'switch-back-on-master', masterApiUrl: peer.apiUrl });
    }
  }

  if (pending.size > 0) {
    banners.push({ kind: 'certificate-pending', waitingOn: 'here', fingerprints: [...pending] });
  } else if (peer?.link === 'pending-approval') {
    // Approved here: what is still missing is the peer's approval of this node's certificate.
    banners.push({
      kind: 'certificate-pending',
      waitingOn: 'peer',
      fingerprints: status ? [status.node.fingerprint] : [],
      approvedHere: trusted.size > 0,
    });
  }

  if (status?.licenseMatch === 'mismatch') {
    banners.push({ kind: 'license-mismatch', differences: status.licenseDifferences });
  }

  if (status && status.settingsDifferences.length > 0) {
    banners.push({ kind: 'settings-mismatch', differences: status.settingsDifferences });
  }

  if (status?.clockSkew) {
    banners.push({
      kind: 'clock-skew',
      offsetMs: status.clockSkew.offsetMs,
      boundMs: status.clockSkew.boundMs,
    });
  }

  const conflicts = status?.sync.conflicts ?? 0;
  if (conflicts > 0) banners.push({ kind: 'config-conflicts', count: conflicts });
  return banners;
}
