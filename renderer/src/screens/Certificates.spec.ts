import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { DashboardState } from '../lib/dashboard-state.svelte.ts';
import { certificate, FakeApi, FP_OTHER, FP_PEER, pending, problem, statusView } from '../test/fixtures.ts';
import Certificates from './Certificates.svelte';

async function loaded(api: FakeApi): Promise<DashboardState> {
  const dashboard = new DashboardState(api);
  await dashboard.load();
  return dashboard;
}

function withPending(api: FakeApi): void {
  api.certificates.mockResolvedValue([
    certificate({ state: 'pending' }),
    certificate({ fingerprint: FP_OTHER, state: 'rejected', subject: 'CN=intruder' }),
  ]);
}

describe('Certificates', () => {
  it('shows a loading state', () => {
    const api = new FakeApi();
    api.certificates.mockReturnValue(pending());
    render(Certificates, { dashboard: new DashboardState(api) });
    expect(screen.getByText('Loading certificates…')).toBeInTheDocument();
  });

  it('groups certificates by state with fingerprint, subject, validity and first seen', async () => {
    const api = new FakeApi();
    withPending(api);
    render(Certificates, { dashboard: await loaded(api) });

    const pendingSection = screen.getByRole('region', { name: /Pending approval/ });
    const row = within(pendingSection).getByTestId('certificate-row');
    expect(row).toHaveTextContent('0f1e 2d3c 4b5a 6978');
    expect(row).toHaveTextContent('CN=pump-station-4 backup');
    expect(row).toHaveTextContent(/2025-05-0\d – 2035-05-0\d/);
    expect(within(row).getByRole('button', { name: /Approve certificate 0f1e2d3c/ })).toBeEnabled();

    const rejected = screen.getByRole('region', { name: /Rejected/ });
    expect(within(rejected).getByText('CN=intruder')).toBeInTheDocument();
    expect(within(rejected).queryByRole('button')).not.toBeInTheDocument();
    expect(
      within(screen.getByRole('region', { name: /Trusted/ })).getByText(
        'No peer certificate is trusted yet.',
      ),
    ).toBeInTheDocument();
  });

  it('shows the empty state when no certificate has been seen', async () => {
    render(Certificates, { dashboard: await loaded(new FakeApi()) });
    expect(screen.getByTestId('certificates-empty')).toBeInTheDocument();
  });

  it('shows an error with a retry', async () => {
    const api = new FakeApi();
    api.certificates.mockRejectedValue(problem({ status: 500, code: 'ERROR', message: 'database locked' }));
    render(Certificates, { dashboard: await loaded(api) });
    expect(screen.getByTestId('load-problem')).toHaveTextContent('database locked');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });

  it('shows this node’s own fingerprint for the operator at the peer', async () => {
    render(Certificates, { dashboard: await loaded(new FakeApi()) });
    expect(screen.getByRole('region', { name: "This node's certificate" })).toHaveTextContent('a1b2 c3d4');
  });

  it('approves only after the confirmation, which shows the fingerprint to compare', async () => {
    const user = userEvent.setup();
    const api = new FakeApi();
    withPending(api);
    render(Certificates, { dashboard: await loaded(api) });

    await user.click(screen.getByRole('button', { name: /Approve certificate/ }));
    const dialog = screen.getByRole('dialog', { name: 'Approve this peer certificate?' });
    expect(within(dialog).getByTestId('dialog-fingerprint').textContent?.replace(/\s/g, '')).toBe(FP_PEER);
    expect(api.approveCertificate).not.toHaveBeenCalled();

    // Focus starts on Cancel; Approve waits for the fingerprint to be compared.
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    const approve = within(dialog).getByRole('button', { name: 'Approve' });
    expect(approve).toBeDisabled();
    await user.click(within(dialog).getByRole('checkbox', { name: /I compared the fingerprint/ }));
    expect(approve).toBeEnabled();

    api.certificates.mockResolvedValue([certificate({ state: 'trusted' })]);
    await user.click(approve);

    expect(api.approveCertificate).toHaveBeenCalledWith(FP_PEER);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    const trusted = await screen.findByRole('region', { name: /Trusted \(1\)/ });
    expect(trusted).toHaveTextContent('0f1e 2d3c');
  });

  it('cancelling the confirmation (button or Escape) decides nothing', async () => {
    const user = userEvent.setup();
    const api = new FakeApi();
    withPending(api);
    render(Certificates, { dashboard: await loaded(api) });

    const opener = screen.getByRole('button', { name: /Approve certificate/ });
    await user.click(opener);
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(opener).toHaveFocus();

    await user.click(screen.getByRole('button', { name: /Reject certificate/ }));
    expect(screen.getByRole('dialog')).toHaveTextContent('A rejected certificate stays rejected.');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(api.approveCertificate).not.toHaveBeenCalled();
    expect(api.rejectCertificate).not.toHaveBeenCalled();
  });

  it('rejects after confirmation', async () => {
    const user = userEvent.setup();
    const api = new FakeApi();
    withPending(api);
    render(Certificates, { dashboard: await loaded(api) });

    await user.click(screen.getByRole('button', { name: /Reject certificate/ }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Reject' }));
    expect(api.rejectCertificate).toHaveBeenCalledWith(FP_PEER);
  });

  it('keeps the dialog open and says why when the approval fails', async () => {
    const user = userEvent.setup();
    const api = new FakeApi();
    withPending(api);
    api.approveCertificate.mockRejectedValue(
      problem({ status: 404, code: 'NOT_FOUND', message: 'no certificate' }),
    );
    const dashboard = await loaded(api);
    render(Certificates, { dashboard });

    await user.click(screen.getByRole('button', { name: /Approve certificate/ }));
    await user.click(screen.getByRole('checkbox'));
    await user.click(screen.getByRole('button', { name: 'Approve' }));

    expect(screen.getByRole('dialog')).toBeInTheDocument();
    expect(dashboard.notice).toMatchObject({
      tone: 'error',
      message: 'Could not approve the certificate: no certificate',
    });
  });

  it('shows the peer as pending when the status says so even before the list catches up', async () => {
    const api = new FakeApi();
    api.status.mockResolvedValue(statusView({ peer: { link: 'pending-approval', status: null } }));
    const dashboard = await loaded(api);
    expect(dashboard.banners.map((b) => b.kind)).toEqual(['certificate-pending']);
  });
});
