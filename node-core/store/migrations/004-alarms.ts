export const sql = `
-- Alarm states are runtime data: versioned, replicated both ways, an acknowledgement never goes back.
CREATE TABLE alarm_states (
  id     TEXT PRIMARY KEY,
  state  TEXT NOT NULL,
  epoch  INTEGER NOT NULL,
  hlc    TEXT NOT NULL
) STRICT;
`;
