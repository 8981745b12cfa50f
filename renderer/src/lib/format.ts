/** Words and numbers as the operator reads them. Pure functions; every switch is exhaustive. */
import type { EventKind, LinkState, Mode, PeerView, StandbyLevel, Status } from '../../../node-core/dto.ts';
import type { LicenseState } from '../../../node-core/license/index.ts';

export type StatusLabel = 'Running' | 'Standby' | 'Starting' | 'Stopping' | 'Unreachable' | 'Unknown';

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

/** A peer whose link is not connected is Unreachable, whatever it last said. */
export function peerStatusLabel(peer: PeerView): StatusLabel {
  if (peer.link !== 'connected') return 'Unreachable';
  return peer.status ? statusLabel(peer.status) : 'Unknown';
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
      return 'warn';
    case 'Unreachable':
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
  }
}

/** Every kind once, in the order the filter lists them; a new kind in dto.ts fails the type check here. */
const EVENT_KIND_SET: Record<EventKind, true> = {
  'role-change': true,
  'peer-lost': true,
  'peer-regained': true,
  'split-brain': true,
  'switchover-failed': true,
  'certificate-pending': true,
  'certificate-approved': true,
  'certificate-rejected': true,
  'license-mismatch': true,
  'full-resync': true,
  'device-fault': true,
  'device-recovered': true,
  misconfiguration: true,
  'settings-mismatch': true,
  'clock-skew': true,
};
export const EVENT_KINDS = Object.keys(EVENT_KIND_SET) as readonly EventKind[];

/** `ab12cd…` → `ab12 cd34 …`: groups of four, easy to compare aloud with the peer's screen. */
export function groupFingerprint(fingerprint: string): string {
  return (
    fingerprint
      .replace(/[^0-9a-fA-F]/g, '')
      .toLowerCase()
      .match(/.{1,4}/g) ?? []
  ).join(' ');
}

/** Milliseconds as a person says them: `850 ms`, `12.4 s`, `4 min 05 s`, `2 h 07 min`, `3 d 4 h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.floor(seconds)} s`;
  const totalSeconds = Math.floor(seconds);
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) return `${minutes} min ${pad(totalSeconds % 60)} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${pad(minutes % 60)} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

export function formatUptime(startedAt: string, now: number): string {
  const start = Date.parse(startedAt);
  return Number.isNaN(start) ? '—' : formatDuration(Math.max(0, now - start));
}

/** `2025-03-04 03:12:09` in the browser's local time: unambiguous, sortable, no locale guessing. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

export function formatDate(iso: string): string {
  return formatTime(iso).slice(0, 10);
}

export function formatAgo(iso: string | null, now: number): string {
  if (!iso) return 'never';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '—';
  const ms = now - at;
  return ms < 1000 ? 'just now' : `${formatDuration(ms)} ago`;
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

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
