/**
 * The SQL of tag history (history_samples; docs/rules.md "Data 4"): one sample per (tag, ts), written only by
 * the active node and forwarded to the peer (history/). Recording is idempotent, so a sample that arrives
 * twice (a re-sent chunk, the warm buffer and the forwarder both holding it) is stored once. Reading a
 * range back is history-reads.ts.
 */
import { cachedStatement, storageFailure, valuesList, type Db, type Statement } from './database.ts';
import {
  queryRange,
  samplesBetween,
  type HistoryPoint,
  type HistoryQuality,
  type HistoryQueryResult,
  type HistoryValue,
} from './history-reads.ts';

export type { HistoryPoint, HistoryQuality, HistoryQueryResult, HistoryValue } from './history-reads.ts';

export interface HistorySample {
  readonly tag: string;
  /** Milliseconds since the epoch, when the value was taken. */
  readonly ts: number;
  readonly value: HistoryValue;
  readonly quality: HistoryQuality;
  /** The node id of the node that recorded it. */
  readonly origin: string;
}

interface Row {
  tag: string;
  ts: number;
  value: string;
  quality: HistoryQuality;
  origin: string;
}

/**
 * Samples waiting in history_recent before they move to history_samples. The more wait, the more samples of
 * each tag move with one page write (at 10,000 tags polled each second: about 5 per tag).
 */
const RECENT_ROWS = 50_000;
/** The fewest samples one move takes: fewer would rewrite the same pages for little. */
const MIN_MOVE = 5_000;
/** Samples in one insert statement, as values are upserted (runtime-rows.ts). */
const INSERT_ROWS = 50;
/** A sample's parameters in that statement: tag, ts, value, quality, origin. */
const SAMPLE_COLUMNS = 5;

/**
 * History in two tables (docs/rules.md "Data 4", recent samples): samples are recorded into history_recent,
 * appended in the order they come, and moved to history_samples, kept by (tag, ts), many per tag at a time.
 * Every read sees both.
 */
export class HistoryStore {
  readonly #db: Db;
  /** Rows in history_recent as far as this store knows: only decides when to move. */
  #recentRows: number;
  /** The tag after which the next move starts; '' = from the first. */
  #moveAfter = '';
  /**
   * Per tag, a ts no sample of it in either table is later than: read from the tables at the tag's first
   * record, then raised by each record. Too high only costs a check; it can never be too low, as only this
   * store adds samples, and deleting them leaves the bound true.
   */
  readonly #newestRecorded = new Map<string, number>();

  constructor(db: Db) {
    this.#db = db;
    this.#recentRows = recentRowsIn(db);
  }

  /** Stores the samples not yet held (by tag and ts), in one transaction; returns how many were new. */
  record(samples: readonly HistorySample[]): number {
    if (samples.length === 0) return 0;
    const added = this.#db.transaction(() => this.recordWithin(samples))();
    if (this.#recentRows > RECENT_ROWS) {
      try {
        this.#move(Math.max(2 * samples.length, MIN_MOVE));
      } catch (error) {
        // The samples are stored (and read) where they are: a move the disk refuses is tried again with the
        // next record, and does not turn this record, which succeeded, into a failure.
        if (storageFailure(error) === null) throw error;
      }
    }
    return added;
  }

  /**
   * Stores the samples not yet held within the caller's transaction (a value and its sample together, or
   * neither); the move they may make due waits for the next record(). Returns how many were new.
   */
  recordWithin(samples: readonly HistorySample[]): number {
    const insertChecked = cachedStatement(
      this.#db,
      `INSERT OR IGNORE INTO history_recent (tag, ts, value, quality, origin)
       SELECT @tag, @ts, @value, @quality, @origin
       WHERE NOT EXISTS (SELECT 1 FROM history_samples WHERE tag = @tag AND ts = @ts)`,
    );
    let added = 0;
    let newest: (string | number)[] = [];
    const insertNewest = (): void => {
      if (newest.length === 0) return;
      added += this.#insertRows(newest.length / SAMPLE_COLUMNS).run(...newest).changes;
      newest = [];
    };
    for (const s of samples) {
      const ts = Math.trunc(s.ts);
      // A sample later than any of its tag cannot be held yet: no look into history_samples (a poll's usual
      // case, and most of record's cost at 10,000 tags a second), and many go in one statement. Earlier ones
      // (a peer's, forwarded) are checked against both tables, in the order they came. Raised before the
      // commit: if it rolls back, the bound is only too high.
      if (ts > this.#newestOf(s.tag)) {
        this.#newestRecorded.set(s.tag, ts);
        newest.push(s.tag, ts, JSON.stringify(s.value), s.quality, s.origin);
        if (newest.length === SAMPLE_COLUMNS * INSERT_ROWS) insertNewest();
        continue;
      }
      insertNewest();
      const row = { tag: s.tag, ts, value: JSON.stringify(s.value), quality: s.quality, origin: s.origin };
      added += insertChecked.run(row).changes;
    }
    insertNewest();
    this.#recentRows += added;
    return added;
  }

  /** An insert of `rows` samples into history_recent in one statement (each run costs about a row's). */
  #insertRows(rows: number): Statement {
    return cachedStatement(
      this.#db,
      `INSERT OR IGNORE INTO history_recent (tag, ts, value, quality, origin)
       VALUES ${valuesList(rows, SAMPLE_COLUMNS)}`,
    );
  }

  /**
   * Moves about `rows` recent samples, whole tags in tag order from where the last move stopped, to
   * history_samples, in one transaction. Twice what came in keeps the waiting rows near RECENT_ROWS.
   */
  #move(rows: number): void {
    const lastOfRun = cachedStatement(
      this.#db,
      'SELECT tag FROM history_recent WHERE tag > ? ORDER BY tag, ts LIMIT 1 OFFSET ?',
    );
    const last = lastOfRun.get(this.#moveAfter, rows - 1) as { tag: string } | undefined;
    // Past the last tag: takes the rest, and the next move starts from the first tag again.
    this.#moveToSamples('tag > ? AND tag <= ?', this.#moveAfter, last?.tag ?? '\u{10FFFF}');
    this.#moveAfter = last?.tag ?? '';
  }

  /** Moves the recent samples that `where` picks to history_samples, in one transaction. */
  #moveToSamples(where: string, ...params: unknown[]): void {
    const copy = cachedStatement(
      this.#db,
      `INSERT OR IGNORE INTO history_samples (tag, ts, value, quality, origin)
       SELECT tag, ts, value, quality, origin FROM history_recent WHERE ${where} ORDER BY tag, ts`,
    );
    const remove = cachedStatement(this.#db, `DELETE FROM history_recent WHERE ${where}`);
    this.#db.transaction(() => {
      copy.run(...params);
      this.#recentRows = Math.max(0, this.#recentRows - remove.run(...params).changes);
    })();
  }

  /** A tag's samples in a time range, raw or in buckets (history-reads.ts queryRange). */
  query(tag: string, fromMs: number, toMs: number, options: { maxPoints: number }): HistoryQueryResult {
    return queryRange(this.#db, tag, fromMs, toMs, options.maxPoints);
  }

  /**
   * Samples recorded by `origin` after `afterTs`, oldest first, about `limit` of them. The last instant is
   * never cut in two (all tags at that ts come along, even past `limit`), so a reader that carries on
   * "after the last ts I got" misses nothing.
   */
  since(origin: string, afterTs: number, limit: number): HistorySample[] {
    // Each table gives its first `limit` on its own: a limit over their union would sort all that follows.
    const rows = this.#db
      .prepare(
        `SELECT * FROM (SELECT tag, ts, value, quality, origin FROM history_samples
                        WHERE origin = @origin AND ts > @after ORDER BY ts, tag LIMIT @limit)
         UNION ALL
         SELECT * FROM (SELECT tag, ts, value, quality, origin FROM history_recent
                        WHERE origin = @origin AND ts > @after ORDER BY ts, tag LIMIT @limit)
         ORDER BY ts, tag LIMIT @limit`,
      )
      .all({ origin, after: afterTs, limit: Math.max(1, Math.trunc(limit)) }) as Row[];
    const last = rows.at(-1);
    if (last && rows.length >= limit) {
      const rest = this.#db
        .prepare(
          `SELECT tag, ts, value, quality, origin FROM history_samples WHERE origin = @origin AND ts = @ts AND tag > @tag
           UNION ALL
           SELECT tag, ts, value, quality, origin FROM history_recent WHERE origin = @origin AND ts = @ts AND tag > @tag
           ORDER BY tag`,
        )
        .all({ origin, ts: last.ts, tag: last.tag }) as Row[];
      rows.push(...rest);
    }
    return rows.map(toSample);
  }

  /** The newest ts recorded by `origin`, or null. */
  latestTs(origin: string): number | null {
    return this.#newest('SELECT max(ts) FROM %TABLE% WHERE origin = ?', origin);
  }

  /** The larger of what `sql` (one max(), with %TABLE%) answers over each of the two tables; null for none. */
  #newestOf(tag: string): number {
    let ts = this.#newestRecorded.get(tag);
    if (ts === undefined) {
      ts = this.latestTsOfTag(tag) ?? -Infinity;
      this.#newestRecorded.set(tag, ts);
    }
    return ts;
  }

  #newest(sql: string, key: string): number | null {
    const answers = ['history_samples', 'history_recent'].map(
      // Cached: a tag's first record asks this once per tag (10,000 prepares when 10,000 tags are added).
      (table) => cachedStatement(this.#db, sql.replace('%TABLE%', table)).pluck().get(key) as number | null,
    );
    const held = answers.filter((ts): ts is number => ts !== null);
    return held.length === 0 ? null : Math.max(...held);
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
    const recent = this.#db
      .prepare('SELECT origin FROM history_recent GROUP BY origin')
      .pluck()
      .all() as string[];
    const out: Record<string, number> = {};
    for (const origin of new Set([...origins, ...recent])) {
      const ts = this.latestTs(origin);
      if (ts !== null) out[origin] = ts;
    }
    return out;
  }

  /** The newest ts held for `tag`, whoever recorded it, or null. */
  latestTsOfTag(tag: string): number | null {
    return this.#newest('SELECT max(ts) FROM %TABLE% WHERE tag = ?', tag);
  }

  /** What Sparkplug has left to send of a tag, and how much (history-reads.ts samplesBetween). */
  between(
    tag: string,
    afterTs: number,
    beforeTs: number,
    limit: number,
  ): { samples: (HistoryPoint & { readonly origin: string })[]; total: number } {
    return samplesBetween(this.#db, tag, afterTs, beforeTs, limit);
  }

  hasTag(tag: string): boolean {
    return (
      this.#db
        .prepare(
          'SELECT EXISTS (SELECT 1 FROM history_samples WHERE tag = @tag) OR EXISTS (SELECT 1 FROM history_recent WHERE tag = @tag)',
        )
        .pluck()
        .get({ tag }) === 1
    );
  }

  count(): number {
    return this.#db
      .prepare('SELECT (SELECT count(*) FROM history_samples) + (SELECT count(*) FROM history_recent)')
      .pluck()
      .get() as number;
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
    // Recent samples are few and mostly new. Old ones there (a peer's, forwarded late) join the others at a
    // pass's start, so that the steps below delete every old sample in their bounded way.
    if (from === '') this.#moveToSamples('ts < ?', before);
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

function toSample(row: Row): HistorySample {
  return {
    tag: row.tag,
    ts: row.ts,
    value: JSON.parse(row.value) as HistoryValue,
    quality: row.quality,
    origin: row.origin,
  };
}

/**
 * The rows waiting in history_recent. A damaged page there must not keep the node from starting (the check
 * after start reports it, store/store-thread.ts): counted as none, the next move finds out how many.
 */
function recentRowsIn(db: Db): number {
  try {
    return (db.prepare('SELECT count(*) AS n FROM history_recent').get() as { n: number }).n;
  } catch (error) {
    if (storageFailure(error)?.kind !== 'damaged') throw error;
    return 0;
  }
}
