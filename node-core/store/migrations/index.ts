import { sql as initial } from './001-initial.ts';
import { sql as data } from './002-data.ts';
import { sql as alarms } from './004-alarms.ts';
import { sql as history } from './005-history.ts';
import { sql as users } from './006-users.ts';
import { sql as conflictTombstones } from './007-conflict-tombstones.ts';
import { sql as certificateUse } from './008-certificate-use.ts';
import { sql as retentionIndexes } from './009-retention-indexes.ts';
import { sql as historyRecent } from './010-history-recent.ts';

/**
 * Numbered migrations, applied in order; a migration never changes once released.
 * 3 was never released (history took 5 because databases at 4 already exist).
 */
export const migrations: readonly { readonly version: number; readonly sql: string }[] = [
  { version: 1, sql: initial },
  { version: 2, sql: data },
  { version: 4, sql: alarms },
  { version: 5, sql: history },
  { version: 6, sql: users },
  { version: 7, sql: conflictTombstones },
  { version: 8, sql: certificateUse },
  { version: 9, sql: retentionIndexes },
  { version: 10, sql: historyRecent },
];
