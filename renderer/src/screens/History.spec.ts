import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { DashboardState } from '../lib/dashboard-state.svelte.ts';
import { FakeApi, failoverEvent, FP_PEER, pending, problem } from '../test/fixtures.ts';
import History from './History.svelte';

async function loaded(api: FakeApi): Promise<DashboardState> {
  const dashboard = new DashboardState(api);
  await dashboard.load();
  return dashboard;
}

describe('Failover history', () => {
  it('shows a loading state', () => {
    const api = new FakeApi();
    api.events.mockReturnValue(pending());
    render(History, { dashboard: new DashboardState(api) });
    expect(screen.getByText('Loading history…')).toBeInTheDocument();
  });

  it('shows the events newest first with time, kind, node, from → to, reason and duration', async () => {
    const api = new FakeApi();
    api.events.mockResolvedValue([
      failoverEvent({
        at: '2025-06-01T02:10:00Z',
        kind: 'split-brain',
        from: 'active',
        to: 'standby',
        reason: 'partition healed',
        durationMs: 125_000,
      }),
      failoverEvent({ at: '2025-06-01T02:00:00Z', kind: 'role-change', node: 'backup', durationMs: 12_400 }),
      failoverEvent({
        at: '2025-06-01T01:00:00Z',
        kind: 'peer-lost',
        from: null,
        to: null,
        durationMs: null,
      }),
    ]);
    render(History, { dashboard: await loaded(api) });

    const rows = screen.getAllByTestId('event-row');
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent('Dual active (split brain)');
    expect(rows[0]).toHaveTextContent('Running → Standby');
    expect(rows[0]).toHaveTextContent('partition healed');
    expect(rows[0]).toHaveTextContent('dual active 2 min 05 s');
    expect(rows[1]).toHaveTextContent('Backup');
    expect(rows[1]).toHaveTextContent('Standby → Running');
    expect(rows[1]).toHaveTextContent('no active node 12 s');
    expect(rows[2]).toHaveTextContent('Peer lost');
    expect(within(rows[0]!).getByText(/^2025-06-01 \d\d:10:00$/)).toHaveAttribute(
      'datetime',
      '2025-06-01T02:10:00Z',
    );
  });

  it('shows the empty state', async () => {
    render(History, { dashboard: await loaded(new FakeApi()) });
    expect(screen.getByTestId('history-empty')).toHaveTextContent('No events yet.');
  });

  it('shows an error with a retry', async () => {
    const api = new FakeApi();
    api.events.mockRejectedValue(
      problem({ status: 0, code: 'TIMEOUT', message: 'the node did not answer within 10 s' }),
    );
    render(History, { dashboard: await loaded(api) });
    expect(screen.getByTestId('load-problem')).toHaveTextContent('the node did not answer within 10 s');
  });

  it('filters by kind through the API', async () => {
    const user = userEvent.setup();
    const api = new FakeApi();
    api.events.mockResolvedValue([failoverEvent()]);
    render(History, { dashboard: await loaded(api) });

    api.events.mockResolvedValue([]);
    await user.selectOptions(screen.getByRole('combobox', { name: 'Kind' }), 'split-brain');
    expect(api.events).toHaveBeenLastCalledWith({ limit: 200, kinds: ['split-brain'] });
    expect(await screen.findByTestId('history-empty')).toHaveTextContent(
      'No “Dual active (split brain)” events.',
    );
  });

  it('adds a live event at the top', async () => {
    const api = new FakeApi();
    api.events.mockResolvedValue([failoverEvent({ at: '2025-06-01T01:00:00Z', reason: 'older' })]);
    const dashboard = await loaded(api);
    dashboard.start();
    render(History, { dashboard });

    api.handlers?.event(failoverEvent({ at: '2025-06-01T02:30:00Z', kind: 'peer-lost', reason: 'newest' }));
    await vi.waitFor(() => expect(screen.getAllByTestId('event-row')).toHaveLength(2));
    expect(screen.getAllByTestId('event-row')[0]).toHaveTextContent('newest');
    dashboard.stop();
  });

  it('exports CSV in the words of the screen ("Running", "Dual active"), made from all the events (issue 16)', async () => {
    const user = userEvent.setup();
    const api = new FakeApi();
    api.events.mockResolvedValue([
      failoverEvent({
        at: '2025-06-01T02:10:00Z',
        kind: 'split-brain',
        from: 'active',
        to: 'standby',
        reason: 'partition healed',
        durationMs: 1_200,
      }),
    ]);
    const createObjectURL = vi.fn((_blob: Blob) => 'blob:csv');
    const revokeObjectURL = vi.fn();
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL, revokeObjectURL }));
    let downloaded = '';
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      downloaded = this.download;
    });
    render(History, { dashboard: await loaded(api) });

    await user.click(screen.getByRole('button', { name: 'Export CSV' }));

    expect(api.events).toHaveBeenLastCalledWith({ limit: 100_000 });
    expect(api.eventsCsv).not.toHaveBeenCalled();
    expect(click).toHaveBeenCalledOnce();
    expect(downloaded).toBe('tandem-pump-station-4-events.csv');
    const text = await createObjectURL.mock.calls[0]![0].text();
    const [head, row] = text.replace(/^\uFEFF/, '').split('\r\n');
    expect(head).toMatch(/^Time \(.+\),Kind,Node,Node ID,From,To,Reason,Duration,Duration \(ms\)$/);
    expect(row).toMatch(
      /^2025-06-01 \d\d:10:00,Dual active \(split brain\),Master,node-aaaa,Running,Standby,partition healed,dual active 1\.2 s,1200$/,
    );
    vi.unstubAllGlobals();
  });

  it('shows a certificate fingerprint in a reason grouped as everywhere else', async () => {
    const api = new FakeApi();
    api.events.mockResolvedValue([
      failoverEvent({
        kind: 'certificate-pending',
        from: null,
        to: null,
        durationMs: null,
        reason: `certificate ${FP_PEER} (CN=Tandem line-1) waits for approval`,
      }),
    ]);
    render(History, { dashboard: await loaded(api) });
    const row = screen.getByTestId('event-row');
    const fingerprint = within(row).getByLabelText(/^SHA-256 fingerprint/);
    expect(fingerprint.textContent?.replace(/\s/g, '')).toBe(FP_PEER);
    expect(fingerprint).toHaveTextContent(/^0f1e 2d3c 4b5a 6978 /);
    expect(row).toHaveTextContent('(CN=Tandem line-1) waits for approval');
  });

  it('says when the export fails', async () => {
    const user = userEvent.setup();
    const api = new FakeApi();
    render(History, { dashboard: await loaded(api) });
    api.events.mockRejectedValue(problem({ message: 'the node is not answering' }));

    await user.click(screen.getByRole('button', { name: 'Export CSV' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Export failed: the node is not answering');
  });

  it('says the time zone of its times once, beside the title', async () => {
    render(History, { dashboard: await loaded(new FakeApi()) });
    expect(screen.getByTestId('time-zone')).toHaveTextContent(/^Times: 24-hour, UTC/);
  });
});
