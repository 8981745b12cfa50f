export const sql = `
-- Operator logins (docs/rules.md "Trust 4"): one row per operator of this node. Never replicated: each node
-- has its own operators, as it has its own admin token. password_hash names its scheme and parameters
-- (node-core/auth/password.ts: scrypt with a random salt per user).
CREATE TABLE users (
  name          TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  created_at    INTEGER NOT NULL
) STRICT;
`;
