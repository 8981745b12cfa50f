import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { DashboardState } from '../lib/dashboard-state.svelte.ts';
import { FakeApi, pending, problem, statusView } from '../test/fixtures.ts';
import { nodeSettings, settingsSaved, settingsView } from '../test/settings-fixtures.ts';
import Settings from './Settings.svelte';

function show(api: FakeApi) {
  const user = userEvent.setup();
  render(Settings, { dashboard: new DashboardState(api) });
  return user;
}

describe('Settings', () => {
  it('shows a loading state', () => {
    const api = new FakeApi();
    api.settings.mockReturnValue(pending());
    show(api);
    expect(screen.getByText('Loading settings…')).toBeInTheDocument();
  });

  it('shows an error with a retry, then the settings once they load', async () => {
    const api = new FakeApi();
    api.settings.mockRejectedValueOnce(problem({ status: 500, code: 'ERROR', message: 'database locked' }));
    const user = show(api);
    expect(await screen.findByTestId('load-problem')).toHaveTextContent(
      'Could not load the settings. database locked',
    );
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByLabelText('Ping rate (ms)')).toHaveValue('1000');
  });

  it('shows every setting with its unit, labelled, from what the node answers', async () => {
    const api = new FakeApi();
    api.settings.mockResolvedValue(
      settingsView(nodeSettings({ recovery: 'manual', isolationCheck: { host: 'plc-1', port: 502 } })),
    );
    show(api);
    expect(await screen.findByLabelText('Ping rate (ms)')).toHaveValue('1000');
    expect(screen.getByLabelText('Ping timeout (ms)')).toHaveValue('3000');
    expect(screen.getByLabelText('Missed pings (count)')).toHaveValue('3');
    expect(screen.getByLabelText('Failover time (ms)')).toHaveValue('10000');
    expect(screen.getByLabelText('Connection wait (ms)')).toHaveValue('10000');
    expect(screen.getByLabelText('Restore window length (ms)')).toHaveValue('');
    expect(screen.getByLabelText('Pair name')).toHaveValue('pump-station-4');
    expect(screen.getByLabelText('Mode')).toHaveValue('master');
    expect(screen.getByLabelText('Recovery')).toHaveValue('manual');
    expect(screen.getByLabelText('Standby level')).toHaveValue('warm');
    // Short choices that fit the field; what they mean is said beside it, linked for screen readers.
    expect(screen.getByLabelText('Standby level')).toHaveAccessibleDescription(
      /Warm: polls devices, but keeps no history, raises no alarms and writes nothing\. Cold: collects nothing\./,
    );
    expect(screen.getByLabelText('Isolation check host')).toHaveValue('plc-1');
    expect(screen.getByLabelText('Isolation check port')).toHaveValue('502');
    for (const label of ['Master host', 'Master peer port', 'Peer link port', 'API port', 'License file']) {
      expect(screen.getByLabelText(label)).toBeInTheDocument();
    }
  });

  it('checks a field as it is typed with the node’s message, and sends nothing while it is wrong', async () => {
    const api = new FakeApi();
    const user = show(api);
    const rate = await screen.findByLabelText('Ping rate (ms)');
    await user.clear(rate);
    await user.type(rate, '0');
    expect(screen.getByTestId('error-timing.pingRateMs')).toHaveTextContent(
      'must be a whole number of milliseconds from 1 to 3600000',
    );
    expect(rate).toHaveAttribute('aria-invalid', 'true');
    expect(rate).toHaveAccessibleDescription(/must be a whole number of milliseconds from 1 to 3600000/);

    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(api.saveSettings).not.toHaveBeenCalled();
    expect(rate).toHaveFocus();

    await user.selectOptions(screen.getByLabelText('Mode'), 'backup');
    expect(screen.getByTestId('error-masterHost')).toHaveTextContent('is required for a backup');
  });

  it('warns while typing when a master would not wait long enough for manual recovery', async () => {
    const api = new FakeApi();
    const user = show(api);
    const wait = await screen.findByLabelText('Connection wait (ms)');
    await user.selectOptions(screen.getByLabelText('Recovery'), 'manual');
    expect(screen.queryByTestId('settings-warnings')).not.toBeInTheDocument();
    await user.clear(wait);
    await user.type(wait, '2000');
    expect(screen.getByTestId('settings-warnings')).toHaveTextContent(
      /timing\.connectionWaitMs: 2000 ms is shorter than the 4000 ms \(ping rate \+ ping timeout\)/,
    );
    await user.selectOptions(screen.getByLabelText('Recovery'), 'automatic');
    expect(screen.queryByTestId('settings-warnings')).not.toBeInTheDocument();
  });

  it('saves all settings and says they take effect when the node restarts, with the node’s warnings', async () => {
    const api = new FakeApi();
    const next = nodeSettings({ recovery: 'manual', timing: { pingRateMs: 500, connectionWaitMs: 2000 } });
    api.saveSettings.mockResolvedValue(
      settingsSaved(next, ['timing.connectionWaitMs: 2000 ms is shorter than …']),
    );
    const user = show(api);
    const rate = await screen.findByLabelText('Ping rate (ms)');
    await user.clear(rate);
    await user.type(rate, '500');
    await user.selectOptions(screen.getByLabelText('Recovery'), 'manual');
    const wait = screen.getByLabelText('Connection wait (ms)');
    await user.clear(wait);
    await user.type(wait, '2000');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));

    expect(api.saveSettings).toHaveBeenCalledWith(next);
    const saved = await screen.findByTestId('settings-saved');
    expect(saved).toHaveTextContent('Saved — takes effect when the node restarts.');
    expect(saved).toHaveTextContent('The node warns: timing.connectionWaitMs: 2000 ms is shorter than …');
    const waiting = screen.getByRole('region', { name: 'Saved, waiting for a restart of the node' });
    expect(within(waiting).getByText('Ping rate: 1000 → 500 ms')).toBeInTheDocument();
    expect(within(waiting).getByText('Recovery: automatic → manual')).toBeInTheDocument();
  });

  it('shows settings saved earlier that wait for a restart, and starts the form from them', async () => {
    const api = new FakeApi();
    api.settings.mockResolvedValue(
      settingsView(nodeSettings(), nodeSettings({ timing: { missedPings: 5 } })),
    );
    show(api);
    expect(await screen.findByTestId('settings-pending')).toHaveTextContent('Missed pings: 3 → 5');
    expect(screen.getByLabelText('Missed pings (count)')).toHaveValue('5');
  });

  it('shows the node’s 400 next to the form and next to the field it names; nothing is saved', async () => {
    const api = new FakeApi();
    api.saveSettings.mockRejectedValue(
      problem({
        status: 400,
        code: 'BAD_REQUEST',
        message: 'restoreWindow.cron: is not a valid CRON expression',
      }),
    );
    const user = show(api);
    await user.type(await screen.findByLabelText('Restore window start (CRON)'), 'every night');
    await user.type(screen.getByLabelText('Restore window length (ms)'), '60000');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));

    const refused = await screen.findByTestId('settings-refused');
    expect(refused).toHaveTextContent(
      'The node refused these settings: restoreWindow.cron: is not a valid CRON expression',
    );
    expect(refused).toHaveTextContent('Nothing was saved.');
    expect(screen.getByTestId('error-restoreWindow.cron')).toHaveTextContent(
      'is not a valid CRON expression',
    );
    expect(screen.queryByTestId('settings-pending')).not.toBeInTheDocument();
  });

  describe('issue 16', () => {
    it('warns when the peer runs with other recovery or heartbeat settings, at the top and under each field', async () => {
      const api = new FakeApi();
      api.status.mockResolvedValue(
        statusView({
          settingsDifferences: [
            'recovery: automatic here, manual on the peer',
            'ping rate: 1000 ms here, 500 ms on the peer',
          ],
        }),
      );
      const dashboard = new DashboardState(api);
      render(Settings, { dashboard });
      await dashboard.refreshStatus();

      const card = await screen.findByRole('region', {
        name: 'The peer runs with other recovery or heartbeat settings',
      });
      expect(
        within(card)
          .getAllByRole('listitem')
          .map((li) => li.textContent),
      ).toEqual([
        'Recovery: automatic here, manual on the peer',
        'Ping rate: 1000 ms here, 500 ms on the peer',
      ]);
      expect(await screen.findByTestId('peer-differs-timing.pingRateMs')).toHaveTextContent(
        'Differs from the peer: 1000 ms here, 500 ms on the peer.',
      );
      expect(screen.getByLabelText('Ping rate (ms)')).toHaveAccessibleDescription(
        /Differs from the peer: 1000 ms here, 500 ms on the peer\./,
      );
      expect(screen.getByLabelText('Recovery')).toHaveAccessibleDescription(
        'Differs from the peer: automatic here, manual on the peer.',
      );
      expect(screen.queryByTestId('peer-differs-timing.pingTimeoutMs')).not.toBeInTheDocument();
    });

    it('no such warning while both nodes run with the same settings', async () => {
      const api = new FakeApi();
      const dashboard = new DashboardState(api);
      render(Settings, { dashboard });
      await dashboard.refreshStatus();
      await screen.findByLabelText('Ping rate (ms)');
      expect(screen.queryByTestId('settings-differ-from-peer')).not.toBeInTheDocument();
    });

    it('keeps its place after Save: the Save button stays where it was on screen, and keeps the focus', async () => {
      const api = new FakeApi();
      api.saveSettings.mockResolvedValue(settingsSaved(nodeSettings({ timing: { pingRateMs: 500 } })));
      const user = show(api);
      const rate = await screen.findByLabelText('Ping rate (ms)');
      await user.clear(rate);
      await user.type(rate, '500');
      const button = screen.getByRole('button', { name: 'Save settings' });
      // The card that appears above the form pushes the button 120 px down, unless the page scrolls with it.
      let top = 600;
      vi.spyOn(button, 'getBoundingClientRect').mockImplementation(() => ({ top }) as DOMRect);
      const scrollBy = vi.fn();
      vi.stubGlobal('scrollBy', scrollBy);
      api.saveSettings.mockImplementation((change) => {
        top = 720;
        return Promise.resolve(settingsSaved(nodeSettings(change)));
      });
      await user.click(button);

      await screen.findByTestId('settings-pending');
      await vi.waitFor(() => expect(scrollBy).toHaveBeenCalledWith({ top: 120, behavior: 'instant' }));
      expect(button).toHaveFocus();
      vi.unstubAllGlobals();
    });

    it('Enter in a field saves and leaves the focus in that field', async () => {
      const api = new FakeApi();
      const user = show(api);
      const name = await screen.findByLabelText('Pair name');
      await user.clear(name);
      await user.type(name, 'line-2{Enter}');
      await screen.findByTestId('settings-saved');
      expect(api.saveSettings).toHaveBeenCalledWith(expect.objectContaining({ name: 'line-2' }));
      await vi.waitFor(() => expect(name).toHaveFocus());
    });
  });
});
