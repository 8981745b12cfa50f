/**
 * The SQL of tag history (history_samples; docs/rules.md "Data 4"): one sample per (tag, ts), written only by
 * the active node and forwarded to the peer (history/). Recording is idempotent, so a sample that arrives
 * twice (a re-sent chunk, the warm buffer and the forwarder both holding it) is stored once.
 */
import { cachedStatement, type Db } from './database.ts';

export type HistoryQuality = 'good' | 'bad' | 'uncertain';
export type HistoryValue = number | boolean | string | null;

export interface HistorySample {
  readonly tag: string;
  /** Milliseconds since the epoch, when the value was taken. */
  readonly ts: number;
  readonly value: HistoryValue;
  readonly quality: HistoryQuality;
  /** The node id of the node that recorded it. */
  readonly origin: string;
}

export interface HistoryPoint {
  readonly ts: number;
  readonly value: HistoryValue;
  readonly quality: HistoryQuality;
}

/** What a stretch of time holds when there are more samples than points asked for. */
interface HistoryBucket {
  /** Start of the bucket (inclusive) and end (exclusive), in ms since the epoch. */
  readonly from: number;
  readonly to: number;
  readonly count: number;
  /** Over numeric values (true = 1, false = 0) of samples that are not bad; null when there are none. */
  readonly min: number | null;
  readonly max: number | null;
  readonly avg: number | null;
  /** The bucket's last sample, whatever its type (strings have no min/max). */
  readonly last: HistoryPoint;
  /** Samples of quality bad or uncertain. */
  readonly notGood: number;
}

export type HistoryQueryResult =
  | { readonly kind: 'raw'; readonly samples: HistoryPoint[] }
  | { readonly kind: 'buckets'; readonly bucketMs: number; readonly buckets: HistoryBucket[] };

interface Row {
  tag: string;
  ts: number;
  value: string;
  quality: HistoryQuality;
  origin: string;
}

/** The numeric reading of a stored JSON value, for min/max/avg. */
const NUMERIC = `CASE json_type(value)
  WHEN 'integer' THEN CAST(value AS REAL) WHEN 'real' THEN CAST(value AS REAL)
  WHEN 'true' THEN 1.0 WHEN 'false' THEN 0.0 ELSE NULL END`;

export class HistoryStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Stores the samples not yet held (by tag and ts), in one transaction; returns how many were new. */
  record(samples: readonly HistorySample[]): number {
    if (samples.length === 0) return 0;
    const insert = this.#db.prepare(
      'INSERT OR IGNORE INTO history_samples (tag, ts, value, quality, origin) VALUES (?, ?, ?, ?, ?)',
    );
    return this.#db.transaction(() => {
      let added = 0;
      for (const s of samples)
        added += insert.run(s.tag, Math.trunc(s.ts), JSON.stringify(s.value), s.quality, s.origin).changes;
      return added;
    })();
  }

  /**
   * The samples of `tag` between `fromMs` and `toMs` (both inclusive), oldest first; when there are more
   * than `maxPoints`, at most `maxPoints` buckets of equal length with min, max, average and last value.
   */
  query(tag: string, fromMs: number, toMs: number, options: { maxPoints: number }): HistoryQueryResult {
    const from = Math.trunc(fromMs);
    const to = Math.trunc(toMs);
    const maxPoints = Math.max(1, Math.trunc(options.maxPoints));
    if (to < from) return { kind: 'raw', samples: [] };
    const { n } = this.#db
      .prepare('SELECT count(*) AS n FROM history_samples WHERE tag = ? AND ts BETWEEN ? AND ?')
      .get(tag, from, to) as { n: number };
    if (n <= maxPoints) {
      const rows = this.#db
        .prepare(
          'SELECT ts, value, quality FROM history_samples WHERE tag = ? AND ts BETWEEN ? AND ? ORDER BY ts',
        )
        .all(tag, from, to) as Pick<Row, 'ts' | 'value' | 'quality'>[];
      return { kind: 'raw', samples: rows.map(toPoint) };
    }
    const bucketMs = Math.max(1, Math.ceil((to - from + 1) / maxPoints));
    const rows = this.#db
      .prepare(
        `SELECT agg.*, h.value AS lastValue, h.quality AS lastQuality
         FROM (
           SELECT (ts - CAST(@from AS INTEGER)) / CAST(@bucketMs AS INTEGER) AS b, count(*) AS count,
                  min(num) AS min, max(num) AS max, avg(num) AS avg,
                  sum(quality <> 'good') AS notGood, max(ts) AS lastTs
           FROM (
             SELECT ts, quality, CASE WHEN quality = 'bad' THEN NULL ELSE ${NUMERIC} END AS num
             FROM history_samples WHERE tag = @tag AND ts BETWEEN @from AND @to
           )
           GROUP BY b
         ) AS agg
         JOIN history_samples h ON h.tag = @tag AND h.ts = agg.lastTs
         ORDER BY agg.b`,
      )
      .all({ tag, from, to, bucketMs }) as {
      b: number;
      count: number;
      min: number | null;
      max: number | null;
      avg: number | null;
      notGood: number;
      lastTs: number;
      lastValue: string;
      lastQuality: HistoryQuality;
    }[];
    return {
      kind: 'buckets',
      bucketMs,
      buckets: rows.map((r) => ({
        from: from + r.b * bucketMs,
        to: Math.min(from + (r.b + 1) * bucketMs, to + 1),
        count: r.count,
        min: r.min,
        max: r.max,
        avg: r.avg,
        last: toPoint({ ts: r.lastTs, value: r.lastValue, quality: r.lastQuality }),
        notGood: r.notGood,
      })),
    };
  }

  /**
   * Samples recorded by `origin` after `afterTs`, oldest first, about `limit` of them. The last instant is
   * never cut in two (all tags at that ts come along, even past `limit`), so a reader that carries on
   * "after the last ts I got" misses nothing.
   */
  since(origin: string, afterTs: number, limit: number): HistorySample[] {
    const rows = this.#db
      .prepare(
        'SELECT tag, ts, value, quality, origin FROM history_samples WHERE origin = ? AND ts > ? ORDER BY ts, tag LIMIT ?',
      )
      .all(origin, afterTs, Math.max(1, Math.trunc(limit))) as Row[];
    const last = rows.at(-1);
    if (last && rows.length >= limit) {
      const rest = this.#db
        .prepare(
          'SELECT tag, ts, value, quality, origin FROM history_samples WHERE origin = ? AND ts = ? AND tag > ? ORDER BY tag',
        )
        .all(origin, last.ts, last.tag) as Row[];
      rows.push(...rest);
    }
    return rows.map(toSample);
  }

  /** The newest ts recorded by `origin`, or null. */
  latestTs(origin: string): number | null {
    const row = this.#db
      .prepare('SELECT max(ts) AS ts FROM history_samples WHERE origin = ?')
      .get(origin) as {
      ts: number | null;
    };
    return row.ts;
  }

  /** The newest ts of every origin held here. */
  latestByOrigin(): Record<string, number> {
    // Skips through the (origin, ts) index one origin at a time rather than reading every sample.
    const origins = this.#db
      .prepare(
        `WITH RECURSIVE o(origin) AS (
           SELECT min(origin) FROM history_samples
           UNION ALL
           SELECT (SELECT min(origin) FROM history_samples WHERE origin > o.origin) FROM o WHERE o.origin IS NOT NULL
         ) SELECT origin FROM o WHERE origin IS NOT NULL`,
      )
      .pluck()
      .all() as string[];
    const out: Record<string, number> = {};
    for (const origin of origins) {
      const ts = this.latestTs(origin);
      if (ts !== null) out[origin] = ts;
    }
    return out;
  }

  /** The newest ts held for `tag`, whoever recorded it, or null. */
  latestTsOfTag(tag: string): number | null {
    const row = this.#db.prepare('SELECT max(ts) AS ts FROM history_samples WHERE tag = ?').get(tag) as {
      ts: number | null;
    };
    return row.ts;
  }

  /**
   * The newest `limit` samples of `tag` strictly between `afterTs` and `beforeTs`, oldest first, and how many
   * there are in all: what Sparkplug has left to send as historical (docs/sparkplug.md "Buffering").
   */
  between(
    tag: string,
    afterTs: number,
    beforeTs: number,
    limit: number,
  ): { samples: (HistoryPoint & { readonly origin: string })[]; total: number } {
    const { n } = this.#db
      .prepare('SELECT count(*) AS n FROM history_samples WHERE tag = ? AND ts > ? AND ts < ?')
      .get(tag, afterTs, beforeTs) as { n: number };
    if (n === 0 || limit <= 0) return { samples: [], total: n };
    const rows = this.#db
      .prepare(
        'SELECT ts, value, quality, origin FROM history_samples WHERE tag = ? AND ts > ? AND ts < ? ORDER BY ts DESC LIMIT ?',
      )
      .all(tag, afterTs, beforeTs, Math.trunc(limit)) as Pick<Row, 'ts' | 'value' | 'quality' | 'origin'>[];
    // The origin tells whose polls a sample is: Sparkplug's catch-up follows each node's samples in their order.
    return { samples: rows.reverse().map((row) => ({ ...toPoint(row), origin: row.origin })), total: n };
  }

  hasTag(tag: string): boolean {
    return this.#db.prepare('SELECT 1 FROM history_samples WHERE tag = ? LIMIT 1').get(tag) !== undefined;
  }

  count(): number {
    return (this.#db.prepare('SELECT count(*) AS n FROM history_samples').get() as { n: number }).n;
  }

  /**
   * Deletes samples older than `beforeTs`, tag by tag from the tag `from` on, and stops after `limit` rows
   * deleted or tags looked at; answers how many it deleted and the tag to go on from (null: done). Tag by
   * tag, because the samples of one tag are neighbours in the table's key (tag, ts): each step is a seek and
   * a contiguous range. `WHERE ts < ?` alone reads the whole table (35 s at 2.25 million samples).
   */
  prune(beforeTs: number, limit: number, from = ''): { deleted: number; next: string | null } {
    const before = Math.trunc(beforeTs);
    // The first row of a tag in the key (tag, ts) is its oldest sample: a tag with nothing old costs one seek.
    const firstAtOrAfter = cachedStatement(
      this.#db,
      'SELECT tag, ts FROM history_samples WHERE tag >= ? ORDER BY tag, ts LIMIT 1',
    );
    const firstAfter = cachedStatement(
      this.#db,
      'SELECT tag, ts FROM history_samples WHERE tag > ? ORDER BY tag, ts LIMIT 1',
    );
    // The oldest `@last + 1` samples of one tag before the limit: a range of the key, ended by the last of them.
    const deleteOldest = cachedStatement(
      this.#db,
      `DELETE FROM history_samples WHERE tag = @tag AND ts < @before AND ts <= coalesce(
         (SELECT ts FROM history_samples WHERE tag = @tag AND ts < @before ORDER BY ts LIMIT 1 OFFSET @last),
         @before)`,
    );
    let work = 0;
    let deleted = 0;
    let oldest = firstAtOrAfter.get(from) as { tag: string; ts: number } | undefined;
    while (oldest !== undefined) {
      const { tag } = oldest;
      work++;
      if (oldest.ts < before) {
        const n = deleteOldest.run({ tag, before, last: Math.max(0, limit - work - 1) }).changes;
        deleted += n;
        work += n;
      }
      if (work >= limit) return { deleted, next: tag };
      oldest = firstAfter.get(tag) as { tag: string; ts: number } | undefined;
    }
    return { deleted, next: null };
  }
}

function toPoint(row: Pick<Row, 'ts' | 'value' | 'quality'>): HistoryPoint {
  return { ts: row.ts, value: JSON.parse(row.value) as HistoryValue, quality: row.quality };
}

function toSample(row: Row): HistorySample {
  return {
    tag: row.tag,
    ts: row.ts,
    value: JSON.parse(row.value) as HistoryValue,
    quality: row.quality,
    origin: row.origin,
  };
}
