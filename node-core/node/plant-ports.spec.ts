/** The Sparkplug edge's data port, built from small fakes of the API's DataQueries and DataCommands. */
import { describe, expect, it, vi } from 'vitest';
import type { TagDefinition, TagValue } from '../data/index.ts';
import { sparkplugDataOf } from './plant-ports.ts';
import type { DataCommands, DataQueries } from './ports.ts';

const memory = { dataType: 'float', source: { kind: 'memory' } } as unknown as TagDefinition;
const held: TagValue = { name: 'held', value: 2, quality: 'good', ts: 5, version: { epoch: 1, hlc: 'h' } };

function fakeQueries(): DataQueries {
  return {
    readTag: (name) =>
      name === 'held'
        ? held
        : name === 'waiting'
          ? { name, value: null, quality: 'uncertain', ts: null }
          : undefined,
    currentValues: () => [held],
    configItems: <T>() => [{ key: 'held', definition: memory as T }],
    configItem: () => undefined,
    tagDefinition: (name) => (name === 'held' ? memory : undefined),
    alarms: () => [],
    conflicts: () => [],
    watchConfig: (listener) => {
      listener({ kind: 'tag', key: 'held' });
      return () => undefined;
    },
  };
}

describe("the Sparkplug edge's data port", () => {
  it('a tag has a current value only once it holds one (not the API read placeholder)', () => {
    const data = sparkplugDataOf({ data: fakeQueries(), commands: {} as DataCommands });
    expect(data.currentValue('held')).toBe(held);
    expect(data.currentValue('waiting')).toBeUndefined();
    expect(data.currentValue('unknown')).toBeUndefined();
    expect(data.tags()).toEqual([{ key: 'held', definition: memory }]);
  });

  it('writes go through the API write path without a uid; config changes are told without details', async () => {
    const writeTag = vi.fn(() => Promise.resolve({ ok: true, uid: 'u', executed: true }));
    const data = sparkplugDataOf({
      data: fakeQueries(),
      commands: { writeTag } as unknown as DataCommands,
    });
    await data.writeTag('held', 3);
    expect(writeTag).toHaveBeenCalledWith('held', 3, undefined);
    const told = vi.fn();
    data.watchConfig(told);
    expect(told).toHaveBeenCalledWith();
  });
});
