import { afterEach, describe, expect, it } from 'vitest';
import { HistoryStore, type HistorySample } from './history-store.ts';
import { tempDatabase } from '../../test/support/temp-database.ts';

const disposers: (() => void)[] = [];
afterEach(() => {
  for (const dispose of disposers.splice(0)) dispose();
});

/** A store and its database, for specs that look into the tables. */
function storeAndDb(): { h: HistoryStore; t: ReturnType<typeof tempDatabase> } {
  const t = tempDatabase();
  disposers.push(t.dispose);
  return { h: new HistoryStore(t.db), t };
}

function store(): HistoryStore {
  return storeAndDb().h;
}

/** 500 tags, named so that their order is their number. */
const TAGS_500 = Array.from({ length: 500 }, (_, i) => `tag.${String(i).padStart(3, '0')}`);

function sample(tag: string, ts: number, value: HistorySample['value'], origin = 'n1'): HistorySample {
  return { tag, ts, value, quality: 'good', origin };
}

describe('HistoryStore.record', () => {
  it('recent samples: move to the (tag, ts) table many per tag at a time; every read sees each sample once', () => {
    const { h, t } = storeAndDb();
    // 500 tags polled 200 times: 100,000 samples, twice what waits in the recent table before moves start.
    const tags = TAGS_500;
    for (let poll = 1; poll <= 200; poll++) h.record(tags.map((tag) => sample(tag, poll * 1000, poll)));
    const rows = (table: string): number =>
      t.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    expect(rows('history_samples')).toBeGreaterThan(40_000);
    expect(rows('history_recent')).toBeGreaterThan(0);
    expect(rows('history_recent')).toBeLessThanOrEqual(50_000);
    expect(h.count()).toBe(100_000);
    // A sample held in either table is not stored again, whoever sends it.
    expect(h.record([sample('tag.000', 1000, 5, 'n2'), sample('tag.499', 200_000, 5, 'n2')])).toBe(0);
    for (const tag of ['tag.000', 'tag.250', 'tag.499']) {
      const all = h.query(tag, 0, 300_000, { maxPoints: 1000 });
      expect(all.kind === 'raw' && all.samples.map((p) => p.ts)).toEqual(
        Array.from({ length: 200 }, (_, i) => (i + 1) * 1000),
      );
      expect(h.latestTsOfTag(tag)).toBe(200_000);
      const page = h.between(tag, 1000, 200_000, 5);
      expect([page.total, page.samples.map((p) => p.ts)]).toEqual([
        198,
        [195_000, 196_000, 197_000, 198_000, 199_000],
      ]);
      const buckets = h.query(tag, 1000, 200_999, { maxPoints: 4 });
      expect(buckets.kind === 'buckets' && buckets.buckets.map((b) => [b.count, b.last.ts])).toEqual([
        [50, 50_000],
        [50, 100_000],
        [50, 150_000],
        [50, 200_000],
      ]);
    }
    // Forwarding reads the node's own samples in time order from both tables, none twice.
    let after = 0;
    let read = 0;
    for (;;) {
      const chunk = h.since('n1', after, 7_000);
      if (chunk.length === 0) break;
      expect(chunk[0]!.ts).toBeGreaterThan(after);
      read += chunk.length;
      after = chunk.at(-1)!.ts;
    }
    expect(read).toBe(100_000);
    expect(h.latestByOrigin()).toEqual({ n1: 200_000 });
  });

  it("recent samples: a poll's newest samples skip the duplicate check, and after a restart none is stored twice", () => {
    const { h: before, t } = storeAndDb();
    const tags = TAGS_500;
    // Polls until a move has just taken some tags whole: their samples are all in history_samples, and only the
    // check there keeps a restarted store from storing them a second time.
    const movedWhole = t.db
      .prepare('SELECT tag FROM history_samples WHERE tag NOT IN (SELECT tag FROM history_recent) LIMIT 1')
      .pluck();
    let polls = 0;
    let moved: string | undefined;
    while (moved === undefined && polls < 300) {
      polls++;
      before.record(tags.map((tag) => sample(tag, polls * 1000, polls)));
      moved = movedWhole.get() as string | undefined;
    }
    expect(moved).toBeDefined();
    const restarted = new HistoryStore(t.db);
    const last = polls * 1000;
    expect(restarted.record(tags.map((tag) => sample(tag, last, 0, 'n2')))).toBe(0);
    const late = sample(moved!, last - 500, 'late');
    const next = sample(moved!, last + 1000, 'next');
    expect(restarted.record([late, next])).toBe(2);
    expect(restarted.record([late, next])).toBe(0);
    expect(restarted.count()).toBe(500 * polls + 2);
    const newest = restarted.query(moved!, last - 1000, last + 1000, { maxPoints: 10 });
    expect(newest.kind === 'raw' && newest.samples.map((p) => p.value)).toEqual([
      polls - 1,
      'late',
      polls,
      'next',
    ]);
  });

  it('recent samples: a move the full disk refuses leaves the record done and is tried again with the next', () => {
    const { h, t } = storeAndDb();
    const tags = TAGS_500;
    // 50,000 samples: as many as wait before a move, so none has moved yet.
    for (let poll = 1; poll <= 100; poll++) h.record(tags.map((tag) => sample(tag, poll * 1000, poll)));
    const inSamples = (): number =>
      t.db.prepare('SELECT count(*) FROM history_samples').pluck().get() as number;
    expect(inSamples()).toBe(0);
    // Room for a few more recent rows, none for a move of thousands.
    const pages = t.db.pragma('page_count', { simple: true }) as number;
    t.db.pragma(`max_page_count = ${pages + 3}`);
    expect(h.record([sample('tag.000', 101_000, 1), sample('tag.001', 101_000, 1)])).toBe(2);
    expect(inSamples()).toBe(0);
    expect(h.count()).toBe(50_002);
    t.db.pragma('max_page_count = 1073741823');
    expect(h.record([sample('tag.002', 101_000, 1)])).toBe(1);
    expect(inSamples()).toBeGreaterThan(0);
    expect(h.count()).toBe(50_003);
  });

  it('is idempotent: the same (tag, ts) is stored once, whoever sends it again', () => {
    const h = store();
    expect(h.record([sample('t', 1, 1), sample('t', 2, 2), sample('u', 1, 'x')])).toBe(3);
    expect(h.record([sample('t', 1, 1), sample('t', 2, 99, 'n2'), sample('t', 3, 3)])).toBe(1);
    expect(h.count()).toBe(4);
    expect(h.query('t', 0, 10, { maxPoints: 100 })).toEqual({
      kind: 'raw',
      samples: [
        { ts: 1, value: 1, quality: 'good' },
        { ts: 2, value: 2, quality: 'good' },
        { ts: 3, value: 3, quality: 'good' },
      ],
    });
  });

  it('keeps every value type and quality as it was', () => {
    const h = store();
    h.record([
      sample('a', 1, 1.5),
      sample('a', 2, true),
      sample('a', 3, 'text "quoted"'),
      { ...sample('a', 4, null), quality: 'bad' },
    ]);
    expect(h.query('a', 0, 10, { maxPoints: 10 })).toMatchObject({
      samples: [{ value: 1.5 }, { value: true }, { value: 'text "quoted"' }, { value: null, quality: 'bad' }],
    });
  });
});

describe('HistoryStore.query', () => {
  it('returns raw samples within [from, to] when they fit maxPoints', () => {
    const h = store();
    h.record([0, 10, 20, 30, 40].map((ts) => sample('t', ts, ts)));
    expect(h.query('t', 10, 30, { maxPoints: 3 })).toMatchObject({
      kind: 'raw',
      samples: [{ ts: 10 }, { ts: 20 }, { ts: 30 }],
    });
    expect(h.query('t', 50, 10, { maxPoints: 3 })).toEqual({ kind: 'raw', samples: [] });
    expect(h.query('other', 0, 100, { maxPoints: 3 })).toEqual({ kind: 'raw', samples: [] });
  });

  it('downsamples to at most maxPoints buckets with min, max, avg and last', () => {
    const h = store();
    // 1000 samples, one per ms, value = ts % 100; one bad sample that must not count in min/max/avg.
    h.record(Array.from({ length: 1000 }, (_, ts) => sample('t', ts, ts % 100)));
    h.record([{ ...sample('t', 1000, 1_000_000), quality: 'bad' }]);
    const result = h.query('t', 0, 999, { maxPoints: 10 });
    if (result.kind !== 'buckets') throw new Error('expected buckets');
    expect(result.bucketMs).toBe(100);
    expect(result.buckets).toHaveLength(10);
    for (const [i, b] of result.buckets.entries()) {
      expect(b).toEqual({
        from: i * 100,
        to: (i + 1) * 100,
        count: 100,
        min: 0,
        max: 99,
        avg: 49.5,
        last: { ts: i * 100 + 99, value: 99, quality: 'good' },
        notGood: 0,
      });
    }
    const withBad = h.query('t', 0, 1000, { maxPoints: 10 });
    if (withBad.kind !== 'buckets') throw new Error('expected buckets');
    expect(withBad.bucketMs).toBe(101);
    expect(withBad.buckets.at(-1)).toMatchObject({
      from: 909,
      to: 1001,
      count: 92,
      min: 9,
      max: 99,
      notGood: 1,
      last: { ts: 1000, quality: 'bad' },
    });
  });

  it('buckets booleans as 0/1 and strings by their last value only', () => {
    const h = store();
    h.record([sample('b', 0, true), sample('b', 1, false), sample('b', 2, false), sample('b', 3, true)]);
    h.record([sample('s', 0, 'a'), sample('s', 1, 'b'), sample('s', 2, 'c')]);
    expect(h.query('b', 0, 3, { maxPoints: 1 })).toMatchObject({
      kind: 'buckets',
      buckets: [{ count: 4, min: 0, max: 1, avg: 0.5, last: { value: true } }],
    });
    expect(h.query('s', 0, 2, { maxPoints: 1 })).toMatchObject({
      buckets: [{ count: 3, min: null, max: null, avg: null, last: { value: 'c' } }],
    });
  });

  it('leaves out empty buckets', () => {
    const h = store();
    h.record([sample('t', 0, 1), sample('t', 1, 2), sample('t', 900, 3), sample('t', 901, 4)]);
    const result = h.query('t', 0, 999, { maxPoints: 2 });
    expect(result).toMatchObject({ kind: 'buckets', bucketMs: 500, buckets: [{ from: 0 }, { from: 500 }] });
    const r = h.query('t', 0, 999, { maxPoints: 3 });
    expect(r.kind === 'buckets' ? r.buckets.map((b) => b.count) : []).toEqual([2, 2]);
  });
});

describe('HistoryStore for forwarding', () => {
  it('since() gives an origin’s samples after a ts, oldest first, never cutting an instant in two', () => {
    const h = store();
    for (let ts = 1; ts <= 4; ts++) h.record(['a', 'b', 'c'].map((tag) => sample(tag, ts, ts)));
    h.record([sample('a', 10, 0, 'other')]);
    const first = h.since('n1', 0, 4);
    expect(first.map((s) => `${s.tag}@${s.ts}`)).toEqual(['a@1', 'b@1', 'c@1', 'a@2', 'b@2', 'c@2']);
    const next = h.since('n1', first.at(-1)!.ts, 4);
    expect(next.map((s) => `${s.tag}@${s.ts}`)).toEqual(['a@3', 'b@3', 'c@3', 'a@4', 'b@4', 'c@4']);
    expect(h.since('n1', 4, 4)).toEqual([]);
    expect(h.since('other', 0, 10)).toEqual([sample('a', 10, 0, 'other')]);
  });

  it('knows the newest ts per origin and per tag', () => {
    const h = store();
    expect(h.latestTs('n1')).toBeNull();
    expect(h.latestByOrigin()).toEqual({});
    h.record([
      sample('a', 5, 0, 'n1'),
      sample('b', 7, 0, 'n1'),
      sample('a', 9, 0, 'n2'),
      sample('c', 1, 0, 'n3'),
    ]);
    expect(h.latestTs('n1')).toBe(7);
    expect(h.latestByOrigin()).toEqual({ n1: 7, n2: 9, n3: 1 });
    expect(h.latestTsOfTag('a')).toBe(9);
    expect(h.latestTsOfTag('zzz')).toBeNull();
    expect(h.hasTag('b')).toBe(true);
    expect(h.hasTag('zzz')).toBe(false);
  });

  it('prunes samples older than a point in time', () => {
    const h = store();
    h.record([sample('a', 1, 0), sample('a', 2, 0), sample('b', 3, 0)]);
    expect(h.prune(3, 100)).toEqual({ deleted: 2, next: null });
    expect(h.count()).toBe(1);
  });
});

describe('HistoryStore.prune (retention, docs/rules.md "Data 4")', () => {
  it('deletes in bounded steps, tag by tag, oldest first, and goes on where it stopped', () => {
    const h = store();
    h.record([
      ...Array.from({ length: 10 }, (_, i) => sample('a', i, i)),
      ...Array.from({ length: 3 }, (_, i) => sample('b', i, i)),
      sample('c', 50, 0),
    ]);
    // 5 rows or tags: tag a (1) and its 4 oldest samples.
    const first = h.prune(20, 5);
    expect(first).toEqual({ deleted: 4, next: 'a' });
    expect(
      h.query('a', 0, 100, { maxPoints: 100 }).kind === 'raw' && h.query('a', 0, 100, { maxPoints: 100 }),
    ).toMatchObject({
      samples: [4, 5, 6, 7, 8, 9].map((ts) => ({ ts })),
    });
    let step = first;
    let deleted = first.deleted;
    while (step.next !== null) {
      step = h.prune(20, 5, step.next);
      deleted += step.deleted;
    }
    expect(deleted).toBe(13);
    expect(h.count()).toBe(1);
    expect(h.hasTag('c')).toBe(true);
  });

  it('never reads the whole table: every statement it runs is a search by key', () => {
    const { h, t } = storeAndDb();
    h.record([sample('a', 1, 0), sample('b', 2, 0)]);
    const statements: string[] = [];
    const prepare = t.db.prepare.bind(t.db);
    t.db.prepare = (sql: string) => {
      statements.push(sql);
      return prepare(sql);
    };
    h.prune(10, 100);
    t.db.prepare = prepare;
    expect(statements.length).toBeGreaterThan(0);
    for (const sql of statements) {
      const explain = t.db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
      const parameters = sql.includes('@')
        ? [{ tag: 'a', before: 10, last: 0 }]
        : Array.from(sql.matchAll(/\?/g), () => 'a');
      const plan = (explain.all(...parameters) as { detail: string }[]).map((row) => row.detail).join('; ');
      expect(plan).not.toMatch(/SCAN history_samples/);
    }
  });
});
