// Issue 14 items 6 and 7 on the desktop: a pairing that cannot work, settings that differ and clocks that
// differ are notifications of this PC's node (each is recorded once per cause, so they do not repeat).
import { describe, expect, it } from 'vitest';
import { noticeFor, TOPIC_OF } from '../../electron/main/notification-rules.ts';
import { failoverEvent } from './fixtures.ts';

const self = { nodeId: 'node-self', name: 'line-1' };
const NOW = Date.parse('2025-01-01T00:00:01.000Z');

describe('pairing notices', () => {
  it.each([
    [
      'misconfiguration: this node cannot pair, and says why',
      'misconfiguration',
      'both nodes run as master: a pair is one master and one backup',
      'The two nodes cannot pair',
    ],
    [
      'settings mismatch: the nodes do not share their timing',
      'settings-mismatch',
      "settings differ from the peer's: ping rate: 100 ms here, 150 ms on the peer",
      'Settings differ between the nodes',
    ],
    [
      'clock skew: the clocks differ by more than the bound',
      'clock-skew',
      "the peer's clock is 1 h 00 min 00 s ahead of this node's (± 1 ms), more than the 3000 ms bound",
      "The nodes' clocks differ",
    ],
  ] as const)('%s', (_what, kind, reason, title) => {
    const notice = noticeFor({ type: 'event', event: failoverEvent(kind, { reason }) }, self, NOW);
    expect(notice).toEqual({ kind, topic: 'pairing', title, body: `${reason}.`, route: 'overview' });
    expect(TOPIC_OF[kind]).toBe('pairing');
  });

  it("pairing notices: the peer's own record of it is not a notice on this PC", () => {
    const event = failoverEvent('clock-skew', { nodeId: 'node-peer' });
    expect(noticeFor({ type: 'event', event }, self, NOW)).toBeNull();
  });
});

describe('database notices', () => {
  it("damage the check after start found: a fault notice of this PC's node, with its line", () => {
    const reason =
      "database /srv/tandem/tandem.db is damaged: SQLite's integrity check after start found 1 problem";
    const notice = noticeFor(
      { type: 'event', event: failoverEvent('database-damaged', { reason }) },
      self,
      NOW,
    );
    expect(notice).toEqual({
      kind: 'database-damaged',
      topic: 'fault',
      title: "This node's database is damaged",
      body: `${reason}.`,
      route: 'overview',
    });
  });
});
