/**
 * The chart behind a small port, so that screens and tests never depend on the drawing library.
 * The real one is uPlot (canvas, no inline styles: it sets element.style from script only, which the
 * dashboard's CSP allows). It is loaded on first use, in its own chunk; its CSS is imported by
 * TimeChart.svelte, so it is part of the built stylesheet.
 */
import type uPlot from 'uplot';
import type { ChartData } from './chart-data.ts';
import { formatClock, formatDay, formatTime } from './format.ts';
import { formatTagValue } from './tag-format.ts';

export interface TimeChart {
  setData(data: ChartData): void;
  setSize(width: number, height: number): void;
  destroy(): void;
}

export type ChartFactory = (
  target: HTMLElement,
  data: ChartData,
  size: { readonly width: number; readonly height: number },
) => Promise<TimeChart>;

/** The theme's colours (app.css), for drawing on canvas. */
const COLOURS = { line: '#6cb6ff', faint: '#9ba7b4', axis: '#9ba7b4', grid: '#30363d' } as const;

function columns(data: ChartData): uPlot.AlignedData {
  return [Array.from(data.x), ...data.series.map((s) => Array.from(s.values))];
}

/**
 * The time axis in the dashboard's one time format: 24-hour `14:05` (with seconds when the ticks are under a
 * minute apart), the day `2025-06-01` beneath the first tick and wherever the day changes. The zone is said
 * once, beside the screen's title.
 */
export function timeAxisLabels(splits: readonly number[], step: number): string[] {
  let lastDay = '';
  return splits.map((seconds) => {
    const date = new Date(seconds * 1000);
    const day = formatDay(date);
    const clock = formatClock(date, step < 60);
    const label = day === lastDay ? clock : `${clock}\n${day}`;
    lastDay = day;
    return label;
  });
}

/** A value as the legend shows it: the tag's precision and unit. */
export function legendValue(data: Pick<ChartData, 'unit' | 'precision'>, value: number | null): string {
  return formatTagValue(value, {
    ...(data.unit !== null ? { unit: data.unit } : {}),
    ...(data.precision !== null ? { precision: data.precision } : {}),
  });
}

function options(
  data: ChartData,
  size: { width: number; height: number },
  range: () => readonly [number, number],
): uPlot.Options {
  // The axes' text grows with the page's (15 px at 1280 wide, about 19 px at 1920: app.css).
  const scale = rootFontPx() / 15;
  const font = `${Math.round(12 * scale)}px system-ui, sans-serif`;
  const axis: uPlot.Axis = {
    font,
    labelFont: `600 ${font}`,
    stroke: COLOURS.axis,
    grid: { stroke: COLOURS.grid, width: 1 },
    ticks: { stroke: COLOURS.grid, width: 1 },
  };
  return {
    width: size.width,
    height: size.height,
    scales: { x: { time: true, range: () => [range()[0], range()[1]] } },
    axes: [
      {
        ...axis,
        size: Math.round(50 * scale),
        values: (_u, splits, _axis, _space, step) => timeAxisLabels(splits, step),
      },
      {
        ...axis,
        size: Math.round(60 * scale),
        ...(data.unit !== null ? { label: data.unit, labelSize: Math.round(24 * scale) } : {}),
      },
    ],
    series: [
      {
        label: 'Time',
        value: (_u, seconds) => (seconds === null ? '—' : formatTime(new Date(seconds * 1000).toISOString())),
      },
      ...data.series.map((s): uPlot.Series => ({
        label: s.label,
        value: (_u, value) => legendValue(data, value),
        stroke: s.faint ? COLOURS.faint : COLOURS.line,
        width: s.faint ? 1 : 2,
        ...(s.faint ? { dash: [4, 4] } : {}),
        spanGaps: false,
        points: { show: false },
      })),
    ],
  };
}

function rootFontPx(): number {
  const px = parseFloat(getComputedStyle(document.documentElement).fontSize);
  return Number.isFinite(px) && px > 0 ? px : 15;
}

const signature = (data: ChartData): string => data.series.map((s) => s.label).join('|');

/** A uPlot chart; new series (raw samples ↔ buckets) make a new plot, the same ones just get new data. */
export const createUplotChart: ChartFactory = async (target, data, size) => {
  const { default: UPlot } = await import('uplot');
  let current = { width: size.width, height: size.height };
  let shape = signature(data);
  let range = data.range;
  const xRange = (): readonly [number, number] => range;
  let plot = new UPlot(options(data, current, xRange), columns(data), target);
  return {
    setData(next) {
      range = next.range;
      if (signature(next) === shape) {
        plot.setData(columns(next));
        return;
      }
      plot.destroy();
      shape = signature(next);
      plot = new UPlot(options(next, current, xRange), columns(next), target);
    },
    setSize(width, height) {
      current = { width, height };
      plot.setSize(current);
    },
    destroy() {
      plot.destroy();
    },
  };
};
