import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../node-core/index.ts';
import {
  NOTICE_INTERVAL_MS,
  NotificationRules,
  noticeFor,
  type Notice,
  type Observation,
} from '../../electron/main/notification-rules.ts';
import { failoverEvent } from './fixtures.ts';

const self = { nodeId: 'node-self', name: 'line-1' };
/** The fixtures' events happen at 2025-01-01T00:00:00Z; "now" is a second later. */
const NOW = Date.parse('2025-01-01T00:00:01.000Z');
const status = (
  s: 'active' | 'standby' | 'starting' | 'stopping',
  reason = 'operator request',
): Observation => ({
  type: 'status',
  status: s,
  reason,
});
const event = (...args: Parameters<typeof failoverEvent>): Observation => ({
  type: 'event',
  event: failoverEvent(...args),
});

function rig(): { clock: ManualClock; shown: Notice[]; rules: NotificationRules } {
  const clock = new ManualClock(1_000_000);
  const shown: Notice[] = [];
  return { clock, shown, rules: new NotificationRules(clock, (n) => shown.push(n)) };
}

describe('what becomes a notification', () => {
  it.each<[string, Observation, string | null]>([
    ['this node becomes active', status('active', 'missed heartbeats'), 'active'],
    ['this node becomes standby', status('standby', 'manual recovery: backup is active'), 'standby'],
    ['a restore-window hand-over (to active)', status('active', 'restore window'), 'restore-window'],
    ['a restore-window hand-over (to standby)', status('standby', 'restore window'), 'restore-window'],
    ['the peer is lost', event('peer-lost'), 'peer-lost'],
    ['the peer is back', event('peer-regained'), 'peer-regained'],
    [
      'a certificate waits for approval',
      event('certificate-pending', { reason: 'certificate ab12 waits' }),
      'certificate-pending',
    ],
    ['licenses mismatch', event('license-mismatch', { reason: 'modules differ' }), 'license-mismatch'],
    [
      'a split brain is detected',
      event('split-brain', { durationMs: 4200, reason: 'partition healed' }),
      'split-brain',
    ],
    ['a switch-over fails', event('switchover-failed'), 'switchover-failed'],
    ['the node fails', { type: 'fault', reason: 'the node stopped unexpectedly' }, 'node-fault'],
    ['starting (not news)', status('starting'), null],
    ['stopping (the operator asked)', status('stopping'), null],
    ['a role-change event (the status change says it)', event('role-change', { to: 'active' }), null],
    ['an approved certificate', event('certificate-approved'), null],
  ])('%s', (_name, observation, kind) => {
    expect(noticeFor(observation, self, NOW)?.kind ?? null).toBe(kind);
  });

  it('ignores events replicated from the peer: they describe the peer, not this PC', () => {
    expect(noticeFor(event('peer-lost', { nodeId: 'node-peer' }), self, NOW)).toBeNull();
    expect(noticeFor(event('role-change', { nodeId: 'node-peer', to: 'standby' }), self, NOW)).toBeNull();
  });

  it('shows a split brain the peer just recorded: this PC ran through it too, and the conflict set is on both nodes', () => {
    const split = event('split-brain', { nodeId: 'node-peer', durationMs: 4200, reason: 'partition healed' });
    expect(noticeFor(split, self, NOW)?.route).toBe('conflicts');
    // The peer's history comes again at every link-up: an old split brain is no news.
    expect(noticeFor(split, self, NOW + 60_000)).toBeNull();
  });

  it('says what happened and where to look', () => {
    const split = noticeFor(
      event('split-brain', { durationMs: 4200, reason: 'partition healed' }),
      self,
      NOW,
    )!;
    expect(split.title).toBe('Split brain detected');
    expect(split.body).toContain('4.2 s');
    expect(split.route).toBe('conflicts');
    const cert = noticeFor(
      event('certificate-pending', { reason: 'certificate ab12 (CN=x) waits for approval' }),
      self,
      NOW,
    )!;
    expect(cert.body).toContain('ab12');
    expect(cert.route).toBe('certificates');
    expect(noticeFor(status('active', 'missed heartbeats'), self, NOW)!.title).toBe(
      'This node is now active (Running)',
    );
  });
});

describe('rate limit (ManualClock)', () => {
  it('shows the first notice of a topic at once', () => {
    const { shown, rules } = rig();
    rules.observe(event('peer-lost'), self);
    expect(shown.map((n) => n.kind)).toEqual(['peer-lost']);
  });

  it('a flapping link does not flood: one now, one summary when the window closes, with the latest state', () => {
    const { clock, shown, rules } = rig();
    for (let i = 0; i < 10; i++) {
      rules.observe(event('peer-lost'), self);
      clock.advance(1000);
      rules.observe(event('peer-regained'), self);
      clock.advance(1000);
    }
    // 20 s in: only the first one is on the desktop.
    expect(shown.map((n) => n.kind)).toEqual(['peer-lost']);
    clock.advance(NOTICE_INTERVAL_MS - 20_000);
    expect(shown).toHaveLength(2);
    expect(shown[1]).toMatchObject({ kind: 'summary', title: '19 more changes' });
    expect(shown[1]!.body).toContain('Latest: Peer back');
    // Quiet afterwards: nothing more, and the next change shows at once again.
    clock.advance(NOTICE_INTERVAL_MS * 3);
    expect(shown).toHaveLength(2);
    rules.observe(event('peer-lost'), self);
    expect(shown).toHaveLength(3);
  });

  it('a flap that goes on gives one notification per topic per interval', () => {
    const { clock, shown, rules } = rig();
    for (let second = 0; second < 300; second++) {
      rules.observe(event(second % 2 === 0 ? 'peer-lost' : 'peer-regained'), self);
      clock.advance(1000);
    }
    expect(shown.length).toBeLessThanOrEqual(300_000 / NOTICE_INTERVAL_MS + 1);
    expect(shown.length).toBeGreaterThanOrEqual(300_000 / NOTICE_INTERVAL_MS - 1);
  });

  it('a single held notice is shown as itself, not as "1 more change"', () => {
    const { clock, shown, rules } = rig();
    rules.observe(event('peer-lost'), self);
    clock.advance(5000);
    rules.observe(event('peer-regained'), self);
    expect(shown).toHaveLength(1);
    clock.advance(NOTICE_INTERVAL_MS);
    expect(shown.map((n) => n.kind)).toEqual(['peer-lost', 'peer-regained']);
  });

  it('limits each topic on its own: a flapping link does not hold back a split brain', () => {
    const { shown, rules } = rig();
    rules.observe(event('peer-lost'), self);
    rules.observe(event('peer-regained'), self);
    rules.observe(event('split-brain'), self);
    rules.observe(status('active', 'partition healed'), self);
    expect(shown.map((n) => n.kind)).toEqual(['peer-lost', 'split-brain', 'active']);
  });

  it('stop() drops what is held and clears its timers', () => {
    const { clock, shown, rules } = rig();
    rules.observe(event('peer-lost'), self);
    rules.observe(event('peer-regained'), self);
    rules.stop();
    clock.advance(NOTICE_INTERVAL_MS * 2);
    rules.observe(event('peer-lost'), self);
    expect(shown.map((n) => n.kind)).toEqual(['peer-lost']);
  });

  it('takes its interval from the caller', () => {
    const clock = new ManualClock();
    const shown: Notice[] = [];
    const rules = new NotificationRules(clock, (n) => shown.push(n), 5000);
    rules.observe(event('peer-lost'), self);
    rules.observe(event('peer-regained'), self);
    clock.advance(4999);
    expect(shown).toHaveLength(1);
    clock.advance(1);
    expect(shown).toHaveLength(2);
  });
});
