import { sql as initial } from './001-initial.ts';
import { sql as data } from './002-data.ts';
import { sql as alarms } from './004-alarms.ts';

/** Numbered migrations, applied in order; a migration never changes once released. */
export const migrations: readonly { readonly version: number; readonly sql: string }[] = [
  { version: 1, sql: initial },
  { version: 2, sql: data },
  // 3 is history (node-core/history); numbers stay in order of release, not of files.
  { version: 4, sql: alarms },
];
