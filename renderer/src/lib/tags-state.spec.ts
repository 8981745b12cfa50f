import { describe, expect, it, vi } from 'vitest';
import { FakeApi, tagDefinition, tagValue } from '../test/fixtures.ts';
import { filterRows, TagsState, type FrameScheduler } from './tags-state.svelte.ts';

/** Animation frames that run only when the test says so. */
class ManualFrames implements FrameScheduler {
  readonly callbacks = new Map<number, () => void>();
  #next = 1;
  request(callback: () => void): number {
    const id = this.#next++;
    this.callbacks.set(id, callback);
    return id;
  }
  cancel(id: number): void {
    this.callbacks.delete(id);
  }
  run(): void {
    const due = [...this.callbacks.values()];
    this.callbacks.clear();
    for (const callback of due) callback();
  }
}

function state(api = new FakeApi()): { tags: TagsState; frames: ManualFrames; api: FakeApi } {
  const frames = new ManualFrames();
  let n = 0;
  return { tags: new TagsState(api, { frames, now: () => 0, uid: () => `uid-${++n}` }), frames, api };
}

describe('TagsState', () => {
  it('fetches the tag list again when the node says tags changed, once more for changes during a fetch', async () => {
    const api = new FakeApi();
    api.tagDefinitions.mockResolvedValue([tagDefinition({ name: 'a' })]);
    const tags = new TagsState(api, { frames: new ManualFrames(), now: () => 0, reloadGapMs: 0 });
    tags.configChanged(); // the screen was never opened: nothing to keep current
    expect(api.tagDefinitions).not.toHaveBeenCalled();

    await tags.load();
    let answer: (definitions: ReturnType<typeof tagDefinition>[]) => void = () => undefined;
    api.tagDefinitions.mockReturnValueOnce(new Promise((resolve) => (answer = resolve)));
    api.tagDefinitions.mockResolvedValue([tagDefinition({ name: 'a' }), tagDefinition({ name: 'b' })]);
    tags.configChanged();
    tags.configChanged();
    tags.configChanged();
    expect(api.tagDefinitions).toHaveBeenCalledTimes(2);
    answer([tagDefinition({ name: 'a' })]);
    await vi.waitFor(() => expect(tags.shown.map((row) => row.name)).toEqual(['a', 'b']));
    expect(api.tagDefinitions).toHaveBeenCalledTimes(3);
  });

  it('fetches the list again at most once per gap while changes keep coming (a bulk import)', async () => {
    vi.useFakeTimers();
    try {
      const api = new FakeApi();
      const tags = new TagsState(api, { frames: new ManualFrames(), now: () => 0, reloadGapMs: 1000 });
      await tags.load();
      for (let ms = 0; ms < 2500; ms += 100) {
        tags.configChanged(); // as the node says every 100 ms during the import
        await vi.advanceTimersByTimeAsync(100);
      }
      await vi.advanceTimersByTimeAsync(2000);
      // The screen's own load, then one at 0 ms, 1 s and 2 s, and one at 3 s for what came after 2 s:
      // five, where a fetch for each of the 25 notices would have been 26.
      expect(api.tagDefinitions).toHaveBeenCalledTimes(5);
    } finally {
      vi.useRealTimers();
    }
  });

  it('applies live batches once per animation frame, the last value per tag', async () => {
    const { tags, frames } = state();
    await tags.load();
    const before = tags.revision;
    tags.applyLive([tagValue({ name: 'a', value: 1, ts: '2025-06-01T00:00:01Z' })]);
    tags.applyLive([
      tagValue({ name: 'a', value: 2, ts: '2025-06-01T00:00:02Z' }),
      tagValue({ name: 'b', value: 5, ts: '2025-06-01T00:00:02Z' }),
    ]);
    expect(frames.callbacks.size).toBe(1);
    expect(tags.value('a')).toBeUndefined();
    expect(tags.revision).toBe(before);

    frames.run();
    expect(tags.revision).toBe(before + 1);
    expect(tags.value('a')?.value).toBe(2);
    expect(tags.value('b')?.value).toBe(5);
    expect(frames.callbacks.size).toBe(0);
  });

  it('keeps a live value that is newer than the initial answer which arrives after it', async () => {
    const api = new FakeApi();
    let answer: (values: ReturnType<typeof tagValue>[]) => void = () => undefined;
    api.tagDefinitions.mockResolvedValue([tagDefinition({ name: 'a' }), tagDefinition({ name: 'b' })]);
    api.tagValues.mockReturnValue(new Promise((resolve) => (answer = resolve)));
    const { tags, frames } = state(api);
    const loading = tags.load();
    tags.applyLive([tagValue({ name: 'a', value: 9, ts: '2025-06-01T00:00:09Z' })]);
    frames.run();
    answer([
      tagValue({ name: 'a', value: 1, ts: '2025-06-01T00:00:01Z' }),
      tagValue({ name: 'b', value: null, quality: 'uncertain', ts: null }),
    ]);
    await loading;
    expect(tags.value('a')?.value).toBe(9);
    expect(tags.value('b')?.quality).toBe('uncertain');
    expect(tags.definitions.kind).toBe('loaded');
  });

  it('ignores live values until the list was first opened', () => {
    const { tags, frames } = state();
    tags.applyLive([tagValue({ name: 'a', value: 3 })]);
    expect(frames.callbacks.size).toBe(0);
    expect(tags.value('a')).toBeUndefined();
  });

  it('stop() cancels the frame and applies what was waiting', async () => {
    const { tags, frames } = state();
    await tags.load();
    tags.applyLive([tagValue({ name: 'a', value: 3 })]);
    tags.stop();
    expect(frames.callbacks.size).toBe(0);
    expect(tags.value('a')?.value).toBe(3);
  });

  it('loads once on first use, fetches values again after a gap only once loaded', async () => {
    const { tags, api } = state();
    await tags.refreshValues();
    expect(api.tagValues).not.toHaveBeenCalled();
    tags.ensureLoaded();
    tags.ensureLoaded();
    await Promise.resolve();
    expect(api.tagDefinitions).toHaveBeenCalledOnce();
    await tags.refreshValues();
    expect(api.tagValues).toHaveBeenCalledTimes(2);
  });

  it('reuses the uid of an unanswered write of the same value only', async () => {
    const { tags, api } = state();
    api.writeTag.mockRejectedValueOnce(Object.assign(new Error('down'), {}));
    expect(await tags.write('a', 1)).toBe(false);
    expect(tags.writeProblem).toContain('No answer from the node');
    expect(await tags.write('a', 2)).toBe(true);
    expect(api.writeTag.mock.calls.map((c) => c[2])).toEqual(['uid-1', 'uid-2']);
  });

  it('says so when the node answers a repeated uid with its first, failed result', async () => {
    const { tags, api } = state();
    api.writeTag.mockResolvedValue({ ok: false, uid: 'uid-1', executed: false });
    expect(await tags.write('a', 1)).toBe(false);
    expect(tags.writeProblem).toContain('The device did not take this write to a');
  });
});

describe('filterRows', () => {
  const rows = ['Pump.1', 'pump.2', 'valve'].map((name) => ({
    definition: tagDefinition({ name }),
    name,
    writable: true,
    key: name.toLowerCase(),
  }));
  it('matches a part of the name in any case; an empty filter keeps the same list', () => {
    expect(filterRows(rows, ' PUMP ').map((r) => r.name)).toEqual(['Pump.1', 'pump.2']);
    expect(filterRows(rows, '')).toBe(rows);
  });
});
