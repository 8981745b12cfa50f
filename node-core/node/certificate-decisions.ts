/**
 * The certificates a node meets and the operator's decisions on them (docs/rules.md "Trust 2"): the peer's,
 * met on the peer link, and OPC UA clients', whose decisions made on the active node are shared with the
 * peer through the pair's config (plant/opcua/client-approvals.ts). Each first sighting and each change of
 * decision is a failover-history event.
 */
import type { CertificateRecord, CertificateState, EventKind } from '../dto.ts';
import type { Logger } from '../logging.ts';
import {
  approvalToShare,
  CLIENT_APPROVAL_KIND,
  type ClientApproval,
} from '../plant/opcua/client-approvals.ts';
import type { CertificateStore } from '../store/index.ts';
import type { CertificateInfo } from '../trust/index.ts';

export interface CertificateDecisionPorts {
  readonly certificates: CertificateStore;
  readonly now: () => number;
  readonly logger: Logger;
  record(kind: EventKind, reason: string): void;
  isActive(): boolean;
  /** Stores a shared decision as pair config (acknowledged by the standby before it resolves). */
  share(kind: typeof CLIENT_APPROVAL_KIND, fingerprint: string, approval: ClientApproval): Promise<void>;
  /** A certificate of the peer link was rejected: a connection open with it is built again at once. */
  rejected(fingerprint: string): void;
}

export class CertificateDecisions {
  readonly #p: CertificateDecisionPorts;

  constructor(ports: CertificateDecisionPorts) {
    this.#p = ports;
  }

  list(): CertificateRecord[] {
    return this.#p.certificates.list();
  }

  /** A peer certificate met in a handshake: its state, recorded as pending the first time. */
  peerSeen(info: CertificateInfo, pem: string): CertificateState {
    const known = this.#p.certificates.stateOf(info.fingerprint);
    const state = this.#p.certificates.seen(info, pem, this.#p.now());
    if (known === undefined && state === 'pending')
      this.#p.record(
        'certificate-pending',
        `certificate ${info.fingerprint} (${info.subject}) waits for approval`,
      );
    return state;
  }

  /** The operator's decision; `shared` says whether the peer holds it too. Undefined for an unknown one. */
  async decide(
    fingerprint: string,
    decision: 'trusted' | 'rejected',
  ): Promise<(CertificateRecord & { readonly shared: boolean }) | undefined> {
    const { certificates } = this.#p;
    const before = certificates.stateOf(fingerprint);
    if (!before) return undefined;
    const now = this.#p.now();
    const after = certificates.decide(fingerprint, decision, now);
    const share = after === decision ? approvalToShare(certificates, fingerprint, decision, now) : null;
    let shared = false;
    if (share && this.#p.isActive()) {
      try {
        await this.#p.share(CLIENT_APPROVAL_KIND, fingerprint, share);
        shared = true;
      } catch (error) {
        this.#p.logger.warn({ err: error, fingerprint }, 'the OPC UA client decision was made here only');
      }
    }
    if (after !== before) {
      this.#p.record(
        after === 'trusted' ? 'certificate-approved' : 'certificate-rejected',
        `certificate ${fingerprint}`,
      );
      if (after === 'rejected') this.#p.rejected(fingerprint);
    }
    const record = certificates.list().find((c) => c.fingerprint === fingerprint);
    return record && { ...record, shared };
  }
}
