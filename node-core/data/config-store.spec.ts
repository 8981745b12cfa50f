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
