/**
 * Words and numbers as the operator reads them. Pure functions; every switch is exhaustive. Times and durations:
 * time-format.ts (exported from here too).
 */
import type {
  EventKind,
  FailoverEvent,
  LinkState,
  Mode,
  PeerView,
  StandbyLevel,
  Status,
  StatusView,
} from '../../../node-core/dto.ts';
import type { LicenseState } from '../../../node-core/protocol/license.ts';
import { formatDuration } from './time-format.ts';

// The times and durations live in time-format.ts; every screen still finds them here.
export {
  formatAgo,
  formatClock,
  formatDate,
  formatDay,
  formatDuration,
  formatTime,
  formatUptime,
  timeZoneLabel,
  timeZoneName,
  utcOffsetLabel,
} from './time-format.ts';

export type StatusLabel =
  | 'Running'
  | 'Standby'
  | 'Starting'
  | 'Stopping'
  | 'Unreachable'
  | 'Unknown'
  /** The peer answers, but the link waits until an operator approves a certificate (here or on the peer). */
  | 'Awaiting approval'
  /** The peer answers, but one node rejected the other's certificate. */
  | 'Rejected';

export function statusLabel(status: Status): StatusLabel {
  switch (status) {
    case 'active':
      return 'Running';
    case 'standby':
      return 'Standby';
    case 'starting':
      return 'Starting';
    case 'stopping':
      return 'Stopping';
  }
}

/**
 * A peer whose link is not connected is Unreachable, whatever it last said; unless it answers and the link only
 * waits for a certificate decision (Awaiting approval), or a certificate was rejected (Rejected).
 */
export function peerStatusLabel(peer: PeerView): StatusLabel {
  switch (peer.link) {
    case 'connected':
      return peer.status ? statusLabel(peer.status) : 'Unknown';
    case 'pending-approval':
      return 'Awaiting approval';
    case 'rejected':
      return 'Rejected';
    case 'connecting':
    case 'disconnected':
    case 'faulted':
      return 'Unreachable';
  }
}

/** CSS tone of a status: the colour is never the only signal (the word is always shown). */
export function statusTone(label: StatusLabel): 'good' | 'info' | 'warn' | 'bad' {
  switch (label) {
    case 'Running':
      return 'good';
    case 'Standby':
      return 'info';
    case 'Starting':
    case 'Stopping':
    case 'Unknown':
    case 'Awaiting approval':
      return 'warn';
    case 'Unreachable':
    case 'Rejected':
      return 'bad';
  }
}

export function modeLabel(mode: Mode): string {
  switch (mode) {
    case 'master':
      return 'Master';
    case 'backup':
      return 'Backup';
    case 'independent':
      return 'Independent';
  }
}

export function standbyLabel(level: StandbyLevel): string {
  switch (level) {
    case 'cold':
      return 'Cold (collects nothing)';
    case 'warm':
      return 'Warm (polls, does not process)';
  }
}

export function linkLabel(link: LinkState): string {
  switch (link) {
    case 'connected':
      return 'Connected';
    case 'connecting':
      return 'Connecting';
    case 'disconnected':
      return 'Disconnected';
    case 'pending-approval':
      return 'Waiting for certificate approval';
    case 'rejected':
      return 'Certificate rejected';
    case 'faulted':
      return 'Faulted';
  }
}

/** The colour of a link state (its words always beside it): waiting for a decision is not the link being down. */
export function linkTone(link: LinkState): 'good' | 'warn' | 'bad' {
  switch (link) {
    case 'connected':
      return 'good';
    case 'pending-approval':
      return 'warn';
    case 'connecting':
    case 'disconnected':
    case 'rejected':
    case 'faulted':
      return 'bad';
  }
}

export function eventKindLabel(kind: EventKind): string {
  switch (kind) {
    case 'role-change':
      return 'Role change';
    case 'peer-lost':
      return 'Peer lost';
    case 'peer-regained':
      return 'Peer regained';
    case 'split-brain':
      return 'Dual active (split brain)';
    case 'switchover-failed':
      return 'Switch-over failed';
    case 'certificate-pending':
      return 'Certificate pending';
    case 'certificate-approved':
      return 'Certificate approved';
    case 'certificate-rejected':
      return 'Certificate rejected';
    case 'license-mismatch':
      return 'License mismatch';
    case 'full-resync':
      return 'Full resync';
    case 'device-fault':
      return 'Device fault';
    case 'device-recovered':
      return 'Device recovered';
    case 'misconfiguration':
      return 'Misconfiguration';
    case 'settings-mismatch':
      return 'Settings mismatch';
    case 'clock-skew':
      return 'Clock skew';
    case 'database-damaged':
      return 'Database damaged';
  }
}

/** An event's duration as the history says it: `dual active 1.2 s`, `no active node 850 ms`; '' for none. */
export function eventDurationText(event: FailoverEvent): string {
  if (event.durationMs === null) return '';
  const length = formatDuration(event.durationMs);
  if (event.kind === 'split-brain') return `dual active ${length}`;
  if (event.kind === 'role-change' && event.to === 'active') return `no active node ${length}`;
  return length;
}

/**
 * A name in pieces that may end a line: after each `.`, `/`, `-` or `_` (`line1/`, `filling-`, `station.`,
 * `pressure`), so a long name wraps between its parts and never in the middle of a word.
 */
export function nameParts(name: string): string[] {
  return name.match(/[^./_-]*(?:[./_-]+|$)/g)?.filter((part) => part !== '') ?? [name];
}

/** `ab12cd…` → `ab12 cd34 …`: groups of four, easy to compare aloud with the peer's screen. */
export function groupFingerprint(fingerprint: string): string {
  return (
    fingerprint
      .replace(/[^0-9a-fA-F]/g, '')
      .toLowerCase()
      .match(/.{1,4}/g) ?? []
  ).join(' ');
}

/** A SHA-256 fingerprint as the node writes it in text (reasons, events): 64 lower-case hex digits. */
const FINGERPRINT_IN_TEXT = /\b[0-9a-f]{64}\b/g;

/** A text in parts, each fingerprint in it apart, so that it can be shown grouped like every other one. */
export function splitFingerprints(text: string): { readonly text: string; readonly fingerprint: boolean }[] {
  const parts: { text: string; fingerprint: boolean }[] = [];
  let at = 0;
  for (const match of text.matchAll(FINGERPRINT_IN_TEXT)) {
    if (match.index > at) parts.push({ text: text.slice(at, match.index), fingerprint: false });
    parts.push({ text: match[0], fingerprint: true });
    at = match.index + match[0].length;
  }
  if (at < text.length) parts.push({ text: text.slice(at), fingerprint: false });
  return parts;
}

/** "1 tag", "2 tags", "1,234 events": a count with its noun, in English. */
export function countOf(count: number, noun: string): string {
  return `${count.toLocaleString('en')} ${count === 1 ? noun : `${noun}s`}`;
}

/** A license in one line for the cards. */
export function licenseSummary(license: LicenseState): string {
  switch (license.state) {
    case 'valid':
      return `Valid — ${license.license.licensee}`;
    case 'expired':
      return `Expired — ${license.license.licensee}`;
    case 'missing':
      return 'No license installed';
    case 'invalid':
      return `Invalid: ${license.reason}`;
  }
}

/** The peer link's replication, as a sentence. */
export function replicationText(sync: StatusView['sync']): string {
  const runtime =
    sync.runtimeLagMs === null
      ? 'No runtime change has been sent to the peer yet'
      : `The last runtime change reached the peer in ${formatDuration(sync.runtimeLagMs)}`;
  return `${runtime}; ${countOf(sync.eventsReplicated, 'failover event')} replicated.`;
}

export interface LicenseComparisonText {
  readonly headline: 'Match' | 'Mismatch' | 'Unknown';
  /** Good only when both nodes hold the same valid license. */
  readonly tone: 'good' | 'warn' | 'bad' | 'muted';
  readonly explanation: string | null;
}

/** The Overview's license comparison: the same nothing on both nodes is a match, but nothing to be glad of. */
export function licenseComparisonText(view: StatusView): LicenseComparisonText {
  switch (view.licenseMatch) {
    case 'mismatch':
      return { headline: 'Mismatch', tone: 'bad', explanation: null };
    case 'unknown':
      return {
        headline: 'Unknown',
        tone: 'muted',
        explanation: "The peer's license is not known yet (the link is not connected).",
      };
    case 'match':
      switch (view.node.license.state) {
        case 'valid':
          return {
            headline: 'Match',
            tone: 'good',
            explanation: 'Both nodes carry the same modules and limits.',
          };
        case 'expired':
          return {
            headline: 'Match',
            tone: 'warn',
            explanation: 'Both nodes carry the same modules and limits, but both licenses have expired.',
          };
        case 'missing':
          return { headline: 'Match', tone: 'warn', explanation: 'Neither node has a license installed.' };
        case 'invalid':
          return { headline: 'Match', tone: 'warn', explanation: 'Neither node has a valid license.' };
      }
  }
}

/** The license comparison in a few words, for the Overview's glance line. */
export function licenseGlance(view: StatusView): string {
  const { headline, tone } = licenseComparisonText(view);
  if (headline !== 'Match' || tone === 'good') return headline;
  switch (view.node.license.state) {
    case 'missing':
      return 'none on either node';
    case 'expired':
      return 'expired on both nodes';
    case 'invalid':
      return 'invalid on both nodes';
    case 'valid':
      return headline;
  }
}
