import { describe, expect, it } from 'vitest';
import type { ConfigStore } from './config-store.ts';
import { MemoryTags } from './memory-tags.ts';
import type { TagValue } from './runtime-store.ts';

function value(name: string): TagValue {
  return { name, value: 1, quality: 'good', ts: 1, version: { epoch: 1, hlc: '0' } };
}

describe('MemoryTags', () => {
  it('reads a tag from the config once per config head, and again after the config changed', () => {
    let checksum = 'a';
    const kinds: Record<string, string> = { m: 'memory', s: 'simulator' };
    const asked: string[] = [];
    const config = {
      head: () => ({ checksum }),
      getTag: (name: string) => {
        asked.push(name);
        return kinds[name] ? { source: { kind: kinds[name] } } : undefined;
      },
    } as unknown as ConfigStore;
    const memoryTags = new MemoryTags(config);
    const values = [value('m'), value('s'), value('gone')];

    expect(memoryTags.of(values).map((v) => v.name)).toEqual(['m']);
    expect(memoryTags.of(values).map((v) => v.name)).toEqual(['m']);
    expect(asked).toEqual(['m', 's', 'gone']);

    kinds['s'] = 'memory';
    checksum = 'b';
    expect(memoryTags.of(values).map((v) => v.name)).toEqual(['m', 's']);
    expect(asked).toHaveLength(6);
  });
});
