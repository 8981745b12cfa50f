import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../node-core/index.ts';
import { FleetNotifier, fleetNotice, type FleetNotice } from '../../electron/main/fleet-notices.ts';
import { fleetTrayPresentation } from '../../electron/main/fleet-tray.ts';
import { NOTICE_INTERVAL_MS } from '../../electron/main/notification-rules.ts';
import { fleet, pairs } from './fleet-views.ts';

const running = (...list: Parameters<typeof fleet>) => ({ phase: 'running' as const, fleet: fleet(...list) });

describe('the tray in Monitor pairs mode', () => {
  it('shows the worst state of everything watched: three pairs, one down, is a fault', () => {
    const shown = fleetTrayPresentation(
      running(pairs.healthy('line-1', 1), pairs.failedOver('line-2', 2), pairs.down('line-3', 3)),
      false,
    );
    expect(shown.state).toBe('fault');
    expect(shown.tooltip).toBe(
      'Tandem monitor: 3 pairs\n1 down, 1 failed over, 1 healthy\n! line-3: Down: neither node answers',
    );
    expect(shown.reasons).toEqual([
      'line-3: Down: neither node answers',
      'line-2: Failed over: the backup runs the plant',
    ]);
  });

  it.each([
    ['all healthy', [pairs.healthy('line-1'), pairs.healthy('line-2'), pairs.healthy('line-3')], 'active'],
    [
      'one failed over',
      [pairs.healthy('line-1'), pairs.failedOver('line-2'), pairs.healthy('line-3')],
      'attention',
    ],
    [
      'one still being read',
      [pairs.healthy('line-1'), pairs.reading('line-2'), pairs.healthy('line-3')],
      'attention',
    ],
  ] as const)('three pairs, %s: the tray shows %s', (_case, list, state) => {
    expect(fleetTrayPresentation(running(...list), false).state).toBe(state);
  });

  it('a monitor that cannot start is a fault, with its reason and a menu item to start it again', () => {
    const shown = fleetTrayPresentation({ phase: 'failed', reason: 'the monitor could not start: x' }, true);
    expect(shown.state).toBe('fault');
    expect(shown.tooltip).toBe('Tandem monitor\nNot watching\n! the monitor could not start: x');
    expect(shown.menu.filter((i) => i.kind === 'action').map((i) => i.label)).toEqual([
      'Open fleet dashboard',
      'Start the monitor again',
      'Start at login',
      'Quit Tandem',
    ]);
  });
});

describe('notifications in Monitor pairs mode', () => {
  it('a notification names the pair and what happened', () => {
    expect(fleetNotice('healthy', pairs.failedOver('line-2'))).toEqual({
      pairKey: 'line-2',
      title: 'line-2: Failed over',
      body: 'The backup runs the plant. Failover in 3 s: master lost (missed heartbeats). Before: healthy.',
    });
    expect(fleetNotice('failed-over', pairs.down('line-2'))).toMatchObject({
      title: 'line-2: Down',
      body: 'Neither node answers. Before: failed over.',
    });
  });

  it('no news: the same verdict, a pair still being read, or a healthy first reading', () => {
    expect(fleetNotice('healthy', pairs.healthy('line-1'))).toBeNull();
    expect(fleetNotice(null, pairs.reading('line-1'))).toBeNull();
    expect(fleetNotice(null, pairs.healthy('line-1'))).toBeNull();
    // A pair that is in trouble when the monitor first reads it is news.
    expect(fleetNotice(null, pairs.down('line-1'))).toMatchObject({ title: 'line-1: Down' });
  });

  it('rate-limited per pair: one at once, the changes of the quiet period as one after it, ending with the last state', () => {
    const clock = new ManualClock(1_000_000);
    const shown: FleetNotice[] = [];
    const notifier = new FleetNotifier(clock, (n) => shown.push(n));
    notifier.observe(fleet(pairs.reading('line-1', 1), pairs.reading('line-2', 2)));
    notifier.observe(fleet(pairs.healthy('line-1', 1), pairs.healthy('line-2', 2)));
    expect(shown).toEqual([]);

    notifier.observe(fleet(pairs.failedOver('line-1', 1), pairs.healthy('line-2', 2)));
    clock.advance(1000);
    notifier.observe(fleet(pairs.down('line-1', 1), pairs.healthy('line-2', 2)));
    clock.advance(1000);
    notifier.observe(fleet(pairs.healthy('line-1', 1), pairs.healthy('line-2', 2)));
    // Another pair has its own quiet period: its change is shown at once.
    notifier.observe(fleet(pairs.healthy('line-1', 1), pairs.down('line-2', 2)));
    expect(shown.map((n) => n.title)).toEqual(['line-1: Failed over', 'line-2: Down']);

    clock.advance(NOTICE_INTERVAL_MS - 2000);
    expect(shown.at(-1)).toEqual({
      pairKey: 'line-1',
      title: 'line-1: Healthy',
      body: 'The master runs the plant. 2 changes since the last notice; before: failed over.',
    });
    expect(shown).toHaveLength(3);
    // Quiet since: nothing more comes.
    clock.advance(NOTICE_INTERVAL_MS * 3);
    expect(shown).toHaveLength(3);
  });

  it('a single change held in the quiet period is shown as it was, when the period ends', () => {
    const clock = new ManualClock(1_000_000);
    const shown: FleetNotice[] = [];
    const notifier = new FleetNotifier(clock, (n) => shown.push(n), 5000);
    notifier.observe(fleet(pairs.healthy('line-1')));
    notifier.observe(fleet(pairs.down('line-1')));
    notifier.observe(fleet(pairs.failedOver('line-1')));
    expect(shown.map((n) => n.title)).toEqual(['line-1: Down']);
    clock.advance(4999);
    expect(shown).toHaveLength(1);
    clock.advance(1);
    expect(shown.map((n) => n.body)).toEqual([
      'Neither node answers. Before: healthy.',
      'The backup runs the plant. Failover in 3 s: master lost (missed heartbeats). Before: down.',
    ]);
  });

  it('stop() drops what is held and clears its timers (the app is quitting)', () => {
    const clock = new ManualClock(1_000_000);
    const shown: FleetNotice[] = [];
    const notifier = new FleetNotifier(clock, (n) => shown.push(n));
    notifier.observe(fleet(pairs.healthy('line-1')));
    notifier.observe(fleet(pairs.down('line-1')));
    notifier.observe(fleet(pairs.healthy('line-1')));
    notifier.stop();
    clock.advance(NOTICE_INTERVAL_MS * 2);
    expect(shown).toHaveLength(1);
  });
});
