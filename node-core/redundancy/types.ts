/** The words of docs/rules.md "Words": wire words too, so written once in protocol/words.ts. */
import type { Mode, RecoveryMode } from '../protocol/words.ts';

export type { Mode, RecoveryMode, Status, TransitionReason } from '../protocol/words.ts';

export interface RestoreWindow {
  /** Five- or six-field CRON expression for the start of each window. */
  readonly cron: string;
  readonly lengthMs: number;
}

export interface IsolationCheck {
  readonly host: string;
  readonly port: number;
}

/** Heartbeat and failover timing; the only delays the redundancy logic knows. */
export interface Timing {
  readonly pingRateMs: number;
  readonly pingTimeoutMs: number;
  readonly missedPings: number;
  readonly failoverTimeMs: number;
  readonly connectionWaitMs: number;
}

export interface RedundancyConfig {
  readonly mode: Mode;
  readonly recovery: RecoveryMode;
  readonly restoreWindow: RestoreWindow | null;
  readonly isolationCheck: IsolationCheck | null;
  readonly timing: Timing;
}
