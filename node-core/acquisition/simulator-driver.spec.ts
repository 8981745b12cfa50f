import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/index.ts';
import {
  SimulatorDriver,
  asSimulatorSource,
  simulateValue,
  unitRandom,
  type SimulatorSource,
} from './simulator-driver.ts';

const sine: SimulatorSource = { kind: 'simulator', waveform: 'sine', periodMs: 4000, min: 0, max: 100 };
const ramp: SimulatorSource = { ...sine, waveform: 'ramp' };
const random: SimulatorSource = { ...sine, waveform: 'random', min: -5, max: 5 };

describe('simulator waveforms are a pure function of time', () => {
  it('sine starts at the middle, peaks at a quarter period, bottoms at three quarters, repeats', () => {
    expect(simulateValue(sine, 't', 0, 1)).toBeCloseTo(50);
    expect(simulateValue(sine, 't', 1000, 1)).toBeCloseTo(100);
    expect(simulateValue(sine, 't', 2000, 1)).toBeCloseTo(50);
    expect(simulateValue(sine, 't', 3000, 1)).toBeCloseTo(0);
    expect(simulateValue(sine, 't', 5000, 1)).toBeCloseTo(100);
  });

  it('ramp climbs from min towards max over a period, then starts again', () => {
    expect(simulateValue(ramp, 't', 0, 1)).toBe(0);
    expect(simulateValue(ramp, 't', 1000, 1)).toBe(25);
    expect(simulateValue(ramp, 't', 3999, 1)).toBeCloseTo(99.975);
    expect(simulateValue(ramp, 't', 4000, 1)).toBe(0);
    expect(simulateValue(ramp, 't', -1000, 1)).toBe(75);
  });

  it('random stays within min and max, is the same for the same seed, name and time, and differs otherwise', () => {
    const at = (name: string, t: number, seed = 7): number => simulateValue(random, name, t, seed);
    for (let t = 0; t < 100_000; t += 137) {
      const v = at('a', t);
      expect(v).toBeGreaterThanOrEqual(-5);
      expect(v).toBeLessThanOrEqual(5);
      expect(at('a', t)).toBe(v);
    }
    expect(at('a', 1234)).not.toBe(at('b', 1234));
    expect(at('a', 1234)).not.toBe(at('a', 1234, 8));
  });

  it('random joins its points without jumps: neighbouring milliseconds are close', () => {
    let worst = 0;
    for (let t = 0; t < 40_000; t += 10) {
      worst = Math.max(
        worst,
        Math.abs(simulateValue(random, 'a', t + 1, 3) - simulateValue(random, 'a', t, 3)),
      );
    }
    expect(worst).toBeLessThan((10 / 4000) * 1.0001);
  });

  it('the seeded generator spreads its values over [0, 1)', () => {
    const buckets = new Array<number>(10).fill(0);
    for (let k = 0; k < 10_000; k++) {
      const u = unitRandom(42, 'tag', k);
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      buckets[Math.floor(u * 10)]! += 1;
    }
    for (const count of buckets) expect(count).toBeGreaterThan(850);
  });
});

describe('SimulatorDriver', () => {
  it('reads every tag at the clock time, in the tag data type, with good quality', async () => {
    const clock = new ManualClock(1000);
    const driver = new SimulatorDriver({ clock, seed: 1 });
    const values = await driver.read([
      { name: 'f', dataType: 'float', source: sine },
      { name: 'i', dataType: 'int', source: { ...ramp, max: 10 } },
      { name: 'b', dataType: 'bool', source: sine },
      { name: 's', dataType: 'string', source: ramp },
    ]);
    expect(values).toEqual([
      { name: 'f', value: expect.closeTo(100) as number, quality: 'good', ts: 1000 },
      { name: 'i', value: 3, quality: 'good', ts: 1000 },
      { name: 'b', value: true, quality: 'good', ts: 1000 },
      { name: 's', value: '25', quality: 'good', ts: 1000 },
    ]);
    clock.advance(2000);
    const [later] = await driver.read([{ name: 'b', dataType: 'bool', source: sine }]);
    expect(later).toMatchObject({ value: false, ts: 3000 });
    await driver.close();
    await driver.close();
  });

  it('accepts only well-formed simulator sources', () => {
    expect(asSimulatorSource(sine)).toBe(sine);
    expect(asSimulatorSource({ kind: 'memory' })).toBeNull();
    const square: { kind: string } = { ...sine, waveform: 'square' } as unknown as SimulatorSource;
    expect(asSimulatorSource(square)).toBeNull();
    const stopped: SimulatorSource = { ...sine, periodMs: 0 };
    expect(asSimulatorSource(stopped)).toBeNull();
  });
});
