/**
 * The chart behind a small port, so that screens and tests never depend on the drawing library.
 * The real one is uPlot (canvas, no inline styles: it sets element.style from script only, which the
 * dashboard's CSP allows). It is loaded on first use, in its own chunk; its CSS is imported by
 * TimeChart.svelte, so it is part of the built stylesheet.
 */
import type uPlot from 'uplot';
import type { ChartData } from './chart-data.ts';

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

function options(
  data: ChartData,
  size: { width: number; height: number },
  range: () => readonly [number, number],
): uPlot.Options {
  const axis: uPlot.Axis = {
    stroke: COLOURS.axis,
    grid: { stroke: COLOURS.grid, width: 1 },
    ticks: { stroke: COLOURS.grid, width: 1 },
  };
  return {
    width: size.width,
    height: size.height,
    scales: { x: { time: true, range: () => [range()[0], range()[1]] } },
    axes: [axis, { ...axis, size: 60 }],
    series: [
      {},
      ...data.series.map((s): uPlot.Series => ({
        label: s.label,
        stroke: s.faint ? COLOURS.faint : COLOURS.line,
        width: s.faint ? 1 : 2,
        ...(s.faint ? { dash: [4, 4] } : {}),
        spanGaps: false,
        points: { show: false },
      })),
    ],
  };
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
