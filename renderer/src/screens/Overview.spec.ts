import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { DashboardState } from '../lib/dashboard-state.svelte.ts';
import { formatTime } from '../lib/format.ts';
import {
  alarmView,
  certificate,
  FakeApi,
  FP_NODE,
  FP_PEER,
  NOW,
  pending,
  problem,
  statusView,
} from '../test/fixtures.ts';
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
      /Config change 42 here, 41 on the peer\s*\(catching up\)\s*The last runtime change reached the peer in 2 ms; 1,234 failover events replicated\./,
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

  describe('issue 16: the pair at a glance', () => {
    it('one line at the top says the pair is healthy, with the link, the license and the alarms beside it', async () => {
      render(Overview, { dashboard: await loaded(new FakeApi()) });
      const health = screen.getByRole('region', { name: 'Pair health' });
      expect(within(health).getByTestId('health-line')).toHaveTextContent(
        'Pair healthy: master running, backup ready',
      );
      expect(health).toHaveClass('tone-good');
      expect(within(health).getByTestId('glance-link')).toHaveTextContent('Connected');
      expect(within(health).getByTestId('glance-license')).toHaveTextContent('Match');
      expect(within(health).getByTestId('glance-alarms')).toHaveTextContent('none unacknowledged');
      // It comes first: before the nodes' table.
      expect(health.compareDocumentPosition(screen.getByRole('region', { name: 'Nodes' }))).toBe(
        Node.DOCUMENT_POSITION_FOLLOWING,
      );
      expect(screen.getByTestId('time-zone')).toHaveTextContent(/^Times: 24-hour, UTC/);
    });

    it('running on the backup since it took over, the master not answering', async () => {
      const api = new FakeApi();
      api.status.mockResolvedValue(
        statusView({
          node: { mode: 'backup', status: 'active', nodeId: 'node-aaaa' },
          peer: { mode: 'master', status: 'active', link: 'disconnected' },
        }),
      );
      api.events.mockResolvedValue([
        {
          id: 'e1',
          at: '2025-06-01T02:33:00Z',
          kind: 'role-change',
          node: 'backup',
          nodeId: 'node-aaaa',
          from: 'standby',
          to: 'active',
          reason: 'missed heartbeats',
          durationMs: 3100,
        },
      ]);
      render(Overview, { dashboard: await loaded(api) });
      const health = screen.getByRole('region', { name: 'Pair health' });
      expect(screen.getByTestId('health-line')).toHaveTextContent(
        `Running on the backup since ${formatTime('2025-06-01T02:33:00Z')} — master not answering.`,
      );
      expect(health).toHaveClass('tone-bad');
      expect(within(health).getByTestId('glance-link')).toHaveTextContent('Disconnected');
    });

    it('unacknowledged alarms are listed on the Overview, most urgent first, linking the Alarms screen', async () => {
      const api = new FakeApi();
      api.alarms.mockResolvedValue([
        alarmView({
          id: 'tank.low',
          active: true,
          activatedAt: '2025-06-01T02:00:00Z',
          rule: { tag: 't', condition: 'low', threshold: 1, deadband: 0, priority: 'medium' },
        }),
        alarmView({
          id: 'boiler.hot',
          active: true,
          activatedAt: '2025-06-01T02:40:00Z',
          rule: { tag: 'b', condition: 'high', threshold: 90, deadband: 0, priority: 'critical' },
        }),
        alarmView({
          id: 'door.open',
          activatedAt: '2025-06-01T01:00:00Z',
          clearedAt: '2025-06-01T01:10:00Z',
        }),
        alarmView({
          id: 'acked',
          active: true,
          acked: true,
          ackedBy: 'x',
          activatedAt: '2025-06-01T01:00:00Z',
          ackedAt: '2025-06-01T01:01:00Z',
        }),
        alarmView({ id: 'quiet' }),
      ]);
      render(Overview, { dashboard: await loaded(api) });

      // The active ones counted as the navigation's badge counts them, the cleared ones beside.
      expect(screen.getByTestId('glance-alarms')).toHaveTextContent('2 unacknowledged (+1 cleared)');
      const panel = screen.getByRole('region', { name: /Unacknowledged alarms/ });
      expect(
        within(panel)
          .getAllByRole('listitem')
          .map((li) => li.textContent?.replace(/\s+/g, ' ').trim()),
      ).toEqual([
        `Critical boiler.hot Active, unacknowledged raised ${formatTime('2025-06-01T02:40:00Z')}`,
        `Medium tank.low Active, unacknowledged raised ${formatTime('2025-06-01T02:00:00Z')}`,
        `Medium door.open Cleared, unacknowledged raised ${formatTime('2025-06-01T01:00:00Z')}`,
      ]);
      expect(within(panel).getByRole('link', { name: 'Acknowledge on the Alarms screen' })).toHaveAttribute(
        'href',
        '#/alarms',
      );
    });

    it('no alarm panel while every alarm is acknowledged', async () => {
      render(Overview, { dashboard: await loaded(new FakeApi()) });
      expect(screen.queryByRole('region', { name: /Unacknowledged alarms/ })).not.toBeInTheDocument();
    });

    it('License "Match" is not green when neither node has a license', async () => {
      const api = new FakeApi();
      api.status.mockResolvedValue(
        statusView({ node: { license: { state: 'missing' } }, peer: { license: { state: 'missing' } } }),
      );
      render(Overview, { dashboard: await loaded(api) });
      const match = screen.getByTestId('license-match');
      expect(match).toHaveTextContent('Match');
      expect(match).not.toHaveClass('tone-good');
      expect(match).toHaveClass('tone-warn');
      expect(screen.getByTestId('license-explanation')).toHaveTextContent(
        'Neither node has a license installed.',
      );
      expect(screen.getByTestId('glance-license')).toHaveTextContent('none on either node');
    });

    it('a peer that answers but waits for approval is "Awaiting approval", not red "Unreachable"; its fingerprint grouped', async () => {
      const api = new FakeApi();
      api.status.mockResolvedValue(
        statusView({
          peer: {
            link: 'pending-approval',
            linkReason: `approve peer certificate ${FP_PEER} on this node`,
            status: null,
          },
        }),
      );
      api.certificates.mockResolvedValue([certificate({ state: 'pending' })]);
      render(Overview, { dashboard: await loaded(api) });

      const pill = within(screen.getByTestId('peer-status')).getByText('Awaiting approval');
      expect(pill).toHaveClass('tone-warn');
      expect(screen.queryByText('Unreachable')).not.toBeInTheDocument();
      const reason = within(screen.getByTestId('link-state')).getByLabelText(/^SHA-256 fingerprint/);
      expect(reason).toHaveTextContent(/^0f1e 2d3c 4b5a 6978 /);
      expect(screen.getByTestId('health-line')).toHaveTextContent(
        'Needs attention: the peer link waits for certificate approval on this node',
      );
    });

    it('the replication line is a sentence before any runtime change', async () => {
      const api = new FakeApi();
      const status = statusView();
      api.status.mockResolvedValue({
        ...status,
        sync: { ...status.sync, runtimeLagMs: null, eventsReplicated: 1 },
      });
      render(Overview, { dashboard: await loaded(api) });
      expect(screen.getByTestId('replication')).toHaveTextContent(
        'No runtime change has been sent to the peer yet; 1 failover event replicated.',
      );
    });
  });
});
