import { fireEvent, render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { TagDefinitionView, TagValueView } from '../../../node-core/dto.ts';
import { DashboardState } from '../lib/dashboard-state.svelte.ts';
import type { ChartData } from '../lib/chart-data.ts';
import type { ChartFactory } from '../lib/time-chart.ts';
import { FakeApi, NOW, pending, problem, statusView, tagDefinition, tagValue } from '../test/fixtures.ts';
import Tags from './Tags.svelte';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function apiWith(definitions: TagDefinitionView[], values: TagValueView[] = []): FakeApi {
  const api = new FakeApi();
  api.tagDefinitions.mockResolvedValue(definitions);
  api.tagValues.mockResolvedValue(values);
  return api;
}

/** Renders the screen and waits until the list (or its empty/error state) is shown. */
async function shown(api: FakeApi, props: { makeChart?: ChartFactory } = {}): Promise<DashboardState> {
  const dashboard = new DashboardState(api, { now: () => NOW });
  render(Tags, { dashboard, ...props });
  await vi.waitFor(() => expect(dashboard.tags.definitions.kind).not.toBe('loading'));
  return dashboard;
}

function row(name: string): HTMLElement {
  const header = screen.getByRole('rowheader', { name });
  return header.closest('tr')!;
}

const STANDARD = [
  tagDefinition({ name: 'boiler.temp', dataType: 'float', source: { kind: 'memory' } }),
  tagDefinition({ name: 'pump.running', dataType: 'bool', source: { kind: 'memory' } }),
  tagDefinition({
    name: 'sim.wave',
    dataType: 'float',
    source: { kind: 'simulator', waveform: 'sine', periodMs: 1000, min: 0, max: 100 },
  }),
  tagDefinition({
    name: 'valve.position',
    dataType: 'int',
    source: { kind: 'modbus', device: 'plc-1', register: 10, table: 'holding' },
  }),
  tagDefinition({
    name: 'flow.meter',
    dataType: 'float',
    source: { kind: 'modbus', device: 'plc-1', register: 11, table: 'input' },
  }),
  tagDefinition({ name: 'locked', dataType: 'float', source: { kind: 'memory' }, readOnly: true }),
];

describe('Tags screen', () => {
  it('shows a loading state', () => {
    const api = new FakeApi();
    api.tagDefinitions.mockReturnValue(pending());
    render(Tags, { dashboard: new DashboardState(api) });
    expect(screen.getByText('Loading tags…')).toBeInTheDocument();
  });

  it('links the configuration of devices, tags and alarm rules, where the dashboard can edit it', () => {
    const config = { list: vi.fn(() => Promise.resolve([])), put: vi.fn(), remove: vi.fn(), putAll: vi.fn() };
    const dashboard = new DashboardState(apiWith([]), { now: () => NOW, config });
    render(Tags, { dashboard });
    const views = screen.getByRole('navigation', { name: 'Tags views' });
    expect(within(views).getByRole('link', { name: 'Live values' })).toHaveAttribute('aria-current', 'page');
    expect(within(views).getByRole('link', { name: 'Devices, tags and alarm rules' })).toHaveAttribute(
      'href',
      '#/config',
    );
  });

  it('counts one tag as one tag', async () => {
    await shown(apiWith([tagDefinition({ name: 'boiler.temp' })]));
    expect(screen.getByTestId('tag-count')).toHaveTextContent(/^1 tag$/);
  });

  it('shows the empty state when no tag is configured', async () => {
    await shown(apiWith([]));
    expect(screen.getByTestId('tags-empty')).toHaveTextContent('No tags are configured');
  });

  it('shows an error with a retry that loads again', async () => {
    const user = userEvent.setup();
    const api = new FakeApi();
    api.tagDefinitions.mockRejectedValue(
      problem({ status: 500, code: 'ERROR', message: 'database is locked' }),
    );
    await shown(api);
    expect(screen.getByTestId('load-problem')).toHaveTextContent(
      'Could not load the tags. database is locked',
    );
    expect(screen.getByTestId('load-problem')).toHaveTextContent('HTTP 500');

    api.tagDefinitions.mockResolvedValue(STANDARD);
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('rowheader', { name: 'boiler.temp' })).toBeInTheDocument();
  });

  it('says when the node is unreachable', async () => {
    const api = new FakeApi();
    api.tagValues.mockRejectedValue(
      problem({ status: 0, code: 'UNREACHABLE', message: 'the node is not answering' }),
    );
    await shown(api);
    expect(screen.getByTestId('load-problem')).toHaveTextContent('the node is not answering');
    expect(screen.getByTestId('load-problem')).toHaveTextContent('no answer');
  });

  it('shows value, quality in words and time of last change; never-set tags as uncertain', async () => {
    await shown(
      apiWith(STANDARD, [
        tagValue({ name: 'boiler.temp', value: 71.25, quality: 'good', ts: '2025-06-01T02:58:30Z' }),
        tagValue({ name: 'pump.running', value: true, quality: 'bad', ts: '2025-06-01T02:58:00Z' }),
      ]),
    );
    const boiler = row('boiler.temp');
    expect(within(boiler).getByTestId('tag-value')).toHaveTextContent('71.25');
    expect(within(boiler).getByTestId('tag-quality')).toHaveTextContent('Good');
    expect(within(boiler).getByText(/^2025-06-01 \d\d:58:30$/)).toHaveAttribute(
      'datetime',
      '2025-06-01T02:58:30Z',
    );
    expect(within(row('pump.running')).getByTestId('tag-quality')).toHaveTextContent('Bad');
    expect(within(row('pump.running')).getByTestId('tag-value')).toHaveTextContent('true');
    const never = row('sim.wave');
    expect(within(never).getByTestId('tag-value')).toHaveTextContent('—');
    expect(within(never).getByTestId('tag-quality')).toHaveTextContent('Uncertain');
    expect(within(never).getByText('never')).toBeInTheDocument();
    expect(within(row('valve.position')).getByText('Modbus plc-1 holding 10')).toBeInTheDocument();
  });

  it('offers "Write value" only on writable tags: memory, Modbus holding or coil, not read-only', async () => {
    await shown(apiWith(STANDARD));
    const writable = screen
      .getAllByRole('button', { name: /^Write value to / })
      .map((b) => b.getAttribute('aria-label'));
    expect(writable).toEqual([
      'Write value to boiler.temp',
      'Write value to pump.running',
      'Write value to valve.position',
    ]);
  });

  it('renders only a window of 10,000 tags and moves the window on scroll', async () => {
    const names = Array.from({ length: 10_000 }, (_, i) => `line.${String(i).padStart(5, '0')}`);
    await shown(
      apiWith(
        names.map((name) => tagDefinition({ name })),
        names.map((name, i) => tagValue({ name, value: i })),
      ),
    );
    expect(screen.getByTestId('tag-count')).toHaveTextContent('10,000 tags');
    const table = screen.getByRole('table');
    expect(table).toHaveAttribute('aria-rowcount', '10001');
    const rows = screen.getAllByTestId('tag-row');
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(100);
    expect(rows[0]).toHaveAttribute('aria-rowindex', '2');

    const region = screen.getByRole('region', { name: 'Tags and their current values' });
    region.scrollTop = 40 * 5000;
    await fireEvent.scroll(region);
    await vi.waitFor(() => expect(screen.getByRole('rowheader', { name: 'line.05000' })).toBeInTheDocument());
    expect(screen.queryByRole('rowheader', { name: 'line.00000' })).not.toBeInTheDocument();
    expect(screen.getAllByTestId('tag-row').length).toBeLessThan(100);
    expect(within(row('line.05000')).getByTestId('tag-value')).toHaveTextContent('5000');
  });

  it('filters by name, any case, and says when nothing matches', async () => {
    const user = userEvent.setup();
    await shown(apiWith(STANDARD));
    const filter = screen.getByRole('searchbox', { name: 'Filter by name' });
    await user.type(filter, 'PUMP');
    expect(screen.getAllByTestId('tag-row')).toHaveLength(1);
    expect(screen.getByTestId('tag-count')).toHaveTextContent('1 of 6 tags');
    await user.clear(filter);
    await user.type(filter, 'nothing-like-this');
    expect(screen.getByTestId('tags-none-match')).toHaveTextContent(
      'No tag name contains “nothing-like-this”.',
    );
  });

  it('follows live values from the live connection, once per frame', async () => {
    const api = apiWith(STANDARD, [tagValue({ name: 'boiler.temp', value: 70, ts: '2025-06-01T02:58:00Z' })]);
    const dashboard = await shown(api);
    dashboard.start();
    expect(within(row('boiler.temp')).getByTestId('tag-value')).toHaveTextContent('70');

    api.handlers?.values?.([
      tagValue({ name: 'boiler.temp', value: 80.5, quality: 'good', ts: '2025-06-01T02:59:01Z' }),
    ]);
    api.handlers?.values?.([
      tagValue({ name: 'boiler.temp', value: 81.5, quality: 'uncertain', ts: '2025-06-01T02:59:02Z' }),
    ]);
    await vi.waitFor(() =>
      expect(within(row('boiler.temp')).getByTestId('tag-value')).toHaveTextContent('81.5'),
    );
    expect(within(row('boiler.temp')).getByTestId('tag-quality')).toHaveTextContent('Uncertain');
    dashboard.stop();
  });

  it('writes a value after the confirmation, with a uid, and says so', async () => {
    const user = userEvent.setup();
    const api = apiWith(STANDARD, [tagValue({ name: 'boiler.temp', value: 70 })]);
    await shown(api);

    await user.click(screen.getByRole('button', { name: 'Write value to boiler.temp' }));
    const dialog = screen.getByRole('dialog', { name: 'Write a value to boiler.temp' });
    const input = within(dialog).getByRole('textbox', { name: 'New value (number)' });
    expect(input).toHaveFocus();
    expect(api.writeTag).not.toHaveBeenCalled();
    await user.clear(input);
    await user.type(input, '72.5');
    await user.click(within(dialog).getByRole('button', { name: 'Write' }));

    expect(api.writeTag).toHaveBeenCalledWith('boiler.temp', 72.5, expect.stringMatching(UUID));
    expect(await screen.findByTestId('notice')).toHaveTextContent('Wrote 72.5 to boiler.temp.');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it("shows values with the tag's unit and precision, in the list, the write dialog and the result (issue 16)", async () => {
    const user = userEvent.setup();
    const api = apiWith(
      [
        tagDefinition({
          name: 'boiler.temp',
          dataType: 'float',
          source: { kind: 'memory' },
          unit: '°C',
          precision: 1,
        }),
      ],
      [tagValue({ name: 'boiler.temp', value: 95.254 })],
    );
    await shown(api);
    expect(within(row('boiler.temp')).getByTestId('tag-value')).toHaveTextContent('95.3 °C');
    expect(screen.getByTestId('time-zone')).toHaveTextContent(/^Times: 24-hour, UTC/);

    await user.click(screen.getByRole('button', { name: 'Write value to boiler.temp' }));
    const dialog = screen.getByRole('dialog', { name: 'Write a value to boiler.temp' });
    expect(dialog).toHaveTextContent('Current value: 95.3 °C');
    const input = within(dialog).getByRole('textbox', { name: 'New value (number, in °C)' });
    await user.clear(input);
    await user.type(input, '72.25');
    await user.click(within(dialog).getByRole('button', { name: 'Write' }));
    // What was written, as written: not rounded to the display precision.
    expect(await screen.findByTestId('notice')).toHaveTextContent('Wrote 72.25 °C to boiler.temp.');
  });

  it('on a standby: says values are written on the running node, where it is, and offers no write', async () => {
    const api = apiWith(STANDARD);
    api.status.mockResolvedValue(
      statusView({
        node: { mode: 'backup', status: 'standby' },
        peer: { mode: 'master', status: 'active', apiUrl: 'http://10.0.0.2:8088' },
      }),
    );
    const dashboard = await shown(api);
    await dashboard.refreshStatus();
    const hint = await screen.findByTestId('active-node-hint');
    expect(hint).toHaveTextContent('This node is standby. Values are written on the running node.');
    expect(within(hint).getByTestId('active-node-url')).toHaveTextContent('http://10.0.0.2:8088');
    expect(
      within(row('boiler.temp')).getByRole('button', { name: 'Write value to boiler.temp' }),
    ).toBeDisabled();
    expect(within(row('boiler.temp')).getByRole('button', { name: 'History of boiler.temp' })).toBeEnabled();
  });

  it('checks the typed value against the data type before sending anything', async () => {
    const user = userEvent.setup();
    const api = apiWith(STANDARD);
    await shown(api);
    await user.click(screen.getByRole('button', { name: 'Write value to valve.position' }));
    const dialog = screen.getByRole('dialog');
    await user.type(within(dialog).getByRole('textbox', { name: 'New value (whole number)' }), '4.5{Enter}');
    expect(within(dialog).getByRole('alert')).toHaveTextContent('Enter a whole number');
    expect(api.writeTag).not.toHaveBeenCalled();
  });

  it('writes true or false to a bool tag by choosing one', async () => {
    const user = userEvent.setup();
    const api = apiWith(STANDARD, [tagValue({ name: 'pump.running', value: true })]);
    await shown(api);
    await user.click(screen.getByRole('button', { name: 'Write value to pump.running' }));
    const dialog = screen.getByRole('dialog');
    await user.click(within(dialog).getByRole('radio', { name: 'false' }));
    await user.click(within(dialog).getByRole('button', { name: 'Write' }));
    expect(api.writeTag).toHaveBeenCalledWith('pump.running', false, expect.stringMatching(UUID));
  });

  it.each([
    [
      409,
      'READ_ONLY',
      'tag "boiler.temp" is read-only',
      'boiler.temp cannot be written: tag "boiler.temp" is read-only',
    ],
    [
      400,
      'BAD_REQUEST',
      'value: expected a finite number',
      'The node refused the value: value: expected a finite number',
    ],
    [
      502,
      'DEVICE_FAULT',
      'tag "boiler.temp": the device did not take the write: timeout',
      'The device did not take the write: tag "boiler.temp": the device did not take the write: timeout',
    ],
  ])(
    'shows a refused write (%i) in the dialog, which stays open',
    async (status, code, message, shownText) => {
      const user = userEvent.setup();
      const api = apiWith(STANDARD);
      api.writeTag.mockRejectedValue(problem({ status, code, message }));
      await shown(api);
      await user.click(screen.getByRole('button', { name: 'Write value to boiler.temp' }));
      const dialog = screen.getByRole('dialog');
      await user.type(within(dialog).getByRole('textbox'), '5');
      await user.click(within(dialog).getByRole('button', { name: 'Write' }));
      expect(await within(dialog).findByTestId('write-problem')).toHaveTextContent(shownText);
      expect(screen.queryByTestId('notice')).not.toBeInTheDocument();
    },
  );

  it('sends the same uid again after a write got no answer, a new one after an answer', async () => {
    const user = userEvent.setup();
    const api = apiWith(STANDARD);
    api.writeTag.mockRejectedValueOnce(
      problem({ status: 0, code: 'TIMEOUT', message: 'the node did not answer within 10 s' }),
    );
    await shown(api);
    await user.click(screen.getByRole('button', { name: 'Write value to boiler.temp' }));
    const dialog = screen.getByRole('dialog');
    await user.type(within(dialog).getByRole('textbox'), '5');
    await user.click(within(dialog).getByRole('button', { name: 'Write' }));
    expect(await within(dialog).findByTestId('write-problem')).toHaveTextContent('Trying again is safe');

    await user.click(within(dialog).getByRole('button', { name: 'Write' }));
    await vi.waitFor(() => expect(api.writeTag).toHaveBeenCalledTimes(2));
    const [first, second] = api.writeTag.mock.calls;
    expect(second?.[2]).toBe(first?.[2]);

    await user.click(await screen.findByRole('button', { name: 'Write value to boiler.temp' }));
    await user.type(within(screen.getByRole('dialog')).getByRole('textbox'), '5');
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Write' }));
    await vi.waitFor(() => expect(api.writeTag).toHaveBeenCalledTimes(3));
    expect(api.writeTag.mock.calls[2]?.[2]).not.toBe(first?.[2]);
  });

  it('opens the history of a tag as a chart, with 15 min, 1 h and 24 h ranges', async () => {
    const user = userEvent.setup();
    const charts: ChartData[] = [];
    const makeChart: ChartFactory = (_target, data) => {
      charts.push(data);
      return Promise.resolve({ setData: (next) => charts.push(next), setSize: vi.fn(), destroy: vi.fn() });
    };
    const api = apiWith(STANDARD);
    api.history.mockImplementation((tag, query) =>
      Promise.resolve({
        tag,
        from: query.from,
        to: query.to,
        kind: 'raw',
        samples: [
          { ts: '2025-06-01T02:50:00Z', value: 70, quality: 'good' },
          { ts: '2025-06-01T02:55:00Z', value: 75, quality: 'good' },
        ],
      }),
    );
    await shown(api, { makeChart });

    await user.click(screen.getByRole('button', { name: 'History of boiler.temp' }));
    const panel = await screen.findByTestId('tag-history');
    expect(within(panel).getByRole('heading', { name: 'History of boiler.temp' })).toHaveFocus();
    await vi.waitFor(() => expect(charts).toHaveLength(1));
    expect(charts[0]?.series[0]?.values).toEqual([70, 75]);
    expect(api.history).toHaveBeenLastCalledWith('boiler.temp', {
      from: new Date(NOW - 3_600_000).toISOString(),
      to: new Date(NOW).toISOString(),
      maxPoints: 600,
    });
    expect(within(panel).getByRole('button', { name: 'Last 1 h' })).toHaveAttribute('aria-pressed', 'true');

    await user.click(within(panel).getByRole('button', { name: 'Last 15 min' }));
    expect(api.history).toHaveBeenLastCalledWith(
      'boiler.temp',
      expect.objectContaining({
        from: new Date(NOW - 900_000).toISOString(),
      }),
    );
    await user.click(within(panel).getByRole('button', { name: 'Last 24 h' }));
    expect(api.history).toHaveBeenLastCalledWith(
      'boiler.temp',
      expect.objectContaining({
        from: new Date(NOW - 86_400_000).toISOString(),
      }),
    );
    await vi.waitFor(() =>
      expect(within(panel).getByRole('button', { name: 'Last 24 h' })).toHaveAttribute(
        'aria-pressed',
        'true',
      ),
    );

    await user.click(within(panel).getByRole('button', { name: 'Close' }));
    expect(screen.queryByTestId('tag-history')).not.toBeInTheDocument();
  });

  it('is usable from the keyboard: filter, reload, then the list, then each row’s buttons', async () => {
    const user = userEvent.setup();
    await shown(apiWith(STANDARD.slice(0, 1)));
    screen.getByRole('searchbox', { name: 'Filter by name' }).focus();
    await user.tab();
    expect(screen.getByRole('button', { name: 'Reload list' })).toHaveFocus();
    await user.tab();
    expect(screen.getByRole('region', { name: 'Tags and their current values' })).toHaveFocus();
    await user.tab();
    expect(screen.getByRole('button', { name: 'History of boiler.temp' })).toHaveFocus();
    await user.tab();
    expect(screen.getByRole('button', { name: 'Write value to boiler.temp' })).toHaveFocus();
    await user.keyboard('{Enter}');
    expect(screen.getByRole('dialog')).toBeInTheDocument();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });
});
