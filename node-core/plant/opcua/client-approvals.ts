/**
 * OPC UA client certificates approved on one node are trusted by both (docs/opcua.md "Security"). An
 * operator's decision on a client certificate, made on the active node, becomes a config item of kind
 * `opcua-client` (key: the fingerprint; value: the PEM and the decision), so it is replicated, merged by key
 * and acknowledged like every config change; each node applies the pair's decisions to its own certificate
 * list, which the OPC UA server consults. A client that fails over to the other node is let in there too.
 * No node-opcua here: this runs on every node, also one that does not load the OPC UA server.
 */
import { z } from 'zod';
import type { ConfigKind, ConfigNotice } from '../../data/index.ts';
import type { Logger } from '../../logging.ts';
import type { CertificateStore } from '../../store/index.ts';
import { describeCertificate } from '../../trust/index.ts';

export const CLIENT_APPROVAL_KIND = 'opcua-client' satisfies ConfigKind;

const clientApprovalSchema = z
  .object({
    pem: z.string().min(1).max(16_384),
    state: z.enum(['trusted', 'rejected']),
    decidedAt: z.number().int().min(0),
  })
  .strict();
export type ClientApproval = z.infer<typeof clientApprovalSchema>;

/** What the approvals read of the config store (node-core/data's ConfigStore). */
interface ApprovalSource {
  item<T>(kind: ConfigKind, key: string): T | undefined;
  list<T>(kind: ConfigKind): { key: string; definition: T }[];
  watch(listener: (change: ConfigNotice) => void): () => void;
}

export interface ClientApprovalPorts {
  readonly config: ApprovalSource;
  readonly certificates: CertificateStore;
  readonly now: () => number;
  readonly logger: Logger;
}

/**
 * The config item that shares an operator's decision on a certificate, or null when the certificate is not
 * an OPC UA client's (a peer certificate is each node's own decision) or its PEM is not known.
 */
export function approvalToShare(
  certificates: CertificateStore,
  fingerprint: string,
  state: 'trusted' | 'rejected',
  now: number,
): ClientApproval | null {
  if (certificates.useOf(fingerprint) !== 'opcua-client') return null;
  const pem = certificates.pemOf(fingerprint);
  return pem ? { pem, state, decidedAt: now } : null;
}

/** Applies the pair's decisions to this node's certificate list, now and at every change; returns the stop. */
export function followClientApprovals(ports: ClientApprovalPorts): () => void {
  const apply = (fingerprint: string, value: unknown): void => {
    const approval = clientApprovalSchema.safeParse(value);
    if (!approval.success) return;
    try {
      const info = describeCertificate(approval.data.pem);
      if (info.fingerprint !== fingerprint) throw new Error(`its fingerprint is ${info.fingerprint}`);
      const now = ports.now();
      ports.certificates.seen(info, approval.data.pem, now, 'opcua-client');
      // A local rejection stands (rejected certificates stay rejected), as for a decision made here.
      ports.certificates.decide(fingerprint, approval.data.state, now);
    } catch (error) {
      ports.logger.warn(
        { err: error, fingerprint },
        'an OPC UA client decision from the pair config was not applied: its certificate cannot be read',
      );
    }
  };
  const applyAll = (): void => {
    for (const { key, definition } of ports.config.list<unknown>(CLIENT_APPROVAL_KIND))
      apply(key, definition);
  };
  applyAll();
  return ports.config.watch((change) => {
    if (change === 'all') applyAll();
    else if (change.kind === CLIENT_APPROVAL_KIND)
      apply(change.key, ports.config.item(change.kind, change.key));
  });
}
