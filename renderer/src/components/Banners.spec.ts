import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { DashboardState } from '../lib/dashboard-state.svelte.ts';
import { certificate, failoverEvent, FakeApi, FP_PEER, NOW, problem, statusView } from '../test/fixtures.ts';
import { formatClock } from '../lib/format.ts';
import Banners from './Banners.svelte';

async function loaded(api: FakeApi): Promise<DashboardState> {
  const dashboard = new DashboardState(api, { now: () => NOW });
  await dashboard.load();
  return dashboard;
}

describe('Banners', () => {
  it('shows nothing when all is well', async () => {
    render(Banners, { dashboard: await loaded(new FakeApi()) });
    expect(screen.queryByRole('region', { name: 'Needs attention' })).not.toBeInTheDocument();
  });

  it('warns when the peer is unreachable, with the link reason and the last heartbeat', async () => {
    const api = new FakeApi();
    api.status.mockResolvedValue(
      statusView({
        peer: {
          link: 'disconnected',
          linkReason: 'missed heartbeats',
          lastHeartbeatAt: '2025-06-01T02:59:30Z',
        },
      }),
    );
    render(Banners, { dashboard: await loaded(api) });

    const banner = screen.getByTestId('banner-peer-unreachable');
    expect(banner).toHaveTextContent('Peer unreachable.');
    expect(banner).toHaveTextContent('Link: Disconnected — missed heartbeats');
    expect(banner).toHaveTextContent('Last heartbeat 30 s ago');
  });

  it('misconfiguration: the banner says the two nodes cannot form a pair, and why', async () => {
    const api = new FakeApi();
    const reason = 'the master is in pair "line-1", the backup in "line-2": both need one --name';
    api.status.mockResolvedValue(
      statusView({ misconfiguration: reason, peer: { link: 'faulted', linkReason: reason, status: null } }),
    );
    render(Banners, { dashboard: await loaded(api) });

    const banner = screen.getByTestId('banner-misconfiguration');
    expect(banner).toHaveTextContent('The two nodes cannot form a pair.');
    expect(banner).toHaveTextContent(`${reason}. There is no redundancy, and both nodes may be running`);
    expect(screen.queryByTestId('banner-peer-unreachable')).not.toBeInTheDocument();
  });

  it('settings mismatch: the banner lists what differs', async () => {
    const api = new FakeApi();
    api.status.mockResolvedValue(
      statusView({ settingsDifferences: ['recovery: automatic here, manual on the peer'] }),
    );
    render(Banners, { dashboard: await loaded(api) });

    const banner = screen.getByTestId('banner-settings-mismatch');
    expect(banner).toHaveTextContent('Settings differ between the two nodes.');
    expect(within(banner).getByRole('listitem')).toHaveTextContent(
      'recovery: automatic here, manual on the peer',
    );
  });

  it("clock skew: the banner says how far the peer's clock is off, and which way", async () => {
    const api = new FakeApi();
    api.status.mockResolvedValue(
      statusView({ clockSkew: { offsetMs: 3_600_000 + 5, errorMs: 1, boundMs: 3000 } }),
    );
    render(Banners, { dashboard: await loaded(api) });

    const banner = screen.getByTestId('banner-clock-skew');
    expect(banner).toHaveTextContent("The peer's clock is 1 h 00 min ahead of this node's.");
    expect(banner).toHaveTextContent('More than 3.0 s apart.');
    expect(banner).toHaveTextContent('Set both machines to one time source (NTP).');
  });

  it("database damaged: an alert with the node's own line about it", async () => {
    const api = new FakeApi();
    const summary =
      "database /srv/tandem/tandem.db is damaged: SQLite's integrity check after start found 2 problems, " +
      'the first: "Tree 12 page 40: btreeInitPage() returns error code 11"; the full report is in the log';
    api.status.mockResolvedValue(statusView({ databaseDamage: summary }));
    render(Banners, { dashboard: await loaded(api) });

    const banner = screen.getByTestId('banner-database-damaged');
    expect(banner).toHaveAttribute('role', 'alert');
    expect(banner).toHaveTextContent("This node's database is damaged.");
    expect(banner).toHaveTextContent('found 2 problems, the first: "Tree 12 page 40');
  });

  it('asks for certificate approval when a certificate is pending, linking to the Certificates screen', async () => {
    const api = new FakeApi();
    api.certificates.mockResolvedValue([certificate({ state: 'pending' })]);
    render(Banners, { dashboard: await loaded(api) });

    const banner = screen.getByTestId('banner-certificate-pending');
    expect(banner).toHaveTextContent('Peer certificate waiting for approval.');
    expect(within(banner).getByRole('link', { name: 'Review certificates' })).toHaveAttribute(
      'href',
      '#/certificates',
    );
  });

  it('shows the certificate banner rather than "unreachable" while the link waits for approval', async () => {
    const api = new FakeApi();
    api.status.mockResolvedValue(statusView({ peer: { link: 'pending-approval', status: null } }));
    render(Banners, { dashboard: await loaded(api) });

    expect(screen.getByTestId('banner-certificate-pending')).toBeInTheDocument();
    expect(screen.queryByTestId('banner-peer-unreachable')).not.toBeInTheDocument();
  });

  it('after approving here, the banner says the link waits for the peer, not for this node (issue 16)', async () => {
    const api = new FakeApi();
    api.certificates.mockResolvedValue([certificate({ state: 'pending' })]);
    api.status.mockResolvedValue(
      statusView({
        peer: { link: 'pending-approval', linkReason: `approve peer certificate ${FP_PEER} on this node` },
      }),
    );
    const dashboard = await loaded(api);
    render(Banners, { dashboard });
    expect(screen.getByTestId('banner-certificate-pending')).toHaveTextContent(
      'Peer certificate waiting for approval.',
    );

    api.certificates.mockResolvedValue([certificate({ state: 'trusted' })]);
    api.status.mockResolvedValue(
      statusView({ peer: { link: 'pending-approval', linkReason: 'waiting for approval on the peer' } }),
    );
    expect(await dashboard.approveCertificate(FP_PEER)).toBe(true);

    const banner = await screen.findByText('Approved here; waiting for approval on the peer.');
    expect(banner.closest('[data-testid="banner-certificate-pending"]')).toHaveTextContent(
      "approves this node's certificate on the peer's Certificates screen: a1b2 c3d4 e5f6 0718 …",
    );
    expect(screen.queryByText('Peer certificate waiting for approval.')).not.toBeInTheDocument();
    // No success line beneath: the banner says where things stand.
    expect(dashboard.notice).toBeNull();
  });

  it('lists the differences on a license mismatch', async () => {
    const api = new FakeApi();
    api.status.mockResolvedValue(
      statusView({
        licenseMatch: 'mismatch',
        licenseDifferences: ['limit tags: 5000 here, 1000 on the peer'],
      }),
    );
    render(Banners, { dashboard: await loaded(api) });

    const banner = screen.getByTestId('banner-license-mismatch');
    expect(within(banner).getByRole('listitem')).toHaveTextContent('limit tags: 5000 here, 1000 on the peer');
  });

  it('offers "Switch back to master" on the standby master while the backup runs, behind a confirmation', async () => {
    const user = userEvent.setup();
    const api = new FakeApi();
    api.status.mockResolvedValue(
      statusView({ node: { mode: 'master', status: 'standby' }, peer: { mode: 'backup', status: 'active' } }),
    );
    const dashboard = await loaded(api);
    render(Banners, { dashboard });

    await user.click(screen.getByRole('button', { name: 'Switch back to master' }));
    const dialog = screen.getByRole('dialog', { name: 'Switch back to the master?' });
    expect(api.switchover).not.toHaveBeenCalled();

    api.status.mockResolvedValue(statusView());
    await user.click(within(dialog).getByRole('button', { name: 'Switch back to master' }));
    expect(api.switchover).toHaveBeenCalledOnce();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(dashboard.shownNotice).toMatchObject({
      tone: 'success',
      message: 'Switch-over done: this node is running.',
    });
    expect(screen.queryByTestId('banner-switch-back')).not.toBeInTheDocument();
  });

  it('reports a switch-over that did not complete', async () => {
    const user = userEvent.setup();
    const api = new FakeApi();
    api.status.mockResolvedValue(
      statusView({ node: { mode: 'master', status: 'standby' }, peer: { mode: 'backup', status: 'active' } }),
    );
    api.switchover.mockResolvedValue({ requested: true, status: 'standby' });
    const dashboard = await loaded(api);
    render(Banners, { dashboard });

    await user.click(screen.getByRole('button', { name: 'Switch back to master' }));
    await user.click(
      within(screen.getByRole('dialog')).getByRole('button', { name: 'Switch back to master' }),
    );
    expect(dashboard.notice?.tone).toBe('error');
    expect(dashboard.notice?.message).toContain('still standby');
  });

  it('on the running backup, points to the master instead of offering the button', async () => {
    const api = new FakeApi();
    api.status.mockResolvedValue(
      statusView({
        node: { mode: 'backup', status: 'active' },
        peer: { mode: 'master', status: 'standby', apiUrl: 'http://10.0.0.1:8088' },
      }),
    );
    render(Banners, { dashboard: await loaded(api) });

    const banner = screen.getByTestId('banner-switch-back-on-master');
    expect(banner).toHaveTextContent('http://10.0.0.1:8088');
    expect(within(banner).queryByRole('button')).not.toBeInTheDocument();
  });

  it('says how many config changes of a split wait for review, linking to the Conflicts screen', async () => {
    const api = new FakeApi();
    api.status.mockResolvedValue(statusView({ conflicts: 1 }));
    render(Banners, { dashboard: await loaded(api) });
    const banner = screen.getByTestId('banner-config-conflicts');
    expect(banner).toHaveTextContent('1 config change from a split waits for review.');
    expect(within(banner).getByRole('link', { name: 'Review conflicts' })).toHaveAttribute(
      'href',
      '#/conflicts',
    );
  });

  it('says so first when this node itself stops answering', async () => {
    const api = new FakeApi();
    api.status.mockResolvedValue(statusView({ peer: { link: 'faulted', linkReason: 'tls error' } }));
    const dashboard = await loaded(api);
    api.status.mockRejectedValue(problem());
    await dashboard.refreshStatus();
    render(Banners, { dashboard });

    const alerts = screen.getAllByTestId(/^banner-/);
    expect(alerts[0]).toHaveAttribute('data-testid', 'banner-node-unreachable');
    expect(alerts[0]).toHaveTextContent('This node is not answering.');
  });

  it('this node not answering: says so once, shows the pair as the partner sees it, and links its dashboard', async () => {
    const api = new FakeApi();
    api.status.mockRejectedValue(problem());
    const partner = new FakeApi();
    partner.status.mockResolvedValue(
      statusView({
        node: { mode: 'backup', status: 'active', nodeId: 'node-bbbb', apiUrl: 'http://10.0.0.2:8088' },
        peer: { mode: 'master', status: null, link: 'disconnected', lastHeartbeatAt: '2025-06-01T02:59:50Z' },
      }),
    );
    partner.events.mockResolvedValue([
      failoverEvent({
        nodeId: 'node-bbbb',
        node: 'backup',
        to: 'active',
        at: '2025-06-01T02:59:56Z',
        durationMs: 3000,
      }),
    ]);
    const dashboard = new DashboardState(api, {
      now: () => NOW,
      partner: { apiUrl: 'http://10.0.0.2:8088', api: partner },
    });
    await dashboard.load();
    await dashboard.pair!.poll();
    render(Banners, {
      dashboard,
      partnerHref: (apiUrl: string) => `${apiUrl}/#session=peer-1&user=ops`,
    });

    const banner = screen.getByTestId('banner-node-unreachable');
    expect(screen.getAllByText('This node is not answering.')).toHaveLength(1);
    expect(within(banner).getByTestId('pair-as-partner-sees-it')).toHaveTextContent(
      `The backup is running since ${formatClock(new Date('2025-06-01T02:59:56Z'))}, failover 3.0 s.`,
    );
    expect(banner).toHaveTextContent('its link to this node: disconnected');
    expect(banner).not.toHaveTextContent('stale');
    const link = within(banner).getByRole('link', { name: "Open the backup's dashboard" });
    expect(link).toHaveAttribute('href', 'http://10.0.0.2:8088/#session=peer-1&user=ops');
  });
});
