/**
 * Polls the devices and simulated tags of the config, and hands what it read to the node according to its
 * role (docs/rules.md "Words", standby level, and "Roles 5"):
 * - active: values are published (they become runtime data: stored, alarmed, replicated, recorded);
 * - warm standby: devices are polled but values only go to the warm buffer, nothing is processed;
 * - cold standby, stopped: nothing is polled and device connections are closed.
 *
 * Each device has its own loop at its poll rate; simulated tags share one loop at `simulatorRateMs`, which
 * also applies config changes (the tags it was told changed, or the whole config) so that they take effect
 * without a restart. Time is the injected clock; every timer is owned and cleared on stop; a callback from
 * before the last start/stop does nothing.
 */
import type { Clock, TimerHandle } from '../clock/index.ts';
import type { Logger } from '../logging.ts';
import {
  deviceDefinitionSchema,
  describeIssues,
  modbusSourceSchema,
  type DeviceDefinition,
  type ModbusSource,
} from './device-definition.ts';
import {
  AcquisitionError,
  type DataType,
  type Driver,
  type PolledScalar,
  type PolledValue,
} from './driver.ts';
import { ModbusTcpDriver } from './modbus-tcp-driver.ts';
import { SimulatorDriver } from './simulator-driver.ts';
import { TagPlacement } from './tag-placement.ts';

export type AcquisitionRole = 'active' | 'warm-standby' | 'cold-standby' | 'stopped';

/** A tag as the config holds it (data/tag-definition.ts `TagDefinition` fits). */
export interface AcquisitionTag {
  readonly name: string;
  readonly definition: { readonly dataType: DataType; readonly source: { readonly kind: string } };
}

/** A config change as `watchConfig` tells it: one item of a kind, or anything at all (`'all'`). */
type ConfigChangeNotice = { readonly kind: string; readonly key: string } | 'all';

export interface AcquisitionPorts {
  readonly clock: Clock;
  tags(): readonly AcquisitionTag[];
  /**
   * Tells of every config change as it is made. With it (and `tag`), a cycle reads again only the tags that
   * changed, not all of them: with 60,000 tags in `npm run bench` the whole pass held each node's event loop
   * 7–10 ms every second, the most a config change waited. Without it, every cycle reads the whole config.
   */
  watchConfig?(listener: (change: ConfigChangeNotice) => void): void;
  /** One tag's definition as the config holds it now, for the changes `watchConfig` tells of. */
  tag?(name: string): AcquisitionTag['definition'] | undefined;
  /** Device definitions as stored (config kind 'device'); they are validated here, defaults applied. */
  devices(): readonly { readonly key: string; readonly definition: unknown }[];
  role(): AcquisitionRole;
  /** Active node: the values become runtime data. */
  publish(values: readonly PolledValue[]): void;
  /** Warm standby: the values go to the warm buffer only. */
  buffer(values: readonly PolledValue[]): void;
  /** A device became unreachable or misconfigured (reason), or is fine again (null); once per change. */
  deviceFault(device: string, reason: string | null): void;
}

export type DriverFactory = (
  key: string,
  device: DeviceDefinition,
  ports: { readonly clock: Clock; fault(reason: string | null): void },
) => Driver<ModbusSource>;

export interface AcquisitionOptions {
  /** How often simulated tags are computed and the config is re-read. Default 1000 ms. */
  readonly simulatorRateMs?: number;
  /** Seed of the simulator's random waveforms. */
  readonly seed?: number;
  /** Makes the driver of a device; tests pass fakes. Default: Modbus TCP. */
  readonly createDriver?: DriverFactory;
  readonly logger?: Logger;
}

interface DeviceLoop {
  readonly key: string;
  readonly json: string;
  readonly definition: DeviceDefinition;
  readonly driver: Driver<ModbusSource>;
  timer: TimerHandle | null;
  fault: string | null;
}

const defaultFactory: DriverFactory = (_key, device, ports) => new ModbusTcpDriver(device, ports);

export class AcquisitionEngine {
  readonly #p: AcquisitionPorts;
  readonly #rateMs: number;
  readonly #createDriver: DriverFactory;
  readonly #logger: Logger | undefined;
  readonly #simulator: SimulatorDriver;
  readonly #loops = new Map<string, DeviceLoop>();
  /** Devices whose definition does not validate, with the reason reported. */
  readonly #invalid = new Map<string, string>();
  /** Where each acquired tag is read. */
  readonly #tags = new TagPlacement();
  /** The next cycle reads the whole config (start, a device change, a reset of the config, a role change). */
  #wholePass = true;
  /** Tags changed since the last cycle, when `watchConfig` tells of changes. */
  readonly #changedTags = new Set<string>();
  #running = false;
  /** Grows on every start and stop; a callback carrying an older one is stale. */
  #generation = 0;
  #mainTimer: TimerHandle | null = null;

  constructor(ports: AcquisitionPorts, options: AcquisitionOptions = {}) {
    this.#p = ports;
    this.#rateMs = options.simulatorRateMs ?? 1000;
    this.#createDriver = options.createDriver ?? defaultFactory;
    this.#logger = options.logger;
    this.#simulator = new SimulatorDriver({ clock: ports.clock, seed: options.seed ?? 1 });
    ports.watchConfig?.((change) => {
      if (change === 'all' || change.kind === 'device') this.#wholePass = true;
      else if (change.kind === 'tag') this.#changedTags.add(change.key);
    });
  }

  get running(): boolean {
    return this.#running;
  }

  /** Devices that are faulted now, with the reason. */
  faults(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, reason] of this.#invalid) out[key] = reason;
    for (const loop of this.#loops.values()) if (loop.fault !== null) out[loop.key] = loop.fault;
    return out;
  }

  /** Starts polling (a running engine is stopped first): the config is read and the first polls run now. */
  start(): void {
    void this.#halt();
    this.#running = true;
    this.#generation++;
    this.#mainTick(this.#generation);
  }

  /** Stops every loop and closes every device connection. Idempotent; reports nothing. */
  async stop(): Promise<void> {
    await this.#halt();
  }

  /** Reads the config again now (call it after a tag or device change to apply it before the next cycle). */
  refresh(): void {
    if (this.#running) this.#reconcile(this.#generation);
  }

  /** Writes a value to the device behind a tag; only the active node writes (docs/rules.md "Roles 5"). */
  async writeTag(name: string, value: PolledScalar): Promise<void> {
    if (!this.#running || this.#p.role() !== 'active')
      throw new AcquisitionError('NOT_ACTIVE', 'only the active node writes to devices');
    const definition = this.#p.tag
      ? this.#p.tag(name)
      : this.#p.tags().find((t) => t.name === name)?.definition;
    if (!definition) throw new AcquisitionError('NOT_FOUND', `no tag "${name}"`);
    const tag: AcquisitionTag = { name, definition };
    const source =
      tag.definition.source.kind === 'modbus' ? modbusSourceSchema.safeParse(tag.definition.source) : null;
    if (!source?.success)
      throw new AcquisitionError(
        'NOT_WRITABLE',
        `tag "${name}" is not fed by a device (source: ${tag.definition.source.kind})`,
      );
    let loop = this.#loops.get(source.data.device);
    if (!loop) {
      this.#reconcile(this.#generation);
      loop = this.#loops.get(source.data.device);
    }
    if (!loop) {
      const why = this.#invalid.get(source.data.device);
      throw new AcquisitionError(
        'NO_DEVICE',
        why ? `device "${source.data.device}" is misconfigured: ${why}` : `no device "${source.data.device}"`,
      );
    }
    if (!loop.driver.write)
      throw new AcquisitionError('NOT_WRITABLE', `device "${loop.key}" does not take writes`);
    await loop.driver.write({ name, dataType: tag.definition.dataType, source: source.data }, value);
  }

  // ---- loops ----

  #mainTick(generation: number): void {
    if (!this.#current(generation)) return;
    this.#mainTimer = null;
    this.#reconcile(generation);
    void this.#pollSimulated(generation);
    this.#mainTimer = this.#p.clock.setTimeout(() => this.#mainTick(generation), this.#rateMs);
  }

  async #pollSimulated(generation: number): Promise<void> {
    const tags = this.#tags.simulated;
    if (tags.length === 0 || !polls(this.#safeRole())) return;
    const values = await this.#simulator.read(tags);
    if (this.#current(generation)) this.#deliver(values);
  }

  async #deviceTick(loop: DeviceLoop, generation: number): Promise<void> {
    if (!this.#owns(loop, generation)) return;
    loop.timer = null;
    const startedAt = this.#p.clock.now();
    if (polls(this.#safeRole())) {
      const tags = this.#tags.onDevice(loop.key);
      let values: PolledValue[];
      try {
        values = await loop.driver.read(tags);
      } catch (error) {
        // Drivers do not reject; one that does still must not stop the loop.
        this.#logger?.warn({ device: loop.key, err: error }, 'driver read failed');
        values = tags.map((t) => ({ name: t.name, value: null, quality: 'bad', ts: this.#p.clock.now() }));
      }
      if (!this.#owns(loop, generation)) return;
      if (values.length > 0) this.#deliver(values);
    }
    const delay = Math.max(0, startedAt + loop.definition.pollRateMs - this.#p.clock.now());
    loop.timer = this.#p.clock.setTimeout(() => void this.#deviceTick(loop, generation), delay);
  }

  /** Brings the device loops and the tag index in line with the config and the role. */
  #reconcile(generation: number): void {
    const role = this.#safeRole();
    if (!polls(role)) {
      // Cold standby or stopped: collect nothing, hold no connections.
      for (const loop of [...this.#loops.values()]) this.#closeLoop(loop, true);
      this.#tags.acquireNone();
      this.#wholePass = true;
      return;
    }
    const told = this.#p.watchConfig !== undefined && this.#p.tag !== undefined;
    if (told && !this.#wholePass) {
      this.#replaceChangedTags();
      return;
    }
    let devices: readonly { key: string; definition: unknown }[];
    let tags: readonly AcquisitionTag[];
    try {
      devices = this.#p.devices();
      tags = this.#p.tags();
    } catch (error) {
      this.#logger?.warn({ err: error }, 'cannot read the config; polling goes on with the last one');
      return;
    }
    // What was told so far is in what was just read.
    this.#wholePass = false;
    this.#changedTags.clear();

    const valid = new Map<string, { json: string; definition: DeviceDefinition }>();
    const seenInvalid = new Set<string>();
    for (const { key, definition } of devices) {
      const parsed = deviceDefinitionSchema.safeParse(definition);
      if (parsed.success) {
        valid.set(key, { json: JSON.stringify(parsed.data), definition: parsed.data });
        continue;
      }
      seenInvalid.add(key);
      const reason = `invalid definition: ${describeIssues(parsed.error)}`;
      if (this.#invalid.get(key) !== reason) {
        const wasFaulted = this.#invalid.has(key);
        this.#invalid.set(key, reason);
        if (!wasFaulted) this.#fault(key, reason);
      }
    }
    for (const key of [...this.#invalid.keys()]) {
      if (seenInvalid.has(key)) continue;
      this.#invalid.delete(key);
      // Fixed (a loop starts below and reports anew) or removed: either way this fault is over.
      this.#fault(key, null);
    }

    const orphaned = this.#tags.placeAll(tags, new Set(valid.keys()));

    for (const loop of [...this.#loops.values()]) {
      if (valid.get(loop.key)?.json !== loop.json) this.#closeLoop(loop, true);
    }
    for (const [key, { json, definition }] of valid) {
      if (this.#loops.has(key)) continue;
      const loop: DeviceLoop = {
        key,
        json,
        definition,
        timer: null,
        fault: null,
        driver: this.#createDriver(key, definition, {
          clock: this.#p.clock,
          fault: (reason) => {
            if (!this.#owns(loop, this.#generation) || loop.fault === reason) return;
            loop.fault = reason;
            this.#fault(key, reason);
          },
        }),
      };
      this.#loops.set(key, loop);
      loop.timer = this.#p.clock.setTimeout(() => void this.#deviceTick(loop, generation), 0);
    }
    if (orphaned.length > 0) this.#deliver(orphaned.map((name) => this.#badValue(name)));
  }

  /** The tags `watchConfig` told of, placed again as they are now. */
  #replaceChangedTags(): void {
    if (this.#changedTags.size === 0) return;
    let orphaned: string[];
    try {
      orphaned = this.#tags.replaceChanged(this.#changedTags, (name) => this.#p.tag!(name));
    } catch (error) {
      this.#logger?.warn({ err: error }, 'cannot read the config; the next cycle reads all of it');
      this.#wholePass = true;
      return;
    }
    this.#changedTags.clear();
    if (orphaned.length > 0) this.#deliver(orphaned.map((name) => this.#badValue(name)));
  }

  #badValue(name: string): PolledValue {
    return { name, value: null, quality: 'bad', ts: this.#p.clock.now() };
  }

  #closeLoop(loop: DeviceLoop, report: boolean): void {
    if (loop.timer) this.#p.clock.clearTimeout(loop.timer);
    loop.timer = null;
    this.#loops.delete(loop.key);
    void loop.driver
      .close()
      .catch((error: unknown) => this.#logger?.warn({ err: error }, 'driver close failed'));
    if (report && loop.fault !== null && !this.#invalid.has(loop.key)) this.#fault(loop.key, null);
    loop.fault = null;
  }

  /** Stops timers and closes drivers without reporting anything. */
  async #halt(): Promise<void> {
    this.#running = false;
    this.#generation++;
    if (this.#mainTimer) this.#p.clock.clearTimeout(this.#mainTimer);
    this.#mainTimer = null;
    const loops = [...this.#loops.values()];
    for (const loop of loops) {
      if (loop.timer) this.#p.clock.clearTimeout(loop.timer);
      loop.timer = null;
    }
    this.#loops.clear();
    this.#invalid.clear();
    this.#tags.reset();
    this.#wholePass = true;
    await Promise.all(loops.map((l) => l.driver.close().catch(() => undefined)));
  }

  // ---- helpers ----

  #deliver(values: readonly PolledValue[]): void {
    const role = this.#safeRole();
    try {
      if (role === 'active') this.#p.publish(values);
      else if (role === 'warm-standby') this.#p.buffer(values);
    } catch (error) {
      this.#logger?.warn({ err: error, role }, 'handing over polled values failed');
    }
  }

  #fault(device: string, reason: string | null): void {
    try {
      this.#p.deviceFault(device, reason);
    } catch (error) {
      this.#logger?.warn({ err: error, device }, 'reporting a device fault failed');
    }
  }

  #safeRole(): AcquisitionRole {
    try {
      return this.#p.role();
    } catch {
      return 'stopped';
    }
  }

  #current(generation: number): boolean {
    return this.#running && generation === this.#generation;
  }

  #owns(loop: DeviceLoop, generation: number): boolean {
    return this.#current(generation) && this.#loops.get(loop.key) === loop;
  }
}

function polls(role: AcquisitionRole): boolean {
  return role === 'active' || role === 'warm-standby';
}
