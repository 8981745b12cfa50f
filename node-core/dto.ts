/**
 * The shapes the API answers with (docs/contract.md): written once in protocol/ (which the dashboard imports
 * too) and re-exported here, where node-core's modules have always found them.
 */
export type * from './protocol/api-dto.ts';
export type {
  ConfigKind,
  EventKind,
  LinkState,
  Mode,
  RecoveryMode,
  StandbyLevel,
  Status,
  TagQuality,
  CertificateState,
} from './protocol/words.ts';
export type { FailoverEvent } from './protocol/failover-event.ts';
export type { NodeSettings } from './protocol/settings.ts';
