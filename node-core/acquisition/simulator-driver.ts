/**
 * Simulated tags: each value is a pure function of the time, the tag's name and a seed, so a ManualClock
 * makes them exactly predictable and two nodes with the same seed see the same curve.
 */
import type { Clock } from '../clock/index.ts';
import {
  fromNumber,
  type DataType,
  type Driver,
  type DriverTag,
  type PolledScalar,
  type PolledValue,
} from './driver.ts';

type Waveform = 'sine' | 'ramp' | 'random';

/** The simulator source of a tag definition (data/tag-definition.ts). */
export interface SimulatorSource {
  readonly kind: 'simulator';
  readonly waveform: Waveform;
  readonly periodMs: number;
  readonly min: number;
  readonly max: number;
}

/** The source if it is a usable simulator source; config is validated on the way in, this guards the rest. */
export function asSimulatorSource(source: { readonly kind: string }): SimulatorSource | null {
  if (source.kind !== 'simulator') return null;
  const s = source as Partial<SimulatorSource>;
  const ok =
    (s.waveform === 'sine' || s.waveform === 'ramp' || s.waveform === 'random') &&
    typeof s.periodMs === 'number' &&
    s.periodMs > 0 &&
    typeof s.min === 'number' &&
    typeof s.max === 'number';
  return ok ? (source as SimulatorSource) : null;
}

/**
 * The waveform's value at `t`, between min and max:
 * - sine: one full wave per period, starting at the middle and rising;
 * - ramp: from min at the start of each period up towards max, then back to min;
 * - random: a new random point at each period boundary (seeded by seed, tag name and period number),
 *   joined by straight lines, so the curve wanders without jumps.
 */
export function simulateValue(source: SimulatorSource, name: string, t: number, seed: number): number {
  const { min, max, periodMs } = source;
  const span = max - min;
  const phase = (((t % periodMs) + periodMs) % periodMs) / periodMs;
  switch (source.waveform) {
    case 'sine':
      return min + span * (0.5 + 0.5 * Math.sin(2 * Math.PI * phase));
    case 'ramp':
      return min + span * phase;
    case 'random': {
      const k = Math.floor(t / periodMs);
      const a = unitRandom(seed, name, k);
      const b = unitRandom(seed, name, k + 1);
      return min + span * (a + (b - a) * phase);
    }
  }
}

/** A value in [0, 1) that depends only on its three inputs (FNV-1a of the name, then a mulberry32 step). */
export function unitRandom(seed: number, name: string, k: number): number {
  let h = 0x811c9dc5 ^ (seed | 0);
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (k | 0), 0x01000193);
  h = Math.imul(h ^ Math.floor(k / 0x1_0000_0000), 0x01000193);
  let x = (h + 0x6d2b79f5) | 0;
  x = Math.imul(x ^ (x >>> 15), x | 1);
  x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
  return ((x ^ (x >>> 14)) >>> 0) / 0x1_0000_0000;
}

function asType(raw: number, source: SimulatorSource, dataType: DataType): PolledScalar {
  if (dataType === 'bool') return raw >= (source.min + source.max) / 2;
  if (dataType === 'string') return String(Math.round(raw * 1000) / 1000);
  return fromNumber(raw, dataType);
}

export interface SimulatorDriverOptions {
  readonly clock: Clock;
  /** Same seed, same random curves. */
  readonly seed?: number;
}

export class SimulatorDriver implements Driver<SimulatorSource> {
  readonly #clock: Clock;
  readonly #seed: number;

  constructor(options: SimulatorDriverOptions) {
    this.#clock = options.clock;
    this.#seed = options.seed ?? 1;
  }

  read(tags: readonly DriverTag<SimulatorSource>[]): Promise<PolledValue[]> {
    const ts = this.#clock.now();
    return Promise.resolve(
      tags.map((tag) => ({
        name: tag.name,
        value: asType(simulateValue(tag.source, tag.name, ts, this.#seed), tag.source, tag.dataType),
        quality: 'good' as const,
        ts,
      })),
    );
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
