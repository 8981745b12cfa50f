/**
 * History answers as chart columns: x in seconds since the epoch (uPlot's unit), one column per series,
 * null where there is nothing to draw (a bad sample, a text value, an empty bucket). Pure functions.
 */
import type { HistorySampleView, HistoryView } from '../../../node-core/dto.ts';
import type { TagDisplay } from './tag-format.ts';

interface ChartSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
  /** The line drawn thin and dashed (bucket min and max around the average). */
  readonly faint?: boolean;
}

export interface ChartData {
  readonly x: readonly number[];
  readonly series: readonly ChartSeries[];
  /** The time range asked for, in seconds: the chart spans it even where there are no samples. */
  readonly range: readonly [number, number];
  /** The tag's engineering unit (the value axis says it) and decimal places (the legend's values), or null. */
  readonly unit: string | null;
  readonly precision: number | null;
}

/** A sample as a number to plot: true = 1, false = 0; text and bad samples have none. */
function plotValue(sample: HistorySampleView): number | null {
  if (sample.quality === 'bad') return null;
  if (typeof sample.value === 'number') return Number.isFinite(sample.value) ? sample.value : null;
  if (typeof sample.value === 'boolean') return sample.value ? 1 : 0;
  return null;
}

export function chartData(view: HistoryView, display?: TagDisplay | null): ChartData {
  const range: [number, number] = [Date.parse(view.from) / 1000, Date.parse(view.to) / 1000];
  const shown = { unit: display?.unit ?? null, precision: display?.precision ?? null };
  if (view.kind === 'raw') {
    return {
      x: view.samples.map((s) => Date.parse(s.ts) / 1000),
      series: [{ label: 'Value', values: view.samples.map(plotValue) }],
      range,
      ...shown,
    };
  }
  return {
    range,
    ...shown,
    // Each bucket drawn at its middle.
    x: view.buckets.map((b) => (Date.parse(b.from) + Date.parse(b.to)) / 2000),
    series: [
      { label: 'Average', values: view.buckets.map((b) => b.avg) },
      { label: 'Minimum', values: view.buckets.map((b) => b.min), faint: true },
      { label: 'Maximum', values: view.buckets.map((b) => b.max), faint: true },
    ],
  };
}

/** Whether any series has a point to draw. */
export function hasPoints(data: ChartData): boolean {
  return data.series.some((s) => s.values.some((v) => v !== null));
}

/** How many samples the answer stands for (buckets count what they summarise). */
export function sampleCount(view: HistoryView): number {
  return view.kind === 'raw' ? view.samples.length : view.buckets.reduce((n, b) => n + b.count, 0);
}
