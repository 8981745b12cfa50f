export const sql = `
-- Retention deletes command uids older than a point in time, every hour: without an index on their time
-- that was a scan of the whole ledger on the node's thread (docs/rules.md "Commands 1").
CREATE INDEX IF NOT EXISTS command_ledger_by_at ON command_ledger (at);
`;
