/**
 * Which OPC UA client certificates this node's server trusts (docs/opcua.md "Security"): the node's own
 * certificate list, the one the dashboard's Certificates screen shows and the operator approves or rejects
 * (with the fingerprint), rather than a second list in node-opcua's folders. A client certificate met for
 * the first time is listed as pending and refused until it is approved.
 */
import { OPCUACertificateManager, type StatusCode } from 'node-opcua';
import type { CertificateState } from '../../dto.ts';

/** Says what the operator decided on a DER certificate, recording it as pending when it is new. */
export type ClientDecision = (der: Buffer) => CertificateState;

type Chain = Buffer | Buffer[];
type OPCUACertificateManagerOptions = NonNullable<ConstructorParameters<typeof OPCUACertificateManager>[0]>;
type Callback = (error: Error | null, status?: StatusCode) => void;

export class NodeTrustedCertificates extends OPCUACertificateManager {
  constructor(options: OPCUACertificateManagerOptions, decide: ClientDecision) {
    super({ ...options, automaticallyAcceptUnknownCertificate: false });
    const check = (super.checkCertificate as (chain: Chain, callback: Callback) => void).bind(this);
    // node-opcua calls this with a callback or for a promise; both go through the operator's decision first,
    // which files the certificate in node-opcua's trusted or rejected folder, then through node-opcua's own
    // checks (validity, issuer chain).
    const decided = (chain: Chain, done: Callback): void => {
      const leaf = firstCertificate(Array.isArray(chain) ? chain[0]! : chain);
      let state: CertificateState;
      try {
        state = decide(leaf);
      } catch (error) {
        done(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      const then = (): void => check(chain, done);
      (state === 'trusted' ? this.trustCertificate(leaf) : this.rejectCertificate(leaf)).then(then, then);
    };
    this.checkCertificate = ((chain: Chain, callback?: Callback) => {
      if (callback) return decided(chain, callback);
      return new Promise((resolve, reject) =>
        decided(chain, (error, status) => (error ? reject(error) : resolve(status!))),
      );
    }) as OPCUACertificateManager['checkCertificate'];
  }
}

/** The first certificate of a DER chain (a chain is certificates one after the other). */
function firstCertificate(der: Buffer): Buffer {
  if (der[0] !== 0x30 || der.length < 2) return der;
  let length = der[1]!;
  let offset = 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[2 + i]!;
    offset = 2 + bytes;
  }
  return der.subarray(0, Math.min(der.length, offset + length));
}
