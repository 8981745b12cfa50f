import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { HistoryView, TagDefinitionView } from '../../../node-core/dto.ts';
import type { ChartData } from '../lib/chart-data.ts';
import { TagHistoryState } from '../lib/tag-history.svelte.ts';
import type { ChartFactory } from '../lib/time-chart.ts';
import { formatTime } from '../lib/format.ts';
import { FakeApi, NOW, pending, problem, tagDefinition } from '../test/fixtures.ts';
import TagHistory from './TagHistory.svelte';

const range = { tag: 'boiler.temp', from: '2025-06-01T02:00:00.000Z', to: '2025-06-01T03:00:00.000Z' };

function fakeChart(): { makeChart: ChartFactory; drawn: ChartData[]; destroyed: () => number } {
  const drawn: ChartData[] = [];
  let destroyed = 0;
  return {
    drawn,
    destroyed: () => destroyed,
    makeChart: (_target, data) => {
      drawn.push(data);
      return Promise.resolve({
        setData: (next) => drawn.push(next),
        setSize: () => undefined,
        destroy: () => void (destroyed += 1),
      });
    },
  };
}

async function opened(
  answer: Promise<HistoryView> | (() => Promise<HistoryView>),
  makeChart?: ChartFactory,
  definition: Partial<TagDefinitionView> = {},
): Promise<TagHistoryState> {
  const api = new FakeApi();
  api.history.mockImplementation(typeof answer === 'function' ? answer : () => answer);
  const history = new TagHistoryState(api, { now: () => NOW });
  void history.open(tagDefinition({ name: 'boiler.temp', ...definition }));
  render(TagHistory, { history, makeChart });
  await Promise.resolve();
  return history;
}

describe('Tag history', () => {
  it('shows a loading state', async () => {
    await opened(pending());
    expect(screen.getByText('Loading history…')).toBeInTheDocument();
  });

  it('says when nothing was recorded in the range', async () => {
    await opened(Promise.resolve({ ...range, kind: 'raw', samples: [] }));
    expect(await screen.findByTestId('history-empty')).toHaveTextContent(
      'No values were recorded in the last 1 h.',
    );
  });

  it('shows an error with a retry', async () => {
    await opened(
      Promise.reject(problem({ status: 400, code: 'BAD_REQUEST', message: 'from: must not be after to' })),
    );
    expect(await screen.findByTestId('load-problem')).toHaveTextContent('from: must not be after to');
  });

  it('charts buckets as average, minimum and maximum, and offers them as a table', async () => {
    const user = userEvent.setup();
    const chart = fakeChart();
    await opened(
      Promise.resolve({
        ...range,
        kind: 'buckets',
        bucketMs: 60_000,
        buckets: [
          {
            from: '2025-06-01T02:00:00.000Z',
            to: '2025-06-01T02:01:00.000Z',
            count: 600,
            min: 1,
            max: 3,
            avg: 2,
            last: { ts: '2025-06-01T02:00:59.900Z', value: 2.5, quality: 'good' },
            notGood: 0,
          },
        ],
      }),
      chart.makeChart,
    );
    expect(await screen.findByTestId('history-summary')).toHaveTextContent(
      '600 samples as 1 interval (average',
    );
    await vi.waitFor(() => expect(chart.drawn).toHaveLength(1));
    expect(chart.drawn[0]?.series.map((s) => s.label)).toEqual(['Average', 'Minimum', 'Maximum']);
    expect(screen.getByRole('img', { name: 'Chart of boiler.temp over the last 1 h' })).toBeInTheDocument();
    await user.click(screen.getByText('Values as a table'));
    expect(screen.getByRole('columnheader', { name: 'Maximum' })).toBeVisible();
    expect(screen.getByRole('cell', { name: '2.5' })).toBeInTheDocument();
  });

  it('has no chart for text values, only the table', async () => {
    const chart = fakeChart();
    await opened(
      Promise.resolve({
        ...range,
        kind: 'raw',
        samples: [{ ts: range.from, value: 'open', quality: 'good' }],
      }),
      chart.makeChart,
    );
    expect(await screen.findByText(/not numbers, so there is no chart/)).toBeInTheDocument();
    expect(chart.drawn).toHaveLength(0);
    expect(screen.getByRole('cell', { name: 'open' })).toBeInTheDocument();
  });

  it('draws new data into the same chart and removes it when closed', async () => {
    const user = userEvent.setup();
    const chart = fakeChart();
    const samples = [{ ts: range.from, value: 1, quality: 'good' as const }];
    const history = await opened(() => Promise.resolve({ ...range, kind: 'raw', samples }), chart.makeChart);
    await vi.waitFor(() => expect(chart.drawn).toHaveLength(1));
    await user.click(screen.getByRole('button', { name: 'Refresh' }));
    await vi.waitFor(() => expect(chart.drawn).toHaveLength(2));
    history.close();
    await vi.waitFor(() => expect(chart.destroyed()).toBe(1));
  });

  it("the tag's unit and precision: on the chart, in the table's headers and cells, and in the CSV (issue 16)", async () => {
    const user = userEvent.setup();
    const chart = fakeChart();
    const samples = [
      { ts: '2025-06-01T02:00:00.000Z', value: 95.254, quality: 'good' as const },
      { ts: '2025-06-01T02:00:01.000Z', value: 94.9, quality: 'good' as const },
    ];
    await opened(Promise.resolve({ ...range, kind: 'raw', samples }), chart.makeChart, {
      unit: '°C',
      precision: 1,
    });
    await vi.waitFor(() => expect(chart.drawn).toHaveLength(1));
    expect(chart.drawn[0]).toMatchObject({ unit: '°C', precision: 1 });
    expect(
      screen.getByRole('img', { name: 'Chart of boiler.temp (°C) over the last 1 h' }),
    ).toBeInTheDocument();

    await user.click(screen.getByText('Values as a table'));
    expect(screen.getByRole('columnheader', { name: 'Value (°C)' })).toBeVisible();
    expect(screen.getByRole('cell', { name: '95.3' })).toBeInTheDocument();
    expect(screen.getByRole('cell', { name: formatTime('2025-06-01T02:00:00.000Z') })).toBeInTheDocument();

    const createObjectURL = vi.fn((_blob: Blob) => 'blob:csv');
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() }));
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    await user.click(screen.getByRole('button', { name: 'Export CSV' }));
    const text = (await createObjectURL.mock.calls[0]![0].text()).replace(/^\uFEFF/, '');
    expect(text.split('\r\n').slice(0, 2)).toEqual([
      expect.stringMatching(/^Time \(.+\),Value \(°C\),Quality$/),
      `${formatTime('2025-06-01T02:00:00.000Z')},95.3,Good`,
    ]);
    vi.unstubAllGlobals();
  });
});
