import { describe, expect, it } from 'vitest';
import type { StatusView } from '../../../node-core/dto.ts';
import { FakeApi, failoverEvent, problem, statusView } from '../test/fixtures.ts';
import { DashboardState, mergeEvents, valueOf } from './dashboard-state.svelte.ts';

describe('DashboardState', () => {
  it('keeps a live status that arrived while an older HTTP answer was still out', async () => {
    const api = new FakeApi();
    let answer: (status: StatusView) => void = () => undefined;
    api.status.mockReturnValue(new Promise((resolve) => (answer = resolve)));
    const dashboard = new DashboardState(api);
    dashboard.start();

    api.handlers?.status(statusView({ node: { status: 'standby' } }));
    answer(statusView({ node: { status: 'active' } }));
    await Promise.resolve();
    await Promise.resolve();

    expect(valueOf(dashboard.status)?.node.status).toBe('standby');
    dashboard.stop();
  });

  it('keeps the last known status, marked as an error, when the polling fallback cannot reach the node', async () => {
    const api = new FakeApi();
    const dashboard = new DashboardState(api);
    await dashboard.load();
    dashboard.start();
    api.handlers?.error(problem());

    expect(dashboard.status.kind).toBe('error');
    expect(valueOf(dashboard.status)?.node.name).toBe('pump-station-4');
    dashboard.stop();
  });

  it('fetches the history and certificates again when the live connection comes back after a gap', async () => {
    const api = new FakeApi();
    const dashboard = new DashboardState(api);
    dashboard.start();
    await Promise.resolve();
    const calls = () => [api.events.mock.calls.length, api.certificates.mock.calls.length];
    api.handlers?.connection({ state: 'live', since: 0 });
    const before = calls();

    api.handlers?.connection({ state: 'unavailable', reason: 'closed', retryAt: 0, attempt: 1 });
    api.handlers?.connection({ state: 'live', since: 1 });

    expect(calls()).toEqual([before[0]! + 1, before[1]! + 1]);
    dashboard.stop();
    expect(api.liveClosed).toHaveBeenCalledOnce();
  });

  it('refreshes the certificates when a certificate event arrives', async () => {
    const api = new FakeApi();
    const dashboard = new DashboardState(api);
    dashboard.start();
    const before = api.certificates.mock.calls.length;
    api.handlers?.event(failoverEvent({ kind: 'certificate-pending' }));
    expect(api.certificates.mock.calls.length).toBe(before + 1);
    await dashboard.load();
    dashboard.stop();
  });
});

describe('DashboardState: a partner read from when its session comes (the admin token)', () => {
  it('a partner given while started is read at once; one given before the start, at the start', () => {
    const api = new FakeApi();
    const partner = new FakeApi();
    const dashboard = new DashboardState(api);
    dashboard.start();
    expect(dashboard.pair).toBeNull();
    dashboard.watchPartner({ apiUrl: 'http://10.0.0.2:8088', api: partner });
    expect(dashboard.pair?.apiUrl).toBe('http://10.0.0.2:8088');
    expect(partner.status).toHaveBeenCalledTimes(1);
    dashboard.stop();

    const later = new FakeApi();
    const waiting = new DashboardState(new FakeApi());
    waiting.watchPartner({ apiUrl: 'http://10.0.0.3:8088', api: later });
    expect(later.status).not.toHaveBeenCalled();
    waiting.start();
    expect(later.status).toHaveBeenCalledTimes(1);
    waiting.stop();
  });

  it('tells when the peer link connects: at the first status that shows it, then after each time it was down', () => {
    const api = new FakeApi();
    let linked = 0;
    const dashboard = new DashboardState(api, { peerLinked: () => (linked += 1) });
    dashboard.start();
    const withLink = (link: 'connected' | 'disconnected') => statusView({ peer: { link } });
    api.handlers?.status(withLink('connected'));
    api.handlers?.status(withLink('connected'));
    expect(linked).toBe(1);
    api.handlers?.status(withLink('disconnected'));
    api.handlers?.status(withLink('connected'));
    expect(linked).toBe(2);
    dashboard.stop();
  });
});

describe('mergeEvents', () => {
  const older = failoverEvent({ id: 'a', at: '2025-06-01T01:00:00Z' });
  const newer = failoverEvent({ id: 'b', at: '2025-06-01T02:00:00Z', kind: 'peer-lost' });

  it("a switch-over's success is not shown once the status says this node is no longer running", async () => {
    const api = new FakeApi();
    api.status.mockResolvedValue(statusView({ node: { status: 'standby', mode: 'backup' } }));
    const dashboard = new DashboardState(api);
    await dashboard.load();
    dashboard.start();
    api.status.mockResolvedValue(statusView({ node: { status: 'active', mode: 'backup' } }));

    await dashboard.switchover();
    expect(dashboard.shownNotice?.message).toBe('Switch-over done: this node is running.');

    api.handlers?.status(statusView({ node: { status: 'standby', mode: 'backup' } }));
    expect(dashboard.shownNotice).toBeNull();
    dashboard.stop();
  });

  it('a switch-over that failed says so, even when a failover made this node active after it', async () => {
    const api = new FakeApi();
    api.status.mockResolvedValue(statusView({ node: { status: 'standby', mode: 'backup' } }));
    const dashboard = new DashboardState(api);
    await dashboard.load();
    api.switchover.mockResolvedValue({
      requested: true,
      status: 'active',
      outcome: 'failed',
      reason: 'operator request: link lost',
    });

    expect(await dashboard.switchover()).toBe(false);
    expect(dashboard.shownNotice?.tone).toBe('error');
    expect(dashboard.shownNotice?.message).toBe(
      'Switch-over failed (operator request: link lost), but this node is running: it took over when its peer ' +
        'stopped answering. See the failover history.',
    );

    api.switchover.mockResolvedValue({ requested: true, status: 'standby', outcome: 'pending' });
    await dashboard.switchover();
    expect(dashboard.shownNotice?.message).toBe(
      'Switch-over requested, but this node is still standby. See the failover history.',
    );
  });

  it('puts new events in time order, newest first, without duplicates, within the limit', () => {
    expect(mergeEvents([older], [newer, older], 'all', 10).map((e) => e.id)).toEqual(['b', 'a']);
    expect(mergeEvents([older], [newer], 'all', 1).map((e) => e.id)).toEqual(['b']);
  });

  it('leaves out events the filter excludes, answering the same list', () => {
    const list = [older];
    expect(mergeEvents(list, [newer], 'role-change', 10)).toBe(list);
  });
});
