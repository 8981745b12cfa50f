/**
 * Tags as Sparkplug devices (docs/sparkplug.md "Devices"): one device per Modbus device and one each for
 * memory and simulator tags, the grouping of the OPC UA address space (docs/opcua.md "Address space").
 */
import type { TagDefinition } from '../../protocol/config-items.ts';
import { folderOf } from '../device-folder.ts';
import type { MetricValue } from './sparkplug-payloads.ts';

/**
 * The Sparkplug device id of a tag. A device key may hold "/", which would split the MQTT topic (Sparkplug 3.0
 * §4.1 forbids it in an id): it is written as "%2F", which no device key can contain, so ids never collide.
 */
export function deviceIdOf(definition: TagDefinition): string {
  return folderOf(definition).replaceAll('/', '%2F');
}

/** The tags of each device, devices in id order, tags in the config's order. */
export type DeviceTags = Map<string, Map<string, TagDefinition>>;

export function groupByDevice(definitions: ReadonlyMap<string, TagDefinition>): DeviceTags {
  const devices: DeviceTags = new Map();
  for (const [name, definition] of definitions) {
    const device = deviceIdOf(definition);
    const tags = devices.get(device) ?? new Map<string, TagDefinition>();
    devices.set(device, tags);
    tags.set(name, definition);
  }
  return new Map([...devices].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** What a device's DBIRTH stated about its metrics: a change of it needs a new DBIRTH. */
export function shapeOf(tags: ReadonlyMap<string, TagDefinition>): string {
  return JSON.stringify([...tags]);
}

/**
 * A device is offline when it has tags and every one of them is bad (its driver cannot reach it): it gets a
 * DDEATH, and a DBIRTH again with the first value that is not bad. Memory tags are never bad.
 */
export function isOffline(
  tags: ReadonlyMap<string, TagDefinition>,
  current: (name: string) => { readonly quality: string; readonly value: MetricValue } | undefined,
): boolean {
  if (tags.size === 0) return false;
  for (const name of tags.keys()) if (current(name)?.quality !== 'bad') return false;
  return true;
}

/** The device changes a config change asks for, against the devices born now (id -> shape at birth). */
export function deviceChanges(
  born: ReadonlyMap<string, string>,
  wanted: DeviceTags,
): { deaths: string[]; births: string[] } {
  const deaths: string[] = [];
  const births: string[] = [];
  for (const [device, shape] of born) {
    const tags = wanted.get(device);
    // Gone, or its metrics changed: a DDEATH (and a DBIRTH with the new metrics when it still has tags).
    if (!tags || shapeOf(tags) !== shape) deaths.push(device);
  }
  for (const [device, tags] of wanted) {
    if (born.get(device) !== shapeOf(tags)) births.push(device);
  }
  return { deaths, births };
}
