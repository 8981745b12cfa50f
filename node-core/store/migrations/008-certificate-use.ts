export const sql = `
-- What a certificate is for: the peer link ('peer', each node decides on its own) or an OPC UA client
-- ('opcua-client', a decision the pair shares through its config: docs/opcua.md "Security").
ALTER TABLE certificates ADD COLUMN use TEXT NOT NULL DEFAULT 'peer' CHECK (use IN ('peer', 'opcua-client'));
`;
