import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MetaStore, openDatabase, type Db } from '../store/index.ts';
import { ConfigStore } from './config-store.ts';

const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

function store(): ConfigStore {
  const db = openDatabase(fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-config-')));
  dbs.push(db);
  return new ConfigStore(db, new MetaStore(db));
}

/** A small deterministic generator, so a failure names a sequence that can be replayed. */
function* randomChanges(
  seed: number,
  count: number,
): Generator<{ op: 'put' | 'delete'; key: string; n: number }> {
  let state = seed;
  // The high bits of a linear congruential generator: its low bits repeat with a short period.
  const next = (): number => (state = (state * 1103515245 + 12345) % 2 ** 31) >>> 16;
  for (let i = 0; i < count; i++) {
    const key = `tag.${next() % 60}${next() % 3 === 0 ? '.x' : ''}`;
    yield { op: next() % 4 === 0 ? 'delete' : 'put', key, n: i };
  }
}

describe('ConfigStore.list', () => {
  it('stays in key order through puts, updates and deletes, the same as a fresh read of the database', () => {
    const config = store();
    config.list('tag'); // kept from here on, change by change
    for (const { op, key, n } of randomChanges(7, 400)) {
      if (op === 'put')
        config.commitLocal('put', 'tag', key, { dataType: 'float', description: `v${n}` }, 1, 'me', n);
      else if (config.get('tag', key) !== undefined)
        config.commitLocal('delete', 'tag', key, null, 1, 'me', n);
    }
    const kept = config.list('tag');
    const fresh = new ConfigStore(dbs[0]!, new MetaStore(dbs[0]!)).list('tag');
    expect(kept.length).toBeGreaterThan(20);
    expect(kept).toEqual(fresh);
    expect(kept.map((t) => t.key)).toEqual([...kept.map((t) => t.key)].sort());
  });

  it('stays in key order when listed between changes, one or many at a time', () => {
    const config = store();
    config.list('tag');
    let sinceListed = 0;
    for (const { op, key, n } of randomChanges(11, 600)) {
      if (op === 'put')
        config.commitLocal('put', 'tag', key, { dataType: 'float', description: `v${n}` }, 1, 'me', n);
      else if (config.get('tag', key) !== undefined)
        config.commitLocal('delete', 'tag', key, null, 1, 'me', n);
      // Listed after 1, 2, … 9 changes in turn, as an acquisition cycle would between bursts of changes.
      if (++sinceListed < (n % 9) + 1) continue;
      sinceListed = 0;
      const fresh = new ConfigStore(dbs[0]!, new MetaStore(dbs[0]!)).list('tag');
      expect(config.list('tag')).toEqual(fresh);
    }
  });

  it('shows staged changes in order before they are stored', () => {
    const config = store();
    config.commitLocal('put', 'tag', 'b', { dataType: 'float' }, 1, 'me', 0);
    config.list('tag');
    config.stage('put', 'tag', 'a', { dataType: 'int' }, 1, 'me', 1);
    config.stage('delete', 'tag', 'b', null, 1, 'me', 2);
    config.stage('put', 'tag', 'c', { dataType: 'bool' }, 1, 'me', 3);
    expect(config.list('tag').map((t) => t.key)).toEqual(['a', 'c']);
    config.persist();
    expect(config.list('tag').map((t) => t.key)).toEqual(['a', 'c']);
  });
});

describe('ConfigStore.watch', () => {
  it('tells of each change made here or applied from the active node, and of a snapshot as all', () => {
    const active = store();
    const standby = store();
    const heard: unknown[][] = [[], []];
    active.watch((change) => heard[0]!.push(change));
    standby.watch((change) => heard[1]!.push(change));
    const made = active.commitLocalBatch(
      [
        { op: 'put', kind: 'tag', key: 'a', definition: { dataType: 'float' } },
        { op: 'put', kind: 'device', key: 'plc', definition: { host: 'plc1' } },
        { op: 'delete', kind: 'tag', key: 'a', definition: null },
      ],
      1,
      'active',
      0,
    );
    standby.applyReplicated(made);
    const changes = [
      { kind: 'tag', key: 'a' },
      { kind: 'device', key: 'plc' },
      { kind: 'tag', key: 'a' },
    ];
    expect(heard).toEqual([changes, changes]);
    standby.loadSnapshot(active.snapshot());
    expect(heard[1]!.at(-1)).toBe('all');
  });

  it('item() gives what list() holds, without reading the database', () => {
    const config = store();
    config.commitLocal('put', 'tag', 'a', { dataType: 'float' }, 1, 'me', 0);
    config.stage('put', 'tag', 'b', { dataType: 'int' }, 1, 'me', 1);
    expect(config.item('tag', 'a')).toEqual({ dataType: 'float' });
    expect(config.item('tag', 'b')).toBe(config.list('tag')[1]!.definition);
    expect(config.item('tag', 'c')).toBeUndefined();
  });
});

describe('ConfigStore.markCommon', () => {
  /** WAL frames written so far: the tests' databases stay far below an automatic checkpoint. */
  const walFrames = (): number => fs.statSync(`${dbs[0]!.name}-wal`).size;
  const reread = (): number => new ConfigStore(dbs[0]!, new MetaStore(dbs[0]!)).commonSeq();
  const put = (config: ConfigStore, key: string): void => {
    config.stage('put', 'tag', key, { dataType: 'float' }, 1, 'me', 0);
    config.persist();
  };

  it('is stored in the transaction of the batch an ack sends next, not in a commit of its own', () => {
    const config = store();
    put(config, 'a');
    config.markCommon(1); // its first write adds a row to meta; later ones change that row
    put(config, 'b');
    const before = walFrames();
    put(config, 'c');
    const oneBatch = walFrames() - before;
    const beforeMarked = walFrames();
    config.markCommon(3);
    put(config, 'd');
    expect(walFrames() - beforeMarked).toBe(oneBatch);
    expect(reread()).toBe(3);
  });

  it('is stored by itself once the microtasks queued so far have run, when no batch follows', async () => {
    const config = store();
    put(config, 'a');
    config.markCommon(1);
    expect(config.commonSeq()).toBe(1);
    await Promise.resolve();
    expect(reread()).toBe(1);
  });

  it('marked before a snapshot is loaded is not written over the snapshot’s', async () => {
    const active = store();
    const standby = store();
    for (const key of ['a', 'b', 'c']) put(active, key);
    standby.markCommon(1);
    standby.loadSnapshot(active.snapshot());
    await Promise.resolve();
    expect(standby.commonSeq()).toBe(3);
    expect(new ConfigStore(dbs[1]!, new MetaStore(dbs[1]!)).commonSeq()).toBe(3);
  });
});
