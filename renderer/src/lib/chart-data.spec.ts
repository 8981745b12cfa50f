import { describe, expect, it } from 'vitest';
import { chartData, hasPoints, sampleCount } from './chart-data.ts';
import { legendValue, timeAxisLabels } from './time-chart.ts';

const range = { tag: 't', from: '2025-06-01T02:00:00.000Z', to: '2025-06-01T03:00:00.000Z' };

describe('chartData', () => {
  it('plots raw samples in seconds; bad samples and text as gaps, booleans as 1 and 0', () => {
    const data = chartData({
      ...range,
      kind: 'raw',
      samples: [
        { ts: '2025-06-01T02:00:00.000Z', value: 1.5, quality: 'good' },
        { ts: '2025-06-01T02:00:01.000Z', value: 9, quality: 'bad' },
        { ts: '2025-06-01T02:00:02.000Z', value: true, quality: 'uncertain' },
        { ts: '2025-06-01T02:00:03.000Z', value: 'open', quality: 'good' },
        { ts: '2025-06-01T02:00:04.000Z', value: null, quality: 'good' },
      ],
    });
    const t0 = Date.parse('2025-06-01T02:00:00.000Z') / 1000;
    expect(data.x).toEqual([t0, t0 + 1, t0 + 2, t0 + 3, t0 + 4]);
    expect(data.range).toEqual([t0, t0 + 3600]);
    expect(data.series).toEqual([{ label: 'Value', values: [1.5, null, 1, null, null] }]);
    expect(hasPoints(data)).toBe(true);
  });

  it('plots buckets at their middle with average, minimum and maximum', () => {
    const view = {
      ...range,
      kind: 'buckets' as const,
      bucketMs: 60_000,
      buckets: [
        {
          from: '2025-06-01T02:00:00.000Z',
          to: '2025-06-01T02:01:00.000Z',
          count: 60,
          min: 1,
          max: 3,
          avg: 2,
          last: { ts: '2025-06-01T02:00:59.000Z', value: 2, quality: 'good' as const },
          notGood: 0,
        },
      ],
    };
    const data = chartData(view);
    expect(data.x).toEqual([Date.parse('2025-06-01T02:00:30.000Z') / 1000]);
    expect(data.series.map((s) => [s.label, s.values[0]])).toEqual([
      ['Average', 2],
      ['Minimum', 1],
      ['Maximum', 3],
    ]);
    expect(sampleCount(view)).toBe(60);
  });

  it('has no points for text-only history', () => {
    const data = chartData({
      ...range,
      kind: 'raw',
      samples: [{ ts: range.from, value: 'x', quality: 'good' }],
    });
    expect(hasPoints(data)).toBe(false);
  });

  it("carries the tag's unit and precision for the axis and the legend (issue 16)", () => {
    const data = chartData({ ...range, kind: 'raw', samples: [] }, { unit: 'bar', precision: 2 });
    expect(data).toMatchObject({ unit: 'bar', precision: 2 });
    expect(chartData({ ...range, kind: 'raw', samples: [] })).toMatchObject({ unit: null, precision: null });
  });
});

describe('time chart labels', () => {
  it('writes the time axis 24-hour, the day under the first tick and where it changes', () => {
    const at = (h: number, m: number, d = 1): number => new Date(2025, 5, d, h, m).getTime() / 1000;
    expect(timeAxisLabels([at(22, 0), at(23, 0), at(0, 0, 2), at(13, 0, 2)], 3600)).toEqual([
      '22:00\n2025-06-01',
      '23:00',
      '00:00\n2025-06-02',
      '13:00',
    ]);
    expect(timeAxisLabels([at(13, 0), at(13, 0) + 15], 15)).toEqual(['13:00:00\n2025-06-01', '13:00:15']);
  });

  it('shows legend values with the precision and unit', () => {
    expect(legendValue({ unit: '°C', precision: 1 }, 95.254)).toBe('95.3 °C');
    expect(legendValue({ unit: null, precision: null }, 1 / 3)).toBe('0.333333');
    expect(legendValue({ unit: 'bar', precision: 2 }, null)).toBe('—');
  });
});
