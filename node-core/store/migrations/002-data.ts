export const sql = `
-- Config data: the current definitions, and the change log that replicates them.
CREATE TABLE config_items (
  kind       TEXT NOT NULL,
  key        TEXT NOT NULL,
  definition TEXT NOT NULL,
  PRIMARY KEY (kind, key)
) STRICT;

CREATE TABLE config_changes (
  seq        INTEGER PRIMARY KEY,
  epoch      INTEGER NOT NULL,
  origin     TEXT NOT NULL,
  op         TEXT NOT NULL CHECK (op IN ('put', 'delete')),
  kind       TEXT NOT NULL,
  key        TEXT NOT NULL,
  value      TEXT,
  checksum   TEXT NOT NULL,
  at         INTEGER NOT NULL
) STRICT;

-- Changes a node made during a split that the pair did not keep; an operator reviews and re-applies them.
CREATE TABLE config_conflicts (
  id         TEXT PRIMARY KEY,
  origin     TEXT NOT NULL,
  epoch      INTEGER NOT NULL,
  op         TEXT NOT NULL,
  kind       TEXT NOT NULL,
  key        TEXT NOT NULL,
  value      TEXT,
  at         INTEGER NOT NULL,
  recorded_at INTEGER NOT NULL
) STRICT;

-- Runtime data: current values with their versions (epoch, hybrid logical clock).
CREATE TABLE tag_values (
  name     TEXT PRIMARY KEY,
  value    TEXT NOT NULL,
  quality  TEXT NOT NULL,
  ts       INTEGER NOT NULL,
  epoch    INTEGER NOT NULL,
  hlc      TEXT NOT NULL
) STRICT;

-- The command ledger: a uid runs at most once per pair.
CREATE TABLE command_ledger (
  uid      TEXT PRIMARY KEY,
  command  TEXT NOT NULL,
  result   TEXT NOT NULL,
  at       INTEGER NOT NULL
) STRICT;
`;
