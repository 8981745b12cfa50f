/**
 * The folder a tag shows under in every plant interface (OPC UA's address space, Sparkplug's devices;
 * docs/opcua.md "Address space"): its Modbus device, or its source kind for memory and simulator tags.
 * A leaf of its own: the OPC UA library costs a node ~1.5 s and ~100 MB at start, and only a node that
 * serves OPC UA should load it (node-core/plant/opcua/index.ts imports the server lazily).
 */
import type { TagDefinition } from '../protocol/config-items.ts';

export function folderOf(definition: TagDefinition): string {
  const { source } = definition;
  return source.kind === 'modbus' ? source.device : source.kind;
}
