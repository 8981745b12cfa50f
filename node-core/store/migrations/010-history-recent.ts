export const sql = `
-- The newest history samples, in the order they were recorded (docs/rules.md "Data 4", recent samples).
-- history_samples is kept in (tag, ts) order, so one poll of 10,000 tags changed 10,000 of its pages, and
-- SQLite wrote each of them whole at every commit and again at the checkpoint. Samples land here first, a
-- few pages per poll, and move over in runs of many samples per tag (HistoryStore.record).
CREATE TABLE IF NOT EXISTS history_recent (
  tag      TEXT NOT NULL,
  ts       INTEGER NOT NULL,
  value    TEXT NOT NULL,
  quality  TEXT NOT NULL CHECK (quality IN ('good', 'bad', 'uncertain')),
  origin   TEXT NOT NULL
) STRICT;

CREATE UNIQUE INDEX IF NOT EXISTS history_recent_key ON history_recent (tag, ts);
`;
