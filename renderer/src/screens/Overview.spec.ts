import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { DashboardState } from '../lib/dashboard-state.svelte.ts';
import { formatTime } from '../lib/format.ts';
import { FakeApi, FP_NODE, NOW, pending, problem, statusView } from '../test/fixtures.ts';
import Overview from './Overview.svelte';

async function loaded(api: FakeApi): Promise<DashboardState> {
  const dashboard = new DashboardState(api, { now: () => NOW });
  await dashboard.load();
  return dashboard;
}

describe('Overview', () => {
  it('shows a loading state until the status arrives', () => {
    const api = new FakeApi();
    api.status.mockReturnValue(pending());
    render(Overview, { dashboard: new DashboardState(api) });
    expect(screen.getByText('Loading status…')).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('shows this node and its peer side by side', async () => {
    const api = new FakeApi();
    render(Overview, { dashboard: await loaded(api) });

    expect(within(screen.getByTestId('node-status')).getByText('Running')).toBeInTheDocument();
    expect(within(screen.getByTestId('peer-status')).getByText('Standby')).toBeInTheDocument();
    const table = screen.getByRole('table');
    expect(within(table).getByRole('columnheader', { name: 'This node' })).toBeInTheDocument();
    expect(within(table).getByRole('columnheader', { name: 'Peer' })).toBeInTheDocument();
    expect(within(table).getByText('Master')).toBeInTheDocument();
    expect(within(table).getByText('Backup')).toBeInTheDocument();
    expect(screen.getByText('2 h 00 min')).toBeInTheDocument(); // uptime since 01:00, now 03:00
    expect(screen.getByText('2 h 30 min')).toBeInTheDocument(); // the peer's, since 00:30
    expect(within(table).getAllByText('Warm (polls, does not process)')).toHaveLength(2);
    expect(within(table).getAllByText('0.1.0')).toHaveLength(2);
    expect(screen.getByText('http://10.0.0.2:8088')).toBeInTheDocument();
    // Fingerprint in monospace groups of four.
    expect(screen.getByTestId('node-fingerprint')).toHaveTextContent(/^a1b2 c3d4 e5f6 0718 /);
    expect(screen.getByTestId('node-fingerprint').textContent?.replace(/\s/g, '')).toBe(FP_NODE);
    // License details and the comparison.
    expect(screen.getAllByText('modbus, history')).toHaveLength(2);
    expect(screen.getByTestId('license-match')).toHaveTextContent('Match');
    // Peer link.
    expect(screen.getByTestId('link-state')).toHaveTextContent('Connected');
    expect(screen.getByText('3 ms')).toBeInTheDocument();
    expect(
      screen.getByRole('img', { name: 'Heartbeat round trips, last 4: lowest 2 ms, highest 5 ms' }),
    ).toBeInTheDocument();
    expect(screen.getByTestId('sync-state')).toHaveTextContent(
      /Config change 42 here, 41 on the peer\s*\(catching up\)\s*Runtime lag 2 ms · 1,234 events replicated/,
    );
  });

  it('counts the config conflicts of a split in the sync state, linking the Conflicts screen', async () => {
    const api = new FakeApi();
    api.status.mockResolvedValue(statusView({ conflicts: 2 }));
    render(Overview, { dashboard: await loaded(api) });
    const link = screen.getByTestId('sync-conflicts');
    expect(link).toHaveTextContent('2 config conflicts to review');
    expect(link).toHaveAttribute('href', '#/conflicts');
  });

  it("clock skew: the peer link shows how far the peer's clock is off, marked while it is beyond the bound", async () => {
    const api = new FakeApi();
    api.status.mockResolvedValue(
      statusView({
        peer: { clockOffsetMs: -3_600_004, clockOffsetErrorMs: 2 },
        clockSkew: { offsetMs: -3_600_004, errorMs: 2, boundMs: 3000 },
      }),
    );
    render(Overview, { dashboard: await loaded(api) });
    const offset = screen.getByTestId('clock-offset');
    expect(offset).toHaveTextContent("1 h 00 min behind this node's (± 2 ms)");
    expect(offset).toHaveClass('warn-text');
  });

  it('shows the peer as Unreachable when the link is not connected, with the reason', async () => {
    const api = new FakeApi();
    api.status.mockResolvedValue(
      statusView({
        peer: { link: 'disconnected', linkReason: 'connection refused', status: 'standby', missedPings: 3 },
      }),
    );
    render(Overview, { dashboard: await loaded(api) });

    expect(within(screen.getByTestId('peer-status')).getByText('Unreachable')).toBeInTheDocument();
    expect(screen.getByTestId('link-state')).toHaveTextContent('Disconnected — connection refused');
    expect(screen.getByText('3')).toBeInTheDocument();
    // What the table shows of an unreachable peer is what it said while linked, and says so.
    expect(screen.getByTestId('peer-column')).toHaveTextContent('Peer (last known)');
  });

  it('lists the license differences on a mismatch', async () => {
    const api = new FakeApi();
    api.status.mockResolvedValue(
      statusView({ licenseMatch: 'mismatch', licenseDifferences: ['module "history" only on this node'] }),
    );
    render(Overview, { dashboard: await loaded(api) });

    expect(screen.getByTestId('license-match')).toHaveTextContent('Mismatch');
    expect(screen.getByText('module "history" only on this node')).toBeInTheDocument();
  });

  it('says when there is no peer (independent)', async () => {
    const api = new FakeApi();
    api.status.mockResolvedValue(statusView({ node: { mode: 'independent' }, peer: null }));
    render(Overview, { dashboard: await loaded(api) });

    expect(screen.getByText('No peer: this node runs independent')).toBeInTheDocument();
    expect(screen.queryByText('Peer link')).not.toBeInTheDocument();
  });

  it('shows an error with a retry when the status cannot be loaded', async () => {
    const api = new FakeApi();
    api.status.mockRejectedValue(
      problem({ status: 0, code: 'UNREACHABLE', message: 'the node is not answering' }),
    );
    render(Overview, { dashboard: await loaded(api) });

    const alert = screen.getByTestId('load-problem');
    expect(alert).toHaveTextContent("Could not load this node's status.");
    expect(alert).toHaveTextContent('UNREACHABLE');

    api.status.mockResolvedValue(statusView());
    within(alert).getByRole('button', { name: 'Try again' }).click();
    expect(await screen.findByTestId('license-match')).toBeInTheDocument();
  });

  it('keeps the last known state, marked stale, when the node stops answering', async () => {
    const api = new FakeApi();
    const dashboard = await loaded(api);
    api.status.mockRejectedValue(problem());
    await dashboard.refreshStatus();
    render(Overview, { dashboard });

    expect(screen.getByTestId('stale-note')).toHaveTextContent('Last known state');
    expect(within(screen.getByTestId('node-status')).getByText('Unreachable')).toBeInTheDocument();
  });

  it('operator switch-over: a standby node offers to take over, behind a confirmation', async () => {
    const api = new FakeApi();
    api.status.mockResolvedValue(
      statusView({ node: { status: 'standby', mode: 'backup' }, peer: { status: 'active', mode: 'master' } }),
    );
    render(Overview, { dashboard: await loaded(api) });
    const user = userEvent.setup();

    await user.click(screen.getByRole('button', { name: 'Switch over to this node' }));
    expect(api.switchover).not.toHaveBeenCalled();
    const dialog = screen.getByRole('dialog', { name: 'Switch over to this node?' });
    await user.click(within(dialog).getByRole('button', { name: 'Switch over' }));
    expect(api.switchover).toHaveBeenCalledTimes(1);
  });

  it('operator switch-over: the running node offers no switch-over to itself', async () => {
    render(Overview, { dashboard: await loaded(new FakeApi()) });
    expect(screen.queryByRole('button', { name: 'Switch over to this node' })).not.toBeInTheDocument();
  });
  it('rule 6: the confirmation says the master then holds standby, and why its automatic recovery waits', async () => {
    const api = new FakeApi();
    api.status.mockResolvedValue(
      statusView({
        node: { status: 'standby', mode: 'backup', recovery: 'automatic' },
        peer: { status: 'active', mode: 'master' },
      }),
    );
    render(Overview, { dashboard: await loaded(api) });
    await userEvent.setup().click(screen.getByRole('button', { name: 'Switch over to this node' }));

    const dialog = screen.getByRole('dialog', { name: 'Switch over to this node?' });
    expect(dialog).toHaveTextContent('This node becomes the running node and the master goes to standby.');
    expect(dialog).toHaveTextContent(
      'The master then stays standby until an operator switches back to it, or it is restarted: ' +
        'its automatic recovery does not take the role back meanwhile.',
    );
  });

  it('rule 6: on the backup, the hold the master keeps after a switch-over is named with its time', async () => {
    const heldSince = '2025-06-01T02:33:00Z';
    const api = new FakeApi();
    api.status.mockResolvedValue(
      statusView({
        node: { status: 'active', mode: 'backup' },
        peer: { status: 'standby', mode: 'master', heldSince },
      }),
    );
    render(Overview, { dashboard: await loaded(api) });
    expect(screen.getByTestId('switchover-hold')).toHaveTextContent(
      `An operator switched the pair to this node (the backup) at ${formatTime(heldSince)}: ` +
        'the master stays standby until an operator switches back or it is restarted.',
    );
  });

  it('rule 6: on the held master, the hold is named as its own', async () => {
    const heldSince = '2025-06-01T02:33:00Z';
    const api = new FakeApi();
    api.status.mockResolvedValue(
      statusView({
        node: { status: 'standby', mode: 'master', heldSince },
        peer: { status: 'active', mode: 'backup' },
      }),
    );
    render(Overview, { dashboard: await loaded(api) });
    expect(screen.getByTestId('switchover-hold')).toHaveTextContent(
      `An operator switched the pair to the backup at ${formatTime(heldSince)}: this node (the master) stays standby`,
    );
  });

  it('rule 6: no hold line while no operator holds the pair', async () => {
    render(Overview, { dashboard: await loaded(new FakeApi()) });
    expect(screen.queryByTestId('switchover-hold')).not.toBeInTheDocument();
  });
});
