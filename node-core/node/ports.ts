/**
 * What a node offers the interfaces on its north side (the HTTP API and its live socket; OPC UA and Sparkplug
 * reach the node through narrow ports of their own, plant/): small query and command ports, each named for what
 * it does. The composition root (create-node.ts) gives each route module the ports it needs and nothing else,
 * so that a route module never sees the node, and its spec passes small fakes of these ports.
 */
import type { EventEmitter } from 'node:events';
import type { CertificateRecord, EventKind, FailoverEvent, LinkState, StatusView } from '../dto.ts';
import type {
  AlarmState,
  AlarmView,
  ConfigConflict,
  ConfigKind,
  ConfigNotice,
  DataService,
  TagDefinition,
  TagValue,
} from '../data/index.ts';
import type { HistoryStore } from '../history/index.ts';
import type { Status } from '../redundancy/index.ts';
import type { SettingsStore } from '../store/index.ts';
import type { NodeSettings } from './settings.ts';

/** What a node tells as it happens (TandemNode emits these). */
export interface NodeEvents {
  status: [status: Status, reason: string];
  event: [event: FailoverEvent];
  link: [state: LinkState, reason: string | null];
  data: [values: readonly TagValue[], alarms: readonly AlarmState[]];
  stopped: [];
}

/** Listening to what a node tells (the live socket; a fake is a plain `EventEmitter<NodeEvents>`). */
export type NodeNotices = Pick<EventEmitter<NodeEvents>, 'on' | 'off'>;

/** What the node is now. */
export interface StatusQueries {
  /** This node's role now. */
  readonly status: Status;
  /** All of `GET /api/status` (node/status-view.ts). */
  statusView(): StatusView;
  /** The peer's API when the peer is linked and active (where a standby sends changes), else null. */
  activePeerApiUrl(): string | null;
}

/** Whether this node takes changes, and where to send them if not. */
export type RoleQueries = Pick<StatusQueries, 'status' | 'activePeerApiUrl'>;

/** The node's failover history. */
interface EventQueries {
  listEvents(limit: number, kinds?: readonly EventKind[]): FailoverEvent[];
}

/** The peer and OPC UA client certificates this node has seen, and the operator's decisions on them. */
interface CertificateCommands {
  listCertificates(): CertificateRecord[];
  /** `shared`: the peer holds the decision too; undefined for a certificate this node never saw. */
  decideCertificate(
    fingerprint: string,
    decision: 'trusted' | 'rejected',
  ): Promise<(CertificateRecord & { readonly shared: boolean }) | undefined>;
}

/**
 * How an operator's switch-over ended: `switched` (this node took over), `already-active`, `failed` (the
 * hand-over was given up, `reason` says why; the node may still have become active by a failover after it), or
 * `pending` (no outcome within the bound: the history tells how it ends).
 */
export interface SwitchoverResult {
  /** This node's status as the answer is given. */
  readonly status: Status;
  readonly outcome: 'switched' | 'already-active' | 'failed' | 'pending';
  readonly reason?: string;
}

/** The operator's switch-over. */
interface RedundancyCommands {
  /**
   * Asks for a switch-over and answers how it ended: once this node is active or the hand-over was given up, or
   * after a bound of the ping timeout and a margin (node/timing-bounds.ts).
   */
  switchOver(): Promise<SwitchoverResult>;
}

/** `GET /metrics`. */
export interface MetricsExport {
  readonly contentType: string;
  /** The metrics as of now, in the Prometheus text format. */
  scrape(): Promise<string>;
}

/** Reading the gateway data: tag values, config, alarms, conflicts. Any node answers these. */
export interface DataQueries {
  /** A configured tag's value (null and uncertain before its first); undefined for a tag not configured. */
  readTag: DataService['readTag'];
  /** Every value this node holds, configured or not. */
  currentValues(): readonly TagValue[];
  configItems<T>(kind: ConfigKind): { key: string; definition: T }[];
  configItem<T>(kind: ConfigKind, key: string): T | undefined;
  tagDefinition(name: string): TagDefinition | undefined;
  alarms(): AlarmView[];
  conflicts(): ConfigConflict[];
  /** Calls `listener` for every config change; answers the unsubscribe. */
  watchConfig(listener: (change: ConfigNotice) => void): () => void;
}

/** Changing the gateway data: on the active node only (the routes redirect a standby's callers). */
export type DataCommands = Pick<
  DataService,
  | 'writeTag'
  | 'ackAlarm'
  | 'putConfig'
  | 'putConfigAll'
  | 'deleteConfig'
  | 'reapplyConflict'
  | 'discardConflict'
>;

/** The recorded history of tag values (`GET /api/history/:tag`). */
export type HistoryQueries = Pick<HistoryStore, 'hasTag' | 'query'>;

/** The settings saved for the node's next start (`GET`/`PUT /api/settings`). */
export type SettingsMemory = Pick<SettingsStore, 'load' | 'save'>;

/** Everything the API reaches of its node; each route module takes the few of these it uses. */
export interface ApiPorts {
  /** The settings in effect (those saved for the next start are `SettingsMemory`'s). */
  readonly settings: NodeSettings;
  readonly status: StatusQueries;
  readonly notices: NodeNotices;
  readonly events: EventQueries;
  readonly certificates: CertificateCommands;
  readonly redundancy: RedundancyCommands;
  readonly metrics: MetricsExport;
  readonly data: DataQueries;
  readonly commands: DataCommands;
  readonly history: HistoryQueries;
}
