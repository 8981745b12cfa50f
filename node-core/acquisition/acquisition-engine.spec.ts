import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/index.ts';
import { AcquisitionEngine, type AcquisitionRole, type AcquisitionTag } from './acquisition-engine.ts';
import type { DeviceDefinition, ModbusSource } from './device-definition.ts';
import type { Driver, DriverTag, PolledScalar, PolledValue } from './driver.ts';
import { simulateValue } from './simulator-driver.ts';

/** Lets promise callbacks run (no time passes). */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

class FakeDriver implements Driver<ModbusSource> {
  readonly reads: string[][] = [];
  readonly writes: [string, PolledScalar][] = [];
  closed = false;
  /** When set, reads wait for `release()`. */
  hold = false;
  #pending: (() => void)[] = [];
  readonly key: string;
  readonly definition: DeviceDefinition;
  readonly #clock: ManualClock;
  readonly fault: (reason: string | null) => void;

  constructor(
    key: string,
    definition: DeviceDefinition,
    clock: ManualClock,
    fault: (reason: string | null) => void,
  ) {
    this.key = key;
    this.definition = definition;
    this.#clock = clock;
    this.fault = fault;
  }

  async read(tags: readonly DriverTag<ModbusSource>[]): Promise<PolledValue[]> {
    this.reads.push(tags.map((t) => t.name));
    if (this.hold) await new Promise<void>((resolve) => this.#pending.push(resolve));
    const ts = this.#clock.now();
    return tags.map((t) => ({ name: t.name, value: t.source.register, quality: 'good', ts }));
  }

  write(tag: DriverTag<ModbusSource>, value: PolledScalar): Promise<void> {
    this.writes.push([tag.name, value]);
    return Promise.resolve();
  }

  release(): void {
    for (const resolve of this.#pending.splice(0)) resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

interface Harness {
  clock: ManualClock;
  engine: AcquisitionEngine;
  role: AcquisitionRole;
  tags: AcquisitionTag[];
  devices: { key: string; definition: unknown }[];
  published: PolledValue[][];
  buffered: PolledValue[][];
  faults: [string, string | null][];
  drivers: FakeDriver[];
  driver(key: string): FakeDriver;
  /** How many times the engine read the whole tag list. */
  wholeReads: number;
  /** Tells the engine of a config change, as the config store does (nothing, for an engine not told). */
  changed(kind: 'tag' | 'device', key: string): void;
}

/** How an engine learns of config changes: told of each one (as in a node), or by reading all every cycle. */
type ConfigFeed = 'told' | 're-read';

const engines: AcquisitionEngine[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
});

const plc = { protocol: 'modbus-tcp', host: 'plc1', pollRateMs: 100 };

function modbusTag(name: string, device: string, register: number): AcquisitionTag {
  return {
    name,
    definition: {
      dataType: 'int',
      source: { kind: 'modbus', device, register, table: 'holding' } as ModbusSource,
    },
  };
}

const sineTag: AcquisitionTag = {
  name: 'sim',
  definition: {
    dataType: 'float',
    source: { kind: 'simulator', waveform: 'sine', periodMs: 4000, min: 0, max: 100 } as { kind: string },
  },
};
const memoryTag: AcquisitionTag = {
  name: 'mem',
  definition: { dataType: 'float', source: { kind: 'memory' } },
};

function harness(role: AcquisitionRole = 'active', feed: ConfigFeed = 're-read'): Harness {
  const clock = new ManualClock(10_000);
  let tell: (change: { kind: string; key: string }) => void = () => undefined;
  const h: Harness = {
    clock,
    role,
    tags: [sineTag, memoryTag, modbusTag('a', 'plc', 1), modbusTag('b', 'plc', 2)],
    devices: [{ key: 'plc', definition: plc }],
    published: [],
    buffered: [],
    faults: [],
    drivers: [],
    driver: (key) => {
      const found = h.drivers.filter((d) => d.key === key).at(-1);
      if (!found) throw new Error(`no driver for ${key}`);
      return found;
    },
    engine: undefined as unknown as AcquisitionEngine,
    wholeReads: 0,
    changed: (kind, key) => tell({ kind, key }),
  };
  const told =
    feed === 'told'
      ? {
          watchConfig: (listener: (change: { kind: string; key: string }) => void) => void (tell = listener),
          tag: (name: string) => h.tags.findLast((t) => t.name === name)?.definition,
        }
      : {};
  h.engine = new AcquisitionEngine(
    {
      clock,
      tags: () => {
        h.wholeReads++;
        return h.tags;
      },
      devices: () => h.devices,
      ...told,
      role: () => h.role,
      publish: (values) => h.published.push([...values]),
      buffer: (values) => h.buffered.push([...values]),
      deviceFault: (device, reason) => h.faults.push([device, reason]),
    },
    {
      simulatorRateMs: 1000,
      seed: 5,
      createDriver: (key, definition, ports) => {
        const driver = new FakeDriver(key, definition, clock, (reason) => ports.fault(reason));
        h.drivers.push(driver);
        return driver;
      },
    },
  );
  engines.push(h.engine);
  return h;
}

/** Moves the clock in steps, letting each poll finish before the next step. */
async function run(h: Harness, ms: number, stepMs = 50): Promise<void> {
  await flush();
  for (let done = 0; done < ms; done += stepMs) {
    h.clock.advance(Math.min(stepMs, ms - done));
    await flush();
  }
}

const names = (batches: PolledValue[][]): string[] => batches.flat().map((v) => v.name);

describe('AcquisitionEngine on the active node', () => {
  it('publishes device tags at the device poll rate and simulated tags at the simulator rate', async () => {
    const h = harness('active');
    h.engine.start();
    await run(h, 0);
    await run(h, 1000);
    const device = h.published.filter((b) => b[0]?.name === 'a');
    const simulated = h.published.filter((b) => b[0]?.name === 'sim');
    expect(device).toHaveLength(11); // at 0, 100, ..., 1000
    expect(device[1]).toEqual([
      { name: 'a', value: 1, quality: 'good', ts: 10_100 },
      { name: 'b', value: 2, quality: 'good', ts: 10_100 },
    ]);
    expect(simulated.map((b) => b[0]?.ts)).toEqual([10_000, 11_000]);
    const source = sineTag.definition.source as Parameters<typeof simulateValue>[0];
    expect(simulated[1]?.[0]?.value).toBe(simulateValue(source, 'sim', 11_000, 5));
    expect(names(h.published)).not.toContain('mem');
    expect(h.buffered).toEqual([]);
  });

  it('a slow device is not polled again before its answer is in', async () => {
    const h = harness('active');
    h.engine.start();
    await run(h, 0);
    const driver = h.driver('plc');
    driver.hold = true;
    await run(h, 100);
    const reads = driver.reads.length;
    await run(h, 500);
    expect(driver.reads.length).toBe(reads);
    driver.release();
    await run(h, 0);
    await run(h, 50);
    expect(driver.reads.length).toBe(reads + 1);
  });

  it('writes to a device tag through its driver; refuses other tags and standby nodes', async () => {
    const h = harness('active');
    h.engine.start();
    await run(h, 0);
    await h.engine.writeTag('b', 17);
    expect(h.driver('plc').writes).toEqual([['b', 17]]);
    await expect(h.engine.writeTag('mem', 1)).rejects.toMatchObject({ code: 'NOT_WRITABLE' });
    await expect(h.engine.writeTag('nope', 1)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    h.tags.push(modbusTag('lost', 'ghost', 0));
    await expect(h.engine.writeTag('lost', 1)).rejects.toMatchObject({ code: 'NO_DEVICE' });
    h.role = 'warm-standby';
    await expect(h.engine.writeTag('b', 1)).rejects.toMatchObject({ code: 'NOT_ACTIVE' });
  });
});

describe('AcquisitionEngine on a standby node (standby levels, docs/rules.md "Words")', () => {
  it('a warm standby polls but only hands values to the buffer', async () => {
    const h = harness('warm-standby');
    h.engine.start();
    await run(h, 1000);
    expect(h.published).toEqual([]);
    expect(names(h.buffered)).toContain('a');
    expect(names(h.buffered)).toContain('sim');
  });

  it('a cold standby polls nothing and holds no device connection', async () => {
    const h = harness('cold-standby');
    h.engine.start();
    await run(h, 3000);
    expect(h.published).toEqual([]);
    expect(h.buffered).toEqual([]);
    expect(h.drivers).toEqual([]);
  });

  it('follows role changes: active → cold closes devices, cold → warm polls into the buffer, → active publishes', async () => {
    const h = harness('active');
    h.engine.start();
    await run(h, 500);
    const first = h.driver('plc');
    h.role = 'cold-standby';
    await run(h, 1000);
    expect(first.closed).toBe(true);
    const publishedBefore = h.published.length;
    await run(h, 2000);
    expect(h.published.length).toBe(publishedBefore);
    h.role = 'warm-standby';
    await run(h, 1000);
    expect(h.buffered.length).toBeGreaterThan(0);
    expect(h.published.length).toBe(publishedBefore);
    h.role = 'active';
    await run(h, 200);
    expect(h.published.length).toBeGreaterThan(publishedBefore);
  });

  it('a read that finishes after the node stepped down goes to the buffer, not to runtime data', async () => {
    const h = harness('active');
    h.engine.start();
    await run(h, 0);
    const driver = h.driver('plc');
    driver.hold = true;
    await run(h, 100);
    const published = h.published.length;
    h.role = 'warm-standby';
    driver.release();
    await run(h, 0);
    expect(h.published.length).toBe(published);
    expect(names(h.buffered)).toEqual(['a', 'b']);
  });
});

describe.each<ConfigFeed>(['told', 're-read'])(
  'AcquisitionEngine and config changes (no restart; %s)',
  (feed) => {
    it('starts, restarts and stops device loops as devices are added, changed and removed', async () => {
      const h = harness('active', feed);
      h.engine.start();
      await run(h, 100);
      h.devices.push({ key: 'plc2', definition: { ...plc, host: 'plc2', pollRateMs: 200 } });
      h.changed('device', 'plc2');
      h.tags.push(modbusTag('c', 'plc2', 9));
      h.changed('tag', 'c');
      await run(h, 1000);
      expect(h.driver('plc2').reads.at(-1)).toEqual(['c']);

      const old = h.driver('plc');
      h.devices[0] = { key: 'plc', definition: { ...plc, pollRateMs: 500 } };
      h.changed('device', 'plc');
      h.engine.refresh();
      expect(old.closed).toBe(true);
      const fresh = h.driver('plc');
      expect(fresh).not.toBe(old);
      expect(fresh.definition.pollRateMs).toBe(500);
      const readsBefore = fresh.reads.length;
      await run(h, 1000);
      expect(fresh.reads.length - readsBefore).toBe(3); // at 0, 500, 1000

      h.devices.splice(1, 1);
      h.changed('device', 'plc2');
      h.engine.refresh();
      expect(h.driver('plc2').closed).toBe(true);
    });

    it('new tags on a device are read from the next config cycle on', async () => {
      const h = harness('active', feed);
      h.engine.start();
      await run(h, 100);
      h.tags.push(modbusTag('z', 'plc', 40));
      h.changed('tag', 'z');
      await run(h, 1000);
      expect(h.driver('plc').reads.at(-1)).toEqual(['a', 'b', 'z']);
    });
  },
);

describe.each<ConfigFeed>(['told', 're-read'])('AcquisitionEngine device faults (%s)', (feed) => {
  it('passes on a driver fault and its recovery once each; a removed faulted device is reported fine', async () => {
    const h = harness('active', feed);
    h.engine.start();
    await run(h, 0);
    const driver = h.driver('plc');
    driver.fault('no answer');
    driver.fault('no answer');
    expect(h.faults).toEqual([['plc', 'no answer']]);
    expect(h.engine.faults()).toEqual({ plc: 'no answer' });
    driver.fault(null);
    expect(h.faults).toEqual([
      ['plc', 'no answer'],
      ['plc', null],
    ]);
    driver.fault('refused');
    h.devices = [];
    h.changed('device', 'plc');
    h.engine.refresh();
    expect(h.faults.at(-1)).toEqual(['plc', null]);
    expect(h.engine.faults()).toEqual({});
  });

  it('an invalid device definition is a fault naming the field, and its tags are bad (once)', async () => {
    const h = harness('active', feed);
    h.devices = [{ key: 'plc', definition: { ...plc, pollRateMs: 5 } }];
    h.engine.start();
    await run(h, 3000);
    expect(h.faults).toEqual([['plc', 'invalid definition: pollRateMs: must be at least 50 ms']]);
    const bad = h.published.flat().filter((v) => v.name === 'a');
    expect(bad).toEqual([{ name: 'a', value: null, quality: 'bad', ts: 10_000 }]);
    expect(h.drivers).toEqual([]);

    h.devices = [{ key: 'plc', definition: plc }];
    h.changed('device', 'plc');
    await run(h, 1000);
    expect(h.faults.at(-1)).toEqual(['plc', null]);
    expect(
      h.published
        .flat()
        .filter((v) => v.name === 'a')
        .at(-1),
    ).toMatchObject({ quality: 'good' });
  });
});

describe('AcquisitionEngine told of config changes', () => {
  it('reads only the tags it was told changed, not the whole config, every cycle', async () => {
    const h = harness('active', 'told');
    h.engine.start();
    await run(h, 5000, 100);
    expect(h.wholeReads).toBe(1);
    h.tags.push(modbusTag('z', 'plc', 40));
    h.changed('tag', 'z');
    await run(h, 1000);
    expect(h.driver('plc').reads.at(-1)).toEqual(['a', 'b', 'z']);
    expect(h.wholeReads).toBe(1);
    // A device change can move every tag on it: the next cycle reads the whole config.
    h.devices[0] = { key: 'plc', definition: { ...plc, pollRateMs: 200 } };
    h.changed('device', 'plc');
    await run(h, 1000);
    expect(h.wholeReads).toBe(2);
  });

  it('polls exactly what an engine re-reading the whole config polls, through random tag and device changes', async () => {
    const told = harness('active', 'told');
    const reread = harness('active', 're-read');
    let state = 42;
    // The high bits of a linear congruential generator: its low bits repeat with a short period.
    const next = (n: number): number => ((state = (state * 1103515245 + 12345) % 2 ** 31) >>> 16) % n;
    const definitions = [
      (): AcquisitionTag['definition'] => modbusTag('', 'plc', next(50)).definition,
      (): AcquisitionTag['definition'] => modbusTag('', 'plc2', next(50)).definition,
      (): AcquisitionTag['definition'] => modbusTag('', 'ghost', 1).definition,
      (): AcquisitionTag['definition'] => modbusTag('', 'plc', -1).definition, // invalid register
      (): AcquisitionTag['definition'] => sineTag.definition,
      (): AcquisitionTag['definition'] => memoryTag.definition,
    ];
    const plc2 = [
      { key: 'plc2', definition: { ...plc, host: 'plc2' } },
      { key: 'plc2', definition: { ...plc, host: 'plc2', pollRateMs: 5 } }, // invalid: its tags are bad
    ];
    told.engine.start();
    reread.engine.start();
    for (let step = 0; step < 60; step++) {
      const change = next(10);
      for (const h of [told, reread]) h.published.length = 0;
      if (change === 0) {
        const device = next(3);
        for (const h of [told, reread]) {
          h.devices = [h.devices[0]!, ...(device < 2 ? [plc2[device]!] : [])];
          h.changed('device', 'plc2');
        }
      } else {
        const name = `t${next(12)}`;
        const kind = next(definitions.length + 1);
        const definition = kind < definitions.length ? definitions[kind]!() : null;
        for (const h of [told, reread]) {
          h.tags = h.tags.filter((t) => t.name !== name);
          if (definition) h.tags.push({ name, definition });
          h.changed('tag', name);
        }
      }
      await Promise.all([run(told, 1000), run(reread, 1000)]);
      const polled = (h: Harness): string[] =>
        h.published
          .flat()
          .map((v) => `${v.name}@${v.ts}:${v.quality}`)
          .sort();
      expect(polled(told), `step ${step}`).toEqual(polled(reread));
      expect(told.faults).toEqual(reread.faults);
    }
    expect(told.wholeReads).toBeLessThan(reread.wholeReads / 2);
  });
});

describe('AcquisitionEngine timers', () => {
  it('start() twice keeps one loop per device; stop() is idempotent, closes drivers and leaves no timer', async () => {
    const h = harness('active');
    h.engine.start();
    h.engine.start();
    await run(h, 0);
    expect(h.drivers.filter((d) => !d.closed)).toHaveLength(1);
    await run(h, 1000);
    expect(h.driver('plc').reads).toHaveLength(11);
    await h.engine.stop();
    await h.engine.stop();
    expect(h.drivers.every((d) => d.closed)).toBe(true);
    const published = h.published.length;
    await run(h, 5000, 100);
    expect(h.published.length).toBe(published);
    expect(h.faults).toEqual([]);
    expect(h.engine.running).toBe(false);
  });

  it('a stop during a read drops the late answer', async () => {
    const h = harness('active');
    h.engine.start();
    await run(h, 0);
    const driver = h.driver('plc');
    driver.hold = true;
    await run(h, 100);
    const published = h.published.length;
    await h.engine.stop();
    driver.release();
    await run(h, 0);
    expect(h.published.length).toBe(published);
  });

  it('a port that throws does not stop polling', async () => {
    const h = harness('active');
    let calls = 0;
    const engine = new AcquisitionEngine({
      clock: h.clock,
      tags: () => [sineTag],
      devices: () => [],
      role: () => 'active',
      publish: () => {
        calls++;
        throw new Error('database is locked');
      },
      buffer: () => undefined,
      deviceFault: () => undefined,
    });
    engines.push(engine);
    engine.start();
    await run(h, 3000, 500);
    expect(calls).toBe(4);
  });
});
