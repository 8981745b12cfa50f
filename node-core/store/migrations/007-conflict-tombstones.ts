export const sql = `
-- Conflicts an operator re-applied or discarded, by id. The conflict set lives on both nodes; a conflict
-- resolved on one while the other was out of reach would otherwise come back from the other at the next
-- link-up. Rows are tiny and conflicts rare (a split with changes on both sides), so they are kept.
CREATE TABLE config_conflicts_resolved (
  id          TEXT PRIMARY KEY,
  resolved_at INTEGER NOT NULL
) STRICT;
`;
