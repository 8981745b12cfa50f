/** The words of docs/rules.md "Words", as types. */
export type Mode = 'independent' | 'master' | 'backup';
export type Status = 'starting' | 'active' | 'standby' | 'stopping';
export type StandbyLevel = 'cold' | 'warm';
export type RecoveryMode = 'automatic' | 'manual' | 'window';

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

/** Why the active node changed: the words shown in the failover history. */
export type TransitionReason =
  | 'started independent'
  | 'backup connected as standby'
  | 'no backup within connection wait'
  | 'missed heartbeats'
  | 'clean hand-over'
  | 'operator request'
  | 'restore window'
  | 'automatic recovery'
  | 'manual recovery: backup is active'
  | 'waiting for restore window'
  | 'partition healed'
  | 'isolated'
  | 'no active node'
  | 'peer lost during recovery'
  | 'stopping';
