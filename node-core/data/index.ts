export { DataService, DATA_FRAMES } from './data-service.ts';
export type { DataFrame, DataPorts } from './data-service.ts';
export { ConfigStore, CONFIG_KINDS } from './config-store.ts';
export type {
  ConfigChange,
  ConfigConflict,
  ConfigHead,
  ConfigKind,
  ConfigNotice,
  ConfigSnapshot,
} from './config-store.ts';
export { RuntimeStore } from './runtime-store.ts';
export type { LedgerEntry, TagValue, Quality } from './runtime-store.ts';
export { tagDefinitionSchema, TAG_NAME } from './tag-definition.ts';
export type { TagDefinition } from './tag-definition.ts';
export { DataError } from './data-error.ts';
export { HybridClock, compareVersions } from './version.ts';
export type { Version } from './version.ts';
export { AlarmService } from './alarm-service.ts';
export type { AlarmView } from './alarm-service.ts';
export { AlarmStore, mergeAlarm } from './alarm-store.ts';
export type { AlarmState } from './alarm-store.ts';
export { alarmRuleSchema, evaluateAlarm } from './alarm-rule.ts';
export type { AlarmRule } from './alarm-rule.ts';
