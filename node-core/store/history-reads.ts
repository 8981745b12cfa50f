/**
 * Reading a tag's history back (docs/rules.md "Data 4"): a time range raw or in buckets, for the API and the
 * dashboard, and what Sparkplug has left to send. Both tables of history-store.ts, as one.
 */
import type { Db } from './database.ts';

export type HistoryQuality = 'good' | 'bad' | 'uncertain';
export type HistoryValue = number | boolean | string | null;

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

interface PointRow {
  ts: number;
  value: string;
  quality: HistoryQuality;
  origin: string;
}

/** The numeric reading of a stored JSON value, for min/max/avg. */
const NUMERIC = `CASE json_type(value)
  WHEN 'integer' THEN CAST(value AS REAL) WHEN 'real' THEN CAST(value AS REAL)
  WHEN 'true' THEN 1.0 WHEN 'false' THEN 0.0 ELSE NULL END`;

/** One tag's samples in a time range, from both tables (a sample is only ever in one of them). */
const TAG_RANGE = `SELECT ts, value, quality, origin FROM history_samples WHERE tag = @tag AND ts BETWEEN @from AND @to
  UNION ALL SELECT ts, value, quality, origin FROM history_recent WHERE tag = @tag AND ts BETWEEN @from AND @to`;
/** How many samples TAG_RANGE holds, counted in each table through its key. */
const TAG_RANGE_COUNT = `SELECT (SELECT count(*) FROM history_samples WHERE tag = @tag AND ts BETWEEN @from AND @to)
  + (SELECT count(*) FROM history_recent WHERE tag = @tag AND ts BETWEEN @from AND @to) AS n`;

/**
 * A tag's samples from `fromMs` to `toMs` (both included): all of them, oldest first, when there are no more
 * than `maxPoints`, else at most `maxPoints` buckets of equal length with min, max, average and last value.
 */
export function queryRange(
  db: Db,
  tag: string,
  fromMs: number,
  toMs: number,
  maxPointsAsked: number,
): HistoryQueryResult {
  const from = Math.trunc(fromMs);
  const to = Math.trunc(toMs);
  const maxPoints = Math.max(1, Math.trunc(maxPointsAsked));
  if (to < from) return { kind: 'raw', samples: [] };
  const { n } = db.prepare(TAG_RANGE_COUNT).get({ tag, from, to }) as { n: number };
  if (n <= maxPoints) {
    const rows = db.prepare(`${TAG_RANGE} ORDER BY ts`).all({ tag, from, to }) as Pick<
      PointRow,
      'ts' | 'value' | 'quality'
    >[];
    return { kind: 'raw', samples: rows.map(toPoint) };
  }
  const bucketMs = Math.max(1, Math.ceil((to - from + 1) / maxPoints));
  const rows = db
    .prepare(
      `WITH h AS MATERIALIZED (${TAG_RANGE})
         SELECT agg.*, h.value AS lastValue, h.quality AS lastQuality
         FROM (
           SELECT (ts - CAST(@from AS INTEGER)) / CAST(@bucketMs AS INTEGER) AS b, count(*) AS count,
                  min(num) AS min, max(num) AS max, avg(num) AS avg,
                  sum(quality <> 'good') AS notGood, max(ts) AS lastTs
           FROM (SELECT ts, quality, CASE WHEN quality = 'bad' THEN NULL ELSE ${NUMERIC} END AS num FROM h)
           GROUP BY b
         ) AS agg
         JOIN h ON h.ts = agg.lastTs
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
 * The newest `limit` samples of `tag` strictly between `afterTs` and `beforeTs`, oldest first, and how many
 * there are in all: what Sparkplug has left to send as historical (docs/sparkplug.md "Buffering").
 */
export function samplesBetween(
  db: Db,
  tag: string,
  afterTs: number,
  beforeTs: number,
  limit: number,
): { samples: (HistoryPoint & { readonly origin: string })[]; total: number } {
  // Strictly between: the range of TAG_RANGE, which is inclusive, narrowed by one at each end.
  const range = { tag, from: Math.floor(afterTs) + 1, to: Math.ceil(beforeTs) - 1 };
  const { n } = db.prepare(TAG_RANGE_COUNT).get(range) as { n: number };
  if (n === 0 || limit <= 0) return { samples: [], total: n };
  const rows = db
    .prepare(`${TAG_RANGE} ORDER BY ts DESC LIMIT @limit`)
    .all({ ...range, limit: Math.trunc(limit) }) as Pick<PointRow, 'ts' | 'value' | 'quality' | 'origin'>[];
  // The origin tells whose polls a sample is: Sparkplug's catch-up follows each node's samples in their order.
  return { samples: rows.reverse().map((row) => ({ ...toPoint(row), origin: row.origin })), total: n };
}

function toPoint(row: Pick<PointRow, 'ts' | 'value' | 'quality'>): HistoryPoint {
  return { ts: row.ts, value: JSON.parse(row.value) as HistoryValue, quality: row.quality };
}
