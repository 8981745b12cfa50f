export const sql = `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE events (
  id          TEXT PRIMARY KEY,
  at          INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  node        TEXT NOT NULL,
  node_id     TEXT NOT NULL,
  from_status TEXT,
  to_status   TEXT,
  reason      TEXT NOT NULL,
  duration_ms INTEGER
) STRICT;
CREATE INDEX events_by_time ON events (at DESC, id);

CREATE TABLE certificates (
  fingerprint   TEXT PRIMARY KEY,
  pem           TEXT NOT NULL,
  subject       TEXT NOT NULL,
  not_before    TEXT NOT NULL,
  not_after     TEXT NOT NULL,
  state         TEXT NOT NULL CHECK (state IN ('pending', 'trusted', 'rejected')),
  first_seen_at INTEGER NOT NULL,
  decided_at    INTEGER
) STRICT;
`;
