import type { Db } from './database.ts';
import type { EventKind, FailoverEvent } from '../dto.ts';

interface EventRow {
  id: string;
  at: number;
  kind: string;
  node: string;
  node_id: string;
  from_status: string | null;
  to_status: string | null;
  reason: string;
  duration_ms: number | null;
}

/** The failover history; inserts are idempotent by id so replication may repeat itself safely. */
export class EventStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /** Returns true when the event was new. */
  insert(event: FailoverEvent): boolean {
    const result = this.#db
      .prepare(
        `INSERT OR IGNORE INTO events (id, at, kind, node, node_id, from_status, to_status, reason, duration_ms)
         VALUES (@id, @at, @kind, @node, @nodeId, @from, @to, @reason, @durationMs)`,
      )
      .run({ ...event, at: Date.parse(event.at) });
    return result.changes > 0;
  }

  insertMany(events: readonly FailoverEvent[]): number {
    return this.#db.transaction(() => events.filter((e) => this.insert(e)).length)();
  }

  /** Newest first. */
  list(limit: number, kinds?: readonly EventKind[]): FailoverEvent[] {
    const filter = kinds && kinds.length > 0 ? `WHERE kind IN (${kinds.map(() => '?').join(',')})` : '';
    const rows = this.#db
      .prepare(`SELECT * FROM events ${filter} ORDER BY at DESC, id DESC LIMIT ?`)
      .all(...(kinds ?? []), limit) as EventRow[];
    return rows.map(fromRow);
  }

  /** Where the history stands: every event stored later has a greater position. */
  position(): number {
    return (this.#db.prepare('SELECT coalesce(max(rowid), 0) AS p FROM events').get() as { p: number }).p;
  }

  /** The events stored after `position` (recorded here or received from the peer), newest first. */
  storedAfter(position: number, limit: number): FailoverEvent[] {
    const rows = this.#db
      .prepare('SELECT * FROM events WHERE rowid > ? ORDER BY at DESC, id DESC LIMIT ?')
      .all(position, limit) as EventRow[];
    return rows.map(fromRow);
  }

  count(): number {
    return (this.#db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  }
}

function fromRow(row: EventRow): FailoverEvent {
  return {
    id: row.id,
    at: new Date(row.at).toISOString(),
    kind: row.kind as FailoverEvent['kind'],
    node: row.node as FailoverEvent['node'],
    nodeId: row.node_id,
    from: row.from_status as FailoverEvent['from'],
    to: row.to_status as FailoverEvent['to'],
    reason: row.reason,
    durationMs: row.duration_ms,
  };
}
