import { cleanup, render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import { DashboardState } from './lib/dashboard-state.svelte.ts';
import { Router } from './lib/router.svelte.ts';
import { alarmView, certificate, FakeApi, problem, statusView } from './test/fixtures.ts';

function router(hash = '#/overview'): Router {
  window.location.hash = hash;
  const r = new Router();
  r.start(window);
  return r;
}

describe('App', () => {
  it('asks for the sign-in link when the page has no token', () => {
    render(App, { dashboard: null, router: router() });
    expect(screen.getByTestId('signed-out')).toHaveTextContent('Not signed in');
    expect(screen.queryByRole('navigation')).not.toBeInTheDocument();
  });

  it('navigates between screens with plain links, marking the current one', async () => {
    const api = new FakeApi();
    api.certificates.mockResolvedValue([certificate({ state: 'pending' })]);
    const dashboard = new DashboardState(api);
    await dashboard.load();
    const r = router('#/overview');
    render(App, { dashboard, router: r });

    const nav = screen.getByRole('navigation', { name: 'Screens' });
    expect(within(nav).getByRole('link', { name: 'Overview' })).toHaveAttribute('aria-current', 'page');
    expect(within(nav).getByRole('link', { name: /Certificates/ })).toHaveTextContent('1');
    expect(screen.getByRole('heading', { level: 1, name: 'Overview' })).toBeInTheDocument();

    window.location.hash = '#/history';
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Failover history' })).toBeInTheDocument();
    expect(within(nav).getByRole('link', { name: 'Failover history' })).toHaveAttribute(
      'aria-current',
      'page',
    );

    window.location.hash = '#/certificates';
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Certificates' })).toBeInTheDocument();
    r.stop();
  });

  it('has Tags and Alarms screens; the Alarms link counts unacknowledged active alarms', async () => {
    const api = new FakeApi();
    api.alarms.mockResolvedValue([
      alarmView({ id: 'a', active: true }),
      alarmView({ id: 'b', active: true }),
      alarmView({ id: 'c', active: true, acked: true }),
    ]);
    const dashboard = new DashboardState(api);
    await dashboard.load();
    const r = router('#/tags');
    render(App, { dashboard, router: r });

    const nav = screen.getByRole('navigation', { name: 'Screens' });
    expect(await screen.findByRole('heading', { level: 1, name: 'Tags' })).toBeInTheDocument();
    expect(within(nav).getByRole('link', { name: 'Tags' })).toHaveAttribute('aria-current', 'page');
    expect(within(nav).getByRole('link', { name: 'Alarms 2 unacknowledged' })).toHaveAttribute(
      'href',
      '#/alarms',
    );

    window.location.hash = '#/alarms';
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Alarms' })).toBeInTheDocument();
    r.stop();
  });

  it('has a Conflicts screen; its link counts the config changes of a split waiting for review', async () => {
    const api = new FakeApi();
    api.status.mockResolvedValue(statusView({ conflicts: 2 }));
    const dashboard = new DashboardState(api);
    await dashboard.load();
    const r = router('#/conflicts');
    render(App, { dashboard, router: r });

    const nav = screen.getByRole('navigation', { name: 'Screens' });
    expect(await screen.findByRole('heading', { level: 1, name: 'Config conflicts' })).toBeInTheDocument();
    expect(within(nav).getByRole('link', { name: 'Conflicts 2 to review' })).toHaveAttribute(
      'aria-current',
      'page',
    );
    r.stop();
  });

  it('shows the node name and status in the header and the live state', async () => {
    const api = new FakeApi();
    const dashboard = new DashboardState(api);
    dashboard.start();
    render(App, { dashboard, router: router() });

    api.handlers?.connection({ state: 'live', since: Date.now() });
    api.handlers?.status(statusView({ node: { name: 'boiler-house', status: 'standby' } }));
    await vi.waitFor(() =>
      expect(within(screen.getByRole('banner')).getByText('boiler-house')).toBeInTheDocument(),
    );
    expect(within(screen.getByRole('banner')).getByText('Standby')).toBeInTheDocument();
    expect(screen.getByTestId('live-indicator')).toHaveTextContent('Live');
    expect(document.title).toBe('boiler-house — Tandem');

    api.handlers?.connection({
      state: 'unavailable',
      reason: 'closed',
      retryAt: Date.now() + 4000,
      attempt: 1,
    });
    await vi.waitFor(() =>
      expect(screen.getByTestId('live-indicator')).toHaveTextContent(
        'Live updates unavailable — refreshing every 2 s',
      ),
    );
    dashboard.stop();
    expect(api.liveClosed).toHaveBeenCalled();
  });

  it('shows the sign-in page when the node refuses the token', async () => {
    const api = new FakeApi();
    api.status.mockRejectedValue(
      problem({ status: 401, code: 'UNAUTHORIZED', message: 'missing or wrong token' }),
    );
    const dashboard = new DashboardState(api);
    await dashboard.load();
    render(App, { dashboard, router: router() });

    expect(screen.getByTestId('signed-out')).toHaveTextContent('The node did not accept this sign-in');
    expect(screen.queryByTestId('banner-node-unreachable')).not.toBeInTheDocument();
  });

  it('offers an operator login when signed out, and has a Settings screen', () => {
    const onlogin = vi.fn(() => Promise.resolve());
    render(App, { dashboard: null, router: router(), onlogin });
    expect(screen.getByRole('form', { name: 'Log in' })).toBeInTheDocument();
    cleanup();

    const dashboard = new DashboardState(new FakeApi());
    render(App, { dashboard, router: router('#/settings') });
    expect(screen.getByRole('heading', { level: 1, name: 'Settings' })).toBeInTheDocument();
    expect(
      within(screen.getByRole('navigation', { name: 'Screens' })).getByRole('link', { name: 'Settings' }),
    ).toHaveAttribute('aria-current', 'page');
  });

  it('offers "Sign out" only for a login’s session, and calls it when pressed', async () => {
    const dashboard = new DashboardState(new FakeApi());
    await dashboard.load();
    // The desktop app's or a #token= link's admin token: no onlogout, no sign-out.
    render(App, { dashboard, router: router() });
    expect(screen.queryByRole('button', { name: 'Sign out' })).not.toBeInTheDocument();
    cleanup();

    const onlogout = vi.fn(() => Promise.resolve());
    const user = userEvent.setup();
    render(App, { dashboard, router: router(), onlogout });
    await user.click(within(screen.getByRole('banner')).getByRole('button', { name: 'Sign out' }));
    expect(onlogout).toHaveBeenCalledOnce();
  });

  it('says in the header who is signed in, beside Sign out, and links the Operators screen', async () => {
    const dashboard = new DashboardState(new FakeApi());
    await dashboard.load();
    render(App, { dashboard, router: router(), onlogout: vi.fn(() => Promise.resolve()), signedInAs: 'ops' });
    const signedIn = within(screen.getByRole('banner')).getByTestId('signed-in');
    expect(signedIn).toHaveTextContent('Signed in as ops');
    expect(within(signedIn).getByRole('link', { name: 'Signed in as ops' })).toHaveAttribute(
      'href',
      '#/users',
    );
    expect(within(signedIn).getByRole('button', { name: 'Sign out' })).toBeInTheDocument();
  });

  it('after a sign-out the node could not be told of, the sign-in screen says so', () => {
    render(App, {
      dashboard: null,
      router: router(),
      onlogin: vi.fn(() => Promise.resolve()),
      signedOutNotice: 'Signed out of this tab, but the node could not end the session (…)',
    });
    expect(screen.getByTestId('signed-out')).toHaveTextContent('Not signed in');
    expect(screen.getByRole('status')).toHaveTextContent('the node could not end the session');
  });

  it('shows it is signed out, with the node’s reason, when the live socket closes because the session ended', async () => {
    const api = new FakeApi();
    const dashboard = new DashboardState(api);
    dashboard.start();
    render(App, { dashboard, router: router(), onlogout: vi.fn(() => Promise.resolve()) });
    api.handlers?.connection({ state: 'live', since: Date.now() });
    expect(await screen.findByRole('button', { name: 'Sign out' })).toBeInTheDocument();

    api.handlers?.connection({ state: 'unauthorized', reason: 'session ended: logged out' });
    expect(await screen.findByTestId('signed-out')).toHaveTextContent('The node did not accept this sign-in');
    expect(screen.getByTestId('refused-reason')).toHaveTextContent(
      'The node said: session ended: logged out.',
    );
    expect(screen.queryByRole('button', { name: 'Sign out' })).not.toBeInTheDocument();
    expect(screen.queryByRole('navigation')).not.toBeInTheDocument();
    dashboard.stop();
  });
});
