/**
 * Runs in electron-main, with no Electron and no I/O: time comes from an injected Clock (style.md 8).
 *
 * Which changes of the node become desktop notifications, and how often: at most one per topic per interval,
 * later ones held and shown as one ("3 more changes", with the latest state) when the topic's window closes
 * (notice-rate-limit.ts). So a flapping link cannot flood the desktop, and the last one always says how
 * things stand now.
 */
import type { Clock, FailoverEvent, Status } from '../../node-core/index.ts';
import type { DashboardRoute } from '../shared/bridge.ts';
import { NoticeRateLimit } from './notice-rate-limit.ts';

export type NoticeKind =
  | 'active'
  | 'standby'
  | 'restore-window'
  | 'switchover-failed'
  | 'peer-lost'
  | 'peer-regained'
  | 'certificate-pending'
  | 'license-mismatch'
  | 'split-brain'
  | 'misconfiguration'
  | 'settings-mismatch'
  | 'clock-skew'
  | 'database-damaged'
  | 'node-fault';

/** Notices of one topic share a rate limit: "peer lost" and "peer back" are one topic, a flapping link. */
export type NoticeTopic = 'role' | 'peer' | 'certificate' | 'license' | 'split-brain' | 'pairing' | 'fault';

export const TOPIC_OF: Readonly<Record<NoticeKind, NoticeTopic>> = {
  active: 'role',
  standby: 'role',
  'restore-window': 'role',
  'switchover-failed': 'role',
  'peer-lost': 'peer',
  'peer-regained': 'peer',
  'certificate-pending': 'certificate',
  'license-mismatch': 'license',
  'split-brain': 'split-brain',
  misconfiguration: 'pairing',
  'settings-mismatch': 'pairing',
  'clock-skew': 'pairing',
  'database-damaged': 'fault',
  'node-fault': 'fault',
};

export interface Notice {
  readonly kind: NoticeKind | 'summary';
  readonly topic: NoticeTopic;
  readonly title: string;
  readonly body: string;
  /** Where a click on it takes the dashboard. */
  readonly route: DashboardRoute;
}

export type Observation =
  | { readonly type: 'status'; readonly status: Status; readonly reason: string }
  | { readonly type: 'event'; readonly event: FailoverEvent }
  /** The node could not start, or stopped without being asked to. */
  | { readonly type: 'fault'; readonly reason: string };

export interface NodeIdentity {
  readonly nodeId: string;
  readonly name: string;
}

/** The default quiet time per topic. */
export const NOTICE_INTERVAL_MS = 30_000;

/** How old a split brain the peer recorded may be and still be news here (the peer's history comes again at every link-up). */
const FRESH_PEER_EVENT_MS = 60_000;

/**
 * What one observation means to an operator at this PC, or null when it is nothing to interrupt them for.
 * `now` (ms) tells a split brain the peer just recorded from one its history brings again.
 */
export function noticeFor(observation: Observation, self: NodeIdentity | null, now: number): Notice | null {
  switch (observation.type) {
    case 'status':
      return self ? statusNotice(observation.status, observation.reason, self) : null;
    case 'fault':
      return notice('node-fault', 'Tandem node is not running', observation.reason, 'overview');
    case 'event': {
      const { event } = observation;
      if (!self) return null;
      // Events replicated from the peer describe the peer; this PC's own events are the ones to show here.
      if (event.nodeId === self.nodeId) return eventNotice(event);
      // But a split brain is the pair's: only the node that stood down records it, this PC's node ran through
      // it too, and the conflict set to review is on both nodes.
      const fresh = now - Date.parse(event.at) <= FRESH_PEER_EVENT_MS;
      return event.kind === 'split-brain' && fresh ? eventNotice(event) : null;
    }
  }
}

function statusNotice(status: Status, reason: string, self: NodeIdentity): Notice | null {
  if (status !== 'active' && status !== 'standby') return null;
  const word = status === 'active' ? 'active (Running)' : 'standby';
  if (reason === 'restore window') {
    return notice(
      'restore-window',
      `Restore window: hand-over, this node is now ${word}`,
      `Pair ${self.name}: the scheduled restore window moved the active role.`,
      'history',
    );
  }
  return notice(status, `This node is now ${word}`, `Pair ${self.name}: ${reason}.`, 'overview');
}

function eventNotice(event: FailoverEvent): Notice | null {
  switch (event.kind) {
    case 'peer-lost':
      return notice(
        'peer-lost',
        'Peer lost',
        `The other node of the pair is gone: ${event.reason}.`,
        'overview',
      );
    case 'peer-regained':
      return notice(
        'peer-regained',
        'Peer back',
        `The other node of the pair is connected again.`,
        'overview',
      );
    case 'certificate-pending':
      return notice(
        'certificate-pending',
        'A certificate waits for approval',
        `${event.reason}. Compare the fingerprint with the other PC before approving.`,
        'certificates',
      );
    case 'license-mismatch':
      return notice('license-mismatch', 'Licenses do not match', event.reason, 'overview');
    case 'split-brain':
      return notice(
        'split-brain',
        'Split brain detected',
        `Both nodes were active${event.durationMs === null ? '' : ` for ${seconds(event.durationMs)}`}; ` +
          `${event.reason}. Review the conflict set.`,
        // The changes of the losing side wait there for an operator to re-apply or discard.
        'conflicts',
      );
    case 'switchover-failed':
      return notice('switchover-failed', 'Switch-over failed', event.reason, 'history');
    // The pair cannot work as configured, or works with surprises: each is recorded once per cause.
    case 'misconfiguration':
      return notice('misconfiguration', 'The two nodes cannot pair', `${event.reason}.`, 'overview');
    case 'settings-mismatch':
      return notice('settings-mismatch', 'Settings differ between the nodes', `${event.reason}.`, 'overview');
    case 'clock-skew':
      return notice('clock-skew', "The nodes' clocks differ", `${event.reason}.`, 'overview');
    case 'database-damaged':
      return notice('database-damaged', "This node's database is damaged", `${event.reason}.`, 'overview');
    case 'role-change':
      // The status change of this node says the same, with its reason; one notification is enough.
      return null;
    case 'certificate-approved':
    case 'certificate-rejected':
    case 'full-resync':
      return null;
    case 'device-fault':
    case 'device-recovered':
      // Device faults show as bad quality and in the history; a flapping field device must not flood the desktop.
      return null;
  }
}

function notice(kind: NoticeKind, title: string, body: string, route: DashboardRoute): Notice {
  return { kind, topic: TOPIC_OF[kind], title, body, route };
}

/** A duration as a notification says it: `850 ms`, `3.2 s`. */
export function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

/** The rate limit (notice-rate-limit.ts), one window per topic. `stop()` drops what is held (the app is quitting). */
export class NotificationRules {
  readonly #clock: Clock;
  readonly #limit: NoticeRateLimit<Notice>;

  constructor(clock: Clock, show: (notice: Notice) => void, intervalMs: number = NOTICE_INTERVAL_MS) {
    this.#clock = clock;
    this.#limit = new NoticeRateLimit({ clock, intervalMs, keyOf: (n) => n.topic, summarise, show });
  }

  observe(observation: Observation, self: NodeIdentity | null): void {
    const next = noticeFor(observation, self, this.#clock.now());
    if (next) this.offer(next);
  }

  offer(next: Notice): void {
    this.#limit.offer(next);
  }

  stop(): void {
    this.#limit.stop();
  }
}

/** Held notices as one: a single one as it was, several as "N more changes" ending with the latest. */
function summarise(held: readonly Notice[]): Notice {
  const latest = held[held.length - 1]!;
  if (held.length === 1) return latest;
  return {
    kind: 'summary',
    topic: latest.topic,
    title: `${held.length} more changes`,
    body: `Latest: ${latest.title}. ${latest.body}`,
    route: latest.route,
  };
}
