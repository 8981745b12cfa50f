export const sql = `
-- History: samples of tag values, one per (tag, ts), so recording the same sample twice stores it once.
-- origin is the node that recorded it; a node forwards what it recorded to its peer (node-core/history).
-- Version 5: databases at version 4 existed before history did, so it comes after alarms.
CREATE TABLE IF NOT EXISTS history_samples (
  tag      TEXT NOT NULL,
  ts       INTEGER NOT NULL,
  value    TEXT NOT NULL,
  quality  TEXT NOT NULL CHECK (quality IN ('good', 'bad', 'uncertain')),
  origin   TEXT NOT NULL,
  PRIMARY KEY (tag, ts)
) STRICT, WITHOUT ROWID;

-- Forwarding reads a node's own samples in time order.
CREATE INDEX IF NOT EXISTS history_by_origin ON history_samples (origin, ts, tag);
`;
