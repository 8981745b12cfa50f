/**
 * The words of the pair (docs/rules.md "Words") as schemas: roles, statuses, reasons and event kinds, each
 * written once here and read by the node, the client library and the dashboard alike.
 */
import { z } from 'zod';

export const modeSchema = z.enum(['independent', 'master', 'backup']);
export type Mode = z.infer<typeof modeSchema>;

export const statusSchema = z.enum(['starting', 'active', 'standby', 'stopping']);
export type Status = z.infer<typeof statusSchema>;

export const standbyLevelSchema = z.enum(['cold', 'warm']);
export type StandbyLevel = z.infer<typeof standbyLevelSchema>;

export const recoveryModeSchema = z.enum(['automatic', 'manual', 'window']);
export type RecoveryMode = z.infer<typeof recoveryModeSchema>;

/** Why the active node changed: the words shown in the failover history. */
export const transitionReasonSchema = z.enum([
  'started independent',
  'backup connected as standby',
  'no backup within connection wait',
  'missed heartbeats',
  'clean hand-over',
  'operator request',
  'restore window',
  'automatic recovery',
  'manual recovery: backup is active',
  'waiting for restore window',
  'partition healed',
  'isolated',
  'no active node',
  'peer lost during recovery',
  'stopping',
]);
export type TransitionReason = z.infer<typeof transitionReasonSchema>;

/** The event kinds every release of the peer link knows; a peer that does not list its own knows only these. */
export const LEGACY_EVENT_KINDS = [
  'role-change',
  'peer-lost',
  'peer-regained',
  'split-brain',
  'switchover-failed',
  'certificate-pending',
  'certificate-approved',
  'certificate-rejected',
  'license-mismatch',
  'full-resync',
  'device-fault',
  'device-recovered',
] as const;

/**
 * Every event kind this node knows, in the order the dashboard's filter lists them: the legacy ones, then those
 * that a peer must list in its hello to get. `misconfiguration`: the peers cannot pair (docs/redundancy.md
 * "Misconfiguration"); `settings-mismatch`: recovery mode or heartbeat timing differ; `clock-skew`: the peer's
 * clock is off by more than the bound (docs/redundancy.md "Clock skew"); `database-damaged`: the check of the
 * whole database after start found damage (docs/contract.md "Starting a node (headless)").
 */
export const EVENT_KINDS = [
  ...LEGACY_EVENT_KINDS,
  'misconfiguration',
  'settings-mismatch',
  'clock-skew',
  'database-damaged',
] as const;
export const eventKindSchema = z.enum(EVENT_KINDS);
export type EventKind = z.infer<typeof eventKindSchema>;

export type LinkState =
  'connected' | 'connecting' | 'disconnected' | 'pending-approval' | 'rejected' | 'faulted';

/**
 * What config data holds: tag definitions, devices, alarm rules, the pair's operator accounts (`user`), and the
 * operators' decisions on OPC UA client certificates (`opcua-client`); node-core/data/config-kind.ts says more.
 */
export const CONFIG_KINDS = ['tag', 'device', 'alarm-rule', 'user', 'opcua-client'] as const;
export const configKindSchema = z.enum(CONFIG_KINDS);
export type ConfigKind = z.infer<typeof configKindSchema>;

export const tagQualitySchema = z.enum(['good', 'bad', 'uncertain']);
export type TagQuality = z.infer<typeof tagQualitySchema>;

export type CertificateState = 'pending' | 'trusted' | 'rejected';
