/**
 * Which of some values belong to memory tags, asked for every value this node stores (written here, polled,
 * or replicated to the standby at up to 10,000 a second): answered from memory, read from the config once
 * per tag and config head, not with a query and a parse for every value.
 */
import type { ConfigStore } from './config-store.ts';
import type { TagValue } from './runtime-store.ts';

export class MemoryTags {
  readonly #config: ConfigStore;
  #checksum = '';
  #isMemory = new Map<string, boolean>();

  constructor(config: ConfigStore) {
    this.#config = config;
  }

  of(values: readonly TagValue[]): TagValue[] {
    const { checksum } = this.#config.head();
    if (checksum !== this.#checksum) {
      this.#checksum = checksum;
      this.#isMemory = new Map();
    }
    return values.filter((v) => {
      let memory = this.#isMemory.get(v.name);
      if (memory === undefined) {
        memory = this.#config.getTag(v.name)?.source.kind === 'memory';
        this.#isMemory.set(v.name, memory);
      }
      return memory;
    });
  }
}
