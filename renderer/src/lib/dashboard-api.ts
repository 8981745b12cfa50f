/**
 * What the dashboard asks of a node, as the screens' state classes see it (api-client.ts implements it over
 * HTTP; component tests give a fake of exactly this), and the shapes of its requests and answers.
 */
import type {
  AlarmView,
  CertificateRecord,
  CertificateState,
  CommandAnswer,
  ConflictDiscarded,
  ConflictReapplied,
  ConflictView,
  EventKind,
  FailoverEvent,
  HistoryView,
  NodeSettings,
  SettingsSaved,
  SettingsView,
  Status,
  StatusView,
  TagDefinitionView,
  TagValueView,
} from '../../../node-core/dto.ts';
import type { LiveHandlers, LiveSubscription } from './live-channel.ts';

export interface EventQuery {
  readonly limit?: number;
  readonly kinds?: readonly EventKind[];
}

export interface CertificateDecision {
  readonly fingerprint: string;
  readonly state: CertificateState;
}

/** How the switch-over ended (docs/redundancy.md "An operator's switch-over holds"); an older node says no outcome. */
export interface SwitchoverAnswer {
  readonly requested: boolean;
  readonly status: Status;
  readonly outcome?: 'switched' | 'already-active' | 'failed' | 'pending';
  readonly reason?: string;
}

/** `GET /api/history/{tag}`: the range and how many points at most (more samples answer buckets). */
export interface HistoryQuery {
  readonly from: string;
  readonly to: string;
  readonly maxPoints: number;
}

export interface CsvDownload {
  readonly blob: Blob;
  readonly filename: string;
}

/** What the state classes need of a client; component tests give a fake of exactly this. */
export interface DashboardApi {
  status(): Promise<StatusView>;
  events(query?: EventQuery): Promise<FailoverEvent[]>;
  eventsCsv(query?: EventQuery): Promise<CsvDownload>;
  certificates(): Promise<CertificateRecord[]>;
  approveCertificate(fingerprint: string): Promise<CertificateDecision>;
  rejectCertificate(fingerprint: string): Promise<CertificateDecision>;
  switchover(): Promise<SwitchoverAnswer>;
  tagDefinitions(): Promise<TagDefinitionView[]>;
  tagValues(): Promise<TagValueView[]>;
  /** `uid` makes a retry safe: the node runs a given uid at most once and answers repeats with the first result. */
  writeTag(name: string, value: number | boolean | string, uid: string): Promise<CommandAnswer>;
  alarms(): Promise<AlarmView[]>;
  ackAlarm(id: string, by: string, uid: string): Promise<CommandAnswer>;
  history(tag: string, query: HistoryQuery): Promise<HistoryView>;
  /** The config changes a split left out of the pair's log (the conflict set). */
  conflicts(): Promise<ConflictView[]>;
  /** Makes a conflict's change again on the active node; a standby answers NOT_ACTIVE (307). */
  reapplyConflict(id: string): Promise<ConflictReapplied>;
  /** Drops a conflict for good, on both nodes; a standby answers NOT_ACTIVE (307). */
  discardConflict(id: string): Promise<ConflictDiscarded>;
  /** This node's settings (in effect, and saved for the next start). */
  settings(): Promise<SettingsView>;
  /** Saves settings for the next start; a wrong field is an `ApiError` 400 naming it. */
  saveSettings(settings: SettingsChange): Promise<SettingsSaved>;
  live(handlers: LiveHandlers): LiveSubscription;
}

/** What `PUT /api/settings` takes: any of the settings, and any of the timing fields. */
export type SettingsChange = Partial<Omit<NodeSettings, 'timing'>> & {
  readonly timing?: Partial<NodeSettings['timing']>;
};
