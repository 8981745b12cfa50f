import type { Db } from './database.ts';
import type { CertificateRecord, CertificateState } from '../dto.ts';
import type { CertificateInfo } from '../trust/index.ts';

/** What a certificate is met for: the peer link, or an OPC UA client of this node's server. */
export type CertificateUse = 'peer' | 'opcua-client';

interface CertificateRow {
  fingerprint: string;
  pem: string;
  subject: string;
  not_before: string;
  not_after: string;
  state: CertificateState;
  first_seen_at: number;
}

/** Certificates this node has seen (its peer's, OPC UA clients'), and the operator's decision on each. */
export class CertificateStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  stateOf(fingerprint: string): CertificateState | undefined {
    const row = this.#db.prepare('SELECT state FROM certificates WHERE fingerprint = ?').get(fingerprint) as
      { state: CertificateState } | undefined;
    return row?.state;
  }

  /** What the certificate was first met for, or undefined if it is unknown. */
  useOf(fingerprint: string): CertificateUse | undefined {
    const row = this.#db.prepare('SELECT use FROM certificates WHERE fingerprint = ?').get(fingerprint) as
      { use: CertificateUse } | undefined;
    return row?.use;
  }

  pemOf(fingerprint: string): string | undefined {
    const row = this.#db.prepare('SELECT pem FROM certificates WHERE fingerprint = ?').get(fingerprint) as
      { pem: string } | undefined;
    return row?.pem || undefined;
  }

  /**
   * Records a certificate met in a handshake; an existing decision (and what it was first met for) is kept.
   * Returns its state.
   */
  seen(info: CertificateInfo, pem: string, now: number, use: CertificateUse = 'peer'): CertificateState {
    this.#db
      .prepare(
        `INSERT INTO certificates (fingerprint, pem, subject, not_before, not_after, state, first_seen_at, use)
         VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)
         ON CONFLICT (fingerprint) DO UPDATE SET pem = excluded.pem, subject = excluded.subject,
           not_before = excluded.not_before, not_after = excluded.not_after`,
      )
      .run(info.fingerprint, pem, info.subject, info.notBefore, info.notAfter, now, use);
    return this.stateOf(info.fingerprint) ?? 'pending';
  }

  /** Approves a fingerprint before its certificate was ever seen (scripted installs, `--trust-peer`). */
  trustInAdvance(fingerprint: string, now: number): void {
    this.#db
      .prepare(
        `INSERT INTO certificates (fingerprint, pem, subject, not_before, not_after, state, first_seen_at, decided_at)
         VALUES (?, '', '(not seen yet)', '', '', 'trusted', ?, ?)
         ON CONFLICT (fingerprint) DO UPDATE SET state = 'trusted', decided_at = excluded.decided_at
         WHERE certificates.state <> 'rejected'`,
      )
      .run(fingerprint, now, now);
  }

  /** Changes a decision. Rejected certificates stay rejected. Returns the state now, or undefined if unknown. */
  decide(fingerprint: string, state: 'trusted' | 'rejected', now: number): CertificateState | undefined {
    this.#db
      .prepare(
        `UPDATE certificates SET state = ?, decided_at = ? WHERE fingerprint = ? AND state <> 'rejected'`,
      )
      .run(state, now, fingerprint);
    return this.stateOf(fingerprint);
  }

  list(): CertificateRecord[] {
    const rows = this.#db
      .prepare('SELECT * FROM certificates ORDER BY first_seen_at DESC')
      .all() as CertificateRow[];
    return rows.map((r) => ({
      fingerprint: r.fingerprint,
      subject: r.subject,
      notBefore: r.not_before,
      notAfter: r.not_after,
      state: r.state,
      firstSeenAt: new Date(r.first_seen_at).toISOString(),
    }));
  }
}
