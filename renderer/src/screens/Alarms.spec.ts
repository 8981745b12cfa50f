import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OPERATOR_STORAGE_KEY } from '../lib/alarms-state.svelte.ts';
import { DashboardState } from '../lib/dashboard-state.svelte.ts';
import { alarmView, FakeApi, pending, problem, statusView, tagDefinition } from '../test/fixtures.ts';
import Alarms from './Alarms.svelte';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

afterEach(() => localStorage.clear());

async function loaded(api: FakeApi): Promise<DashboardState> {
  const dashboard = new DashboardState(api);
  await dashboard.load();
  return dashboard;
}

const RAISED = alarmView({
  id: 'boiler.hot',
  rule: {
    tag: 'boiler.temp',
    condition: 'high',
    threshold: 90,
    deadband: 2,
    priority: 'critical',
    message: 'Boiler over temperature',
  },
  active: true,
  activatedAt: '2025-06-01T02:40:00Z',
});
const ACKED = alarmView({
  id: 'tank.low',
  rule: { tag: 'tank.level', condition: 'low', threshold: 10, deadband: 0, priority: 'high' },
  active: true,
  acked: true,
  ackedBy: 'day shift',
  activatedAt: '2025-06-01T02:00:00Z',
  ackedAt: '2025-06-01T02:05:00Z',
});
const CLEARED = alarmView({
  id: 'door.open',
  rule: { tag: 'door', condition: 'equal', threshold: true, deadband: 0, priority: 'low' },
  active: false,
  activatedAt: '2025-06-01T01:00:00Z',
  clearedAt: '2025-06-01T01:10:00Z',
});
const NORMAL = alarmView({ id: 'aa.quiet' });

describe('Alarms screen', () => {
  it('shows a loading state', () => {
    const api = new FakeApi();
    api.alarms.mockReturnValue(pending());
    render(Alarms, { dashboard: new DashboardState(api) });
    expect(screen.getByText('Loading alarms…')).toBeInTheDocument();
  });

  it('on a standby with no running peer: says alarms are acknowledged on the running node, none reachable', async () => {
    const api = new FakeApi();
    api.alarms.mockResolvedValue([RAISED]);
    api.status.mockResolvedValue(
      statusView({
        node: { mode: 'master', status: 'standby' },
        peer: { link: 'disconnected', status: null },
      }),
    );
    render(Alarms, { dashboard: await loaded(api) });
    expect(screen.getByTestId('active-node-hint')).toHaveTextContent(
      'This node is standby. Alarms are acknowledged on the running node. No running node is reachable from here right now.',
    );
    expect(screen.getByRole('button', { name: 'Acknowledge alarm boiler.hot' })).toBeDisabled();
  });

  it('shows the empty state, with the way to define alarm rules', async () => {
    render(Alarms, { dashboard: await loaded(new FakeApi()) });
    expect(screen.getByTestId('alarms-empty')).toHaveTextContent('No alarm rules are configured');
    expect(screen.getByRole('link', { name: 'Define alarm rules' })).toHaveAttribute('href', '#/config');
  });

  it('links the alarm rules to where they are edited', async () => {
    const api = new FakeApi();
    api.alarms.mockResolvedValue([RAISED]);
    render(Alarms, { dashboard: await loaded(api) });
    expect(screen.getByRole('link', { name: 'Edit alarm rules' })).toHaveAttribute('href', '#/config');
  });

  it('shows an error with a retry', async () => {
    const user = userEvent.setup();
    const api = new FakeApi();
    api.alarms.mockRejectedValue(problem({ status: 500, code: 'ERROR', message: 'database is locked' }));
    render(Alarms, { dashboard: await loaded(api) });
    expect(screen.getByTestId('load-problem')).toHaveTextContent(
      'Could not load the alarms. database is locked',
    );

    api.alarms.mockResolvedValue([RAISED]);
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('rowheader', { name: /boiler\.hot/ })).toBeInTheDocument();
  });

  it('keeps the last known alarms, marked as such, when the node stops answering', async () => {
    const api = new FakeApi();
    api.alarms.mockResolvedValue([RAISED]);
    const dashboard = await loaded(api);
    api.alarms.mockRejectedValue(
      problem({ status: 0, code: 'UNREACHABLE', message: 'the node is not answering' }),
    );
    await dashboard.alarms.load();
    render(Alarms, { dashboard });
    expect(screen.getByTestId('load-problem')).toHaveTextContent('the node is not answering');
    expect(screen.getByTestId('load-problem')).toHaveTextContent('no answer');
    expect(screen.getByTestId('alarms-stale')).toHaveTextContent('Showing the alarms as they were at');
    expect(screen.getByRole('rowheader', { name: /boiler\.hot/ })).toBeInTheDocument();
  });

  it('lists unacknowledged active alarms first, with priority, state and condition in words', async () => {
    const api = new FakeApi();
    api.alarms.mockResolvedValue([NORMAL, CLEARED, ACKED, RAISED]);
    render(Alarms, { dashboard: await loaded(api) });

    const rows = screen.getAllByTestId('alarm-row');
    expect(rows.map((r) => within(r).getByRole('rowheader').textContent?.trim().split(/\s/)[0])).toEqual([
      'boiler.hot',
      'tank.low',
      'door.open',
      'aa.quiet',
    ]);
    expect(rows[0]).toHaveTextContent('Critical');
    expect(rows[0]).toHaveTextContent('Active, unacknowledged');
    expect(rows[0]).toHaveTextContent('Boiler over temperature');
    expect(rows[0]).toHaveTextContent('boiler.temp > 90 (deadband 2)');
    expect(rows[1]).toHaveTextContent('High');
    expect(rows[1]).toHaveTextContent('Active, acknowledged');
    expect(rows[1]).toHaveTextContent('day shift');
    expect(rows[2]).toHaveTextContent('Cleared, unacknowledged');
    expect(rows[3]).toHaveTextContent('Normal');
    expect(screen.getByTestId('alarm-summary')).toHaveTextContent('2 active, 1 unacknowledged');
    // Only occurrences nobody acknowledged yet can be acknowledged.
    expect(
      screen.getAllByRole('button', { name: /Acknowledge/ }).map((b) => b.getAttribute('aria-label')),
    ).toEqual(['Acknowledge alarm boiler.hot', 'Acknowledge alarm door.open']);
  });

  it("writes the condition with the tag's unit (issue 16)", async () => {
    const api = new FakeApi();
    api.alarms.mockResolvedValue([RAISED]);
    api.tagDefinitions.mockResolvedValue([tagDefinition({ name: 'boiler.temp', unit: '°C', precision: 1 })]);
    render(Alarms, { dashboard: await loaded(api) });
    await vi.waitFor(() =>
      expect(screen.getByTestId('alarm-row')).toHaveTextContent('boiler.temp > 90 °C (deadband 2 °C)'),
    );
    expect(screen.getByTestId('time-zone')).toHaveTextContent(/^Times: 24-hour, UTC/);
  });

  it('names wrap only between their parts, in fixed columns whose widths no value changes (issue 16)', async () => {
    const api = new FakeApi();
    api.alarms.mockResolvedValue([
      alarmView({
        id: 'line1/filling-station.pressure-low',
        active: true,
        activatedAt: '2025-06-01T02:40:00Z',
      }),
    ]);
    render(Alarms, { dashboard: await loaded(api) });
    const name = screen.getByRole('rowheader', { name: /line1/ });
    // A line may end only after a separator: each part ends before a <wbr>.
    expect(name.innerHTML.replace(/<!---->/g, '')).toMatch(
      /^\s*line1\/<wbr>filling-<wbr>station\.<wbr>pressure-<wbr>low/,
    );
    const table = name.closest('table')!;
    expect(table).toHaveClass('alarms');
    expect(table.querySelectorAll('colgroup col')).toHaveLength(7);
  });

  it('acknowledges with the operator name and a uid, remembers the name, and shows the result', async () => {
    const user = userEvent.setup();
    const api = new FakeApi();
    api.alarms.mockResolvedValue([RAISED]);
    render(Alarms, { dashboard: await loaded(api) });

    await user.type(screen.getByRole('textbox', { name: 'Operator name' }), 'night shift');
    expect(localStorage.getItem(OPERATOR_STORAGE_KEY)).toBe('night shift');
    api.alarms.mockResolvedValue([
      { ...RAISED, acked: true, ackedBy: 'night shift', ackedAt: '2025-06-01T02:45:00Z' },
    ]);
    await user.click(screen.getByRole('button', { name: /Acknowledge/ }));

    expect(api.ackAlarm).toHaveBeenCalledWith('boiler.hot', 'night shift', expect.stringMatching(UUID));
    expect(await screen.findByTestId('notice')).toHaveTextContent(
      'Alarm boiler.hot acknowledged by night shift.',
    );
    await vi.waitFor(() =>
      expect(screen.queryByRole('button', { name: /Acknowledge/ })).not.toBeInTheDocument(),
    );
    expect(screen.getByTestId('alarm-row')).toHaveTextContent('Active, acknowledged');
  });

  it('takes the remembered operator name', async () => {
    localStorage.setItem(OPERATOR_STORAGE_KEY, 'Ana');
    const api = new FakeApi();
    render(Alarms, { dashboard: await loaded(api) });
    expect(screen.getByRole('textbox', { name: 'Operator name' })).toHaveValue('Ana');
  });

  it('asks for the operator name before acknowledging, sending nothing', async () => {
    const user = userEvent.setup();
    const api = new FakeApi();
    api.alarms.mockResolvedValue([RAISED]);
    render(Alarms, { dashboard: await loaded(api) });

    await user.click(screen.getByRole('button', { name: /Acknowledge/ }));
    expect(api.ackAlarm).not.toHaveBeenCalled();
    expect(screen.getByRole('alert')).toHaveTextContent('Type your name in “Operator name” first');
    expect(screen.getByRole('textbox', { name: 'Operator name' })).toHaveFocus();
  });

  it('shows a refused acknowledgement; after no answer, the retry sends the same uid', async () => {
    const user = userEvent.setup();
    localStorage.setItem(OPERATOR_STORAGE_KEY, 'night shift');
    const api = new FakeApi();
    api.alarms.mockResolvedValue([RAISED]);
    api.ackAlarm.mockRejectedValueOnce(
      problem({ status: 0, code: 'TIMEOUT', message: 'the node did not answer within 10 s' }),
    );
    api.ackAlarm.mockRejectedValueOnce(
      problem({ status: 400, code: 'BAD_REQUEST', message: 'alarm "boiler.hot" has not been raised' }),
    );
    render(Alarms, { dashboard: await loaded(api) });

    await user.click(screen.getByRole('button', { name: /Acknowledge/ }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Acknowledging again is safe');
    await user.click(screen.getByRole('button', { name: /Acknowledge/ }));
    await vi.waitFor(() =>
      expect(screen.getByRole('alert')).toHaveTextContent(
        'Alarm boiler.hot was not acknowledged: alarm "boiler.hot" has not been raised',
      ),
    );
    const [first, second] = api.ackAlarm.mock.calls;
    expect(second?.[2]).toBe(first?.[2]);

    await user.click(screen.getByRole('button', { name: /Acknowledge/ }));
    await vi.waitFor(() => expect(api.ackAlarm).toHaveBeenCalledTimes(3));
    expect(api.ackAlarm.mock.calls[2]?.[2]).not.toBe(first?.[2]);
  });

  it('follows live alarm states', async () => {
    const api = new FakeApi();
    api.alarms.mockResolvedValue([NORMAL]);
    const dashboard = await loaded(api);
    dashboard.start();
    render(Alarms, { dashboard });
    expect(screen.getByTestId('alarm-summary')).toHaveTextContent('No alarm is active.');

    api.handlers?.alarms?.([NORMAL, RAISED]);
    await vi.waitFor(() => expect(screen.getAllByTestId('alarm-row')).toHaveLength(2));
    expect(screen.getAllByTestId('alarm-row')[0]).toHaveTextContent('boiler.hot');
    expect(screen.getByTestId('alarm-summary')).toHaveTextContent('1 active, 1 unacknowledged');
    dashboard.stop();
  });
});
