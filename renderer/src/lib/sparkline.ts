/**
 * The `points` of an SVG polyline for `values`, oldest at the left; the lowest value at the bottom. A flat
 * series is drawn in the middle. Null when there is nothing to draw (fewer than two values).
 */
export function sparklinePoints(values: readonly number[], width: number, height: number): string | null {
  if (values.length < 2) return null;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min;
  const step = width / (values.length - 1);
  const pad = 1;
  return values
    .map((v, i) => {
      const y = span === 0 ? height / 2 : pad + (1 - (v - min) / span) * (height - 2 * pad);
      return `${round(i * step)},${round(y)}`;
    })
    .join(' ');
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
