/**
 * Whether a connection that reached the peer link may carry frames: decided on the certificate the far side
 * presented, against the node's trust store, before anything is read from it (docs/rules.md "Trust 2").
 */
import type { LinkState } from '../dto.ts';
import type { Logger } from '../logging.ts';
import { describeCertificate, type CertificateInfo } from '../trust/index.ts';
import { CloseCode } from './frames.ts';

export type TrustDecision = 'trusted' | 'pending' | 'rejected';

/** A connection admitted with its peer's certificate, or refused: with what code, link state and reason. */
export type Admission =
  | { readonly ok: true; readonly certificate: CertificateInfo }
  | { readonly ok: false; readonly code: number; readonly state: LinkState; readonly reason: string };

export function admitPeer(
  raw: Buffer | undefined,
  trust: (info: CertificateInfo, pem: string) => TrustDecision,
  logger: Logger,
): Admission {
  if (!raw || raw.length === 0)
    return { ok: false, code: CloseCode.rejected, state: 'faulted', reason: 'peer presented no certificate' };
  let certificate: CertificateInfo;
  let decision: TrustDecision;
  try {
    certificate = describeCertificate(raw);
    decision = trust(certificate, derToPem(raw));
  } catch (error) {
    logger.warn({ err: error }, 'peer certificate could not be read');
    return {
      ok: false,
      code: CloseCode.rejected,
      state: 'faulted',
      reason: 'peer certificate could not be read',
    };
  }
  if (decision === 'rejected') {
    return {
      ok: false,
      code: CloseCode.rejected,
      state: 'rejected',
      reason: `peer certificate ${certificate.fingerprint} was rejected`,
    };
  }
  if (decision === 'pending') {
    return {
      ok: false,
      code: CloseCode.pendingApproval,
      state: 'pending-approval',
      reason: `approve peer certificate ${certificate.fingerprint} on this node`,
    };
  }
  return { ok: true, certificate };
}

function derToPem(der: Buffer): string {
  const body = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${body}${body.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
}
