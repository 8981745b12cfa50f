/**
 * Where each acquired tag is read: on a device, by that device's key, or by the simulator. The acquisition
 * engine builds it from the whole config (`placeAll`) or mends it for the tags it was told changed
 * (`replaceChanged`). A tag whose device source does not validate, or names a device that is not there, is
 * an orphan: read nowhere, and reported bad once.
 */
import { modbusSourceSchema, type ModbusSource } from './device-definition.ts';
import type { DataType, DriverTag } from './driver.ts';
import { asSimulatorSource, type SimulatorSource } from './simulator-driver.ts';

/** A tag's definition as the config holds it (data/tag-definition.ts `TagDefinition` fits). */
export type TagSourceDefinition = {
  readonly dataType: DataType;
  readonly source: { readonly kind: string };
};

/** Where a simulated tag is read (device keys are the config's keys; this one cannot be a key there). */
const SIMULATED = '\u0000simulated';

type PlacedTag = DriverTag<SimulatorSource> | DriverTag<ModbusSource>;

/** The key a tag is read under: its device's, or SIMULATED. */
function placeOf(tag: PlacedTag): string {
  return tag.source.kind === 'simulator' ? SIMULATED : (tag as DriverTag<ModbusSource>).source.device;
}

export class TagPlacement {
  /** Where each placed tag is read: its device's key, or SIMULATED. */
  readonly #placed = new Map<string, string>();
  #byDevice = new Map<string, DriverTag<ModbusSource>[]>();
  #simulated: DriverTag<SimulatorSource>[] = [];
  /** Tags that read from a device that is not there, already reported as bad. */
  readonly #orphans = new Set<string>();
  /** Devices that validate, as of the last `placeAll`. */
  #validDevices: ReadonlySet<string> = new Set();

  get simulated(): readonly DriverTag<SimulatorSource>[] {
    return this.#simulated;
  }

  onDevice(key: string): readonly DriverTag<ModbusSource>[] {
    return this.#byDevice.get(key) ?? [];
  }

  /** No tag is read (a cold standby); the orphans already reported stay reported. */
  acquireNone(): void {
    this.#simulated = [];
    this.#byDevice = new Map();
    this.#placed.clear();
  }

  /** Forgets everything, the reported orphans too (the engine stops). */
  reset(): void {
    this.acquireNone();
    this.#orphans.clear();
  }

  /** Places every tag of the config anew; returns the tags newly orphaned, to be reported bad. */
  placeAll(
    tags: readonly { readonly name: string; readonly definition: TagSourceDefinition }[],
    validDevices: ReadonlySet<string>,
  ): string[] {
    this.#validDevices = validDevices;
    const simulated: DriverTag<SimulatorSource>[] = [];
    const byDevice = new Map<string, DriverTag<ModbusSource>[]>();
    const orphans = new Set<string>();
    const newlyOrphaned: string[] = [];
    this.#placed.clear();
    for (const { name, definition } of tags) {
      const place = this.#place(name, definition);
      if (place === null) continue;
      if (place === 'orphan') {
        orphans.add(name);
        if (!this.#orphans.has(name)) newlyOrphaned.push(name);
        continue;
      }
      const at = placeOf(place);
      this.#placed.set(name, at);
      if (at === SIMULATED) simulated.push(place as DriverTag<SimulatorSource>);
      else {
        const onDevice = byDevice.get(at) ?? [];
        onDevice.push(place as DriverTag<ModbusSource>);
        byDevice.set(at, onDevice);
      }
    }
    this.#orphans.clear();
    for (const name of orphans) this.#orphans.add(name);
    this.#simulated = simulated;
    this.#byDevice = byDevice;
    return newlyOrphaned;
  }

  /**
   * The tags `changed` names, taken out of where they were read and placed again as `definitionOf` gives
   * them now (undefined: deleted). Returns the tags newly orphaned. If `definitionOf` throws, so does this,
   * part-way: the caller places everything again with `placeAll`.
   */
  replaceChanged(
    changed: ReadonlySet<string>,
    definitionOf: (name: string) => TagSourceDefinition | undefined,
  ): string[] {
    const touched = new Set<string>();
    const placedAgain: PlacedTag[] = [];
    const newlyOrphaned: string[] = [];
    for (const name of changed) {
      const was = this.#placed.get(name);
      if (was !== undefined) touched.add(was);
      this.#placed.delete(name);
      const definition = definitionOf(name);
      const place = definition ? this.#place(name, definition) : null;
      if (place === 'orphan') {
        if (!this.#orphans.has(name)) newlyOrphaned.push(name);
        this.#orphans.add(name);
        continue;
      }
      this.#orphans.delete(name);
      if (place === null) continue;
      const at = placeOf(place);
      this.#placed.set(name, at);
      touched.add(at);
      placedAgain.push(place);
    }
    for (const at of touched) {
      const before: readonly PlacedTag[] =
        at === SIMULATED ? this.#simulated : (this.#byDevice.get(at) ?? []);
      const now = [
        ...before.filter((t) => !changed.has(t.name)),
        ...placedAgain.filter((t) => placeOf(t) === at),
      ];
      if (at === SIMULATED) this.#simulated = now as DriverTag<SimulatorSource>[];
      else if (now.length > 0) this.#byDevice.set(at, now as DriverTag<ModbusSource>[]);
      else this.#byDevice.delete(at);
    }
    return newlyOrphaned;
  }

  /**
   * Where a tag is read: a driver tag (simulated, or on a device that validates), 'orphan' (a device source
   * that does not validate, or names a device that is not there), or null (not acquired: memory).
   */
  #place(name: string, definition: TagSourceDefinition): PlacedTag | 'orphan' | null {
    const { source, dataType } = definition;
    if (source.kind === 'simulator') {
      const sim = asSimulatorSource(source);
      return sim ? { name, dataType, source: sim } : null;
    }
    if (source.kind !== 'modbus') return null;
    const parsed = modbusSourceSchema.safeParse(source);
    if (parsed.success && this.#validDevices.has(parsed.data.device))
      return { name, dataType, source: parsed.data };
    return 'orphan';
  }
}
