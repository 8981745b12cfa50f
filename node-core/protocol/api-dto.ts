/**
 * The shapes the API answers with (docs/contract.md). The node builds them and never parses them, so they are
 * types; their words (modes, statuses, kinds) and the parts a peer or the dashboard parses are schemas.
 */
import type { LicenseState } from './license.ts';
import type { AlarmRule, TagDefinition } from './config-items.ts';
import type { NodeSettings } from './settings.ts';
import type { OpcUaView, SparkplugView } from './plant-views.ts';
import type {
  CertificateState,
  ConfigKind,
  LinkState,
  Mode,
  RecoveryMode,
  StandbyLevel,
  Status,
  TagQuality,
} from './words.ts';

export type { FailoverEvent } from './failover-event.ts';

export interface CertificateRecord {
  readonly fingerprint: string;
  readonly subject: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly state: CertificateState;
  readonly firstSeenAt: string;
}

export interface NodeView {
  readonly name: string;
  readonly nodeId: string;
  readonly mode: Mode;
  readonly status: Status;
  readonly standbyLevel: StandbyLevel;
  /** Whether and when a returning master takes the role back (the pair's setting, as this node has it). */
  readonly recovery: RecoveryMode;
  readonly epoch: number;
  readonly startedAt: string;
  readonly fingerprint: string;
  readonly license: LicenseState;
  readonly version: string;
  readonly apiUrl: string;
  /**
   * Since when this node holds as standby because an operator switched the pair to its peer; null when it does
   * not hold (docs/redundancy.md "An operator's switch-over holds").
   */
  readonly heldSince: string | null;
}

export interface PeerView {
  readonly link: LinkState;
  readonly linkReason: string | null;
  readonly mode: Mode | null;
  readonly status: Status | null;
  readonly nodeId: string | null;
  readonly fingerprint: string | null;
  readonly epoch: number | null;
  readonly lastHeartbeatAt: string | null;
  readonly rttMs: number | null;
  /** The last heartbeat round trips (at most 60), oldest first. */
  readonly rttRecentMs: readonly number[];
  readonly missedPings: number;
  readonly license: LicenseState | null;
  readonly apiUrl: string | null;
  /** From the peer's hello; null until the link has been up. */
  readonly standbyLevel: StandbyLevel | null;
  readonly version: string | null;
  readonly startedAt: string | null;
  /**
   * The peer's clock minus this node's, in ms (positive: the peer's clock is ahead), measured from heartbeats;
   * null until a heartbeat measured it (or the peer is of an earlier version).
   */
  readonly clockOffsetMs: number | null;
  /** How far off `clockOffsetMs` may be: half the round trip of the heartbeat it was measured with. */
  readonly clockOffsetErrorMs: number | null;
  /** Since when the peer holds as standby after an operator's switch-over (on this node's clock), or null. */
  readonly heldSince: string | null;
}

/** The peer's clock is off by more than the bound: docs/redundancy.md "Clock skew". */
export interface ClockSkewView {
  /** The peer's clock minus this node's (positive: the peer's clock is ahead). */
  readonly offsetMs: number;
  readonly errorMs: number;
  /** The bound it exceeds: the ping timeout. */
  readonly boundMs: number;
}

export interface StatusView {
  readonly node: NodeView;
  readonly peer: PeerView | null;
  readonly licenseMatch: 'match' | 'mismatch' | 'unknown';
  readonly licenseDifferences: readonly string[];
  /**
   * Why this node and its peer cannot form a pair (both masters, other pair names, the same node twice), or null.
   * Detected when the link reaches the peer; docs/redundancy.md "Misconfiguration" says what cannot be detected.
   */
  readonly misconfiguration: string | null;
  /** Recovery mode and heartbeat timing that differ from the peer's, one line each (empty: none, or not known). */
  readonly settingsDifferences: readonly string[];
  /** Set while the peer's clock is off by more than the bound; null otherwise. */
  readonly clockSkew: ClockSkewView | null;
  /**
   * Set once the check of the whole database after start found damage (docs/contract.md "Starting a node (headless)"):
   * one line, the first problem and how many; null while none was found (or the check is still running).
   */
  readonly databaseDamage: string | null;
  /** The node's OPC UA server (docs/opcua.md); absent where none was started (a node inside a test). */
  readonly opcua?: OpcUaView;
  /** MQTT Sparkplug B, when a broker is set (docs/sparkplug.md). */
  readonly sparkplug?: SparkplugView;
  readonly sync: {
    readonly eventsReplicated: number;
    /** The newest config change on this node, and on the peer as far as this node knows (null: not known). */
    readonly configSeq: number;
    readonly peerConfigSeq: number | null;
    /** How long the last acknowledged runtime change took to be stored on the peer (null: none yet). */
    readonly runtimeLagMs: number | null;
    /** Config changes a split left out of the log, waiting for an operator to re-apply or discard them. */
    readonly conflicts: number;
  };
}

/** A tag definition as `GET /api/config/tags` lists it. */
export type TagDefinitionView = { readonly name: string } & TagDefinition;

/**
 * A tag's current value: `GET /api/tags/{name}`, each entry of `GET /api/tags` and of a live `values`
 * message. A tag that has no value yet has value null, quality `uncertain` and ts null.
 */
export interface TagValueView {
  readonly name: string;
  readonly value: number | boolean | string | null;
  readonly quality: TagQuality;
  /** ISO-8601 time the value was taken, or null. */
  readonly ts: string | null;
}

/** The answer to an action command (tag write, alarm acknowledgement). */
export interface CommandAnswer {
  readonly ok: boolean;
  readonly uid: string;
  /** False when the uid had been seen before and this is the first result again. */
  readonly executed: boolean;
}

/** An alarm rule and the state of its current (or last) occurrence: `GET /api/alarms`, live `alarms`. */
export interface AlarmView {
  readonly id: string;
  readonly rule: AlarmRule;
  readonly active: boolean;
  readonly acked: boolean;
  readonly ackedBy: string | null;
  /** ISO-8601 times of the current (or last) occurrence; null when it never happened. */
  readonly activatedAt: string | null;
  readonly clearedAt: string | null;
  readonly ackedAt: string | null;
}

export interface HistorySampleView {
  readonly ts: string;
  readonly value: number | boolean | string | null;
  readonly quality: TagQuality;
}

export interface HistoryBucketView {
  readonly from: string;
  readonly to: string;
  readonly count: number;
  readonly min: number | null;
  readonly max: number | null;
  readonly avg: number | null;
  readonly last: HistorySampleView;
  readonly notGood: number;
}

/** `GET /api/history/{tag}`: raw samples, or buckets when the range holds more than maxPoints. */
export type HistoryView = { readonly tag: string; readonly from: string; readonly to: string } & (
  | { readonly kind: 'raw'; readonly samples: readonly HistorySampleView[] }
  | { readonly kind: 'buckets'; readonly bucketMs: number; readonly buckets: readonly HistoryBucketView[] }
);

/** `GET /api/settings`: the node's settings in effect, and those saved for its next start when they differ. */
export type SettingsView = NodeSettings & { readonly pending: NodeSettings | null };

/** `PUT /api/settings`: what was saved (in effect at the next start) and what is unwise about it. */
export interface SettingsSaved {
  readonly saved: true;
  /** False only when what was saved is exactly what runs now. */
  readonly restartRequired: boolean;
  readonly settings: NodeSettings;
  readonly warnings: string[];
}

/** `POST /api/login`: a session token the API accepts like the admin token, until `expiresAt`. */
export interface LoginAnswer {
  readonly token: string;
  readonly expiresAt: string;
}

/**
 * `POST /api/partner-session`: a session the partner node opened for this node's caller (docs/auth.md), and
 * where the partner's API is; the token opens the partner's API like a login's there, until `expiresAt`.
 */
export interface PartnerSessionView {
  readonly apiUrl: string;
  readonly token: string;
  /** Who the session is on the partner: the caller's account, or `admin token` for this node's admin token. */
  readonly user: string;
  readonly expiresAt: string;
}

/** `POST /api/logout`: the session of the bearer token has ended. */
export interface LogoutAnswer {
  readonly loggedOut: true;
}

/** `GET /api/users`: the pair's operator accounts (config, replicated), by name; never a password hash. */
export interface AccountView {
  readonly name: string;
  /** ISO-8601: when the account was made. */
  readonly createdAt: string;
}

/** `GET /api/session`: who the bearer token is: an operator's session, or the admin token (`user` null). */
export interface SessionView {
  readonly user: string | null;
  /** ISO-8601, the session's end; null for the admin token. */
  readonly expiresAt: string | null;
}

/** `GET /api/login` (no token): what the sign-in card names: this node and its pair. */
export interface SignInView {
  /** The pair's name (both nodes carry it). */
  readonly name: string;
  readonly mode: Mode;
}

/**
 * A config change that a split left out of the pair's log (docs/rules.md "Partitions 3"), as both nodes store
 * it. `POST /api/config/conflicts/{id}/reapply` makes the change again on the active node, `DELETE
 * /api/config/conflicts/{id}` discards it. `value` is the definition of a `put`, null for a `delete`.
 */
export interface ConflictRecord {
  /** `origin:epoch:seq` of the change that was not kept; the same on both nodes. */
  readonly id: string;
  /** The node id of the node that made the change. */
  readonly origin: string;
  readonly epoch: number;
  readonly op: 'put' | 'delete';
  readonly kind: ConfigKind;
  readonly key: string;
  readonly value: unknown;
  /** ISO-8601: when the change was made, and when this node took it into the conflict set. */
  readonly at: string;
  readonly recordedAt: string;
}

/**
 * A conflict as `GET /api/config/conflicts` lists it: with what the pair holds now under the same kind and
 * key (null: nothing), so an operator sees what re-applying would replace.
 */
export interface ConflictView extends ConflictRecord {
  readonly current: unknown;
}

/** The answers of re-applying and of discarding a conflict. */
export interface ConflictReapplied {
  readonly reapplied: ConflictRecord;
}
export interface ConflictDiscarded {
  readonly discarded: ConflictRecord;
}
