import { sql as initial } from './001-initial.ts';
import { sql as data } from './002-data.ts';

/** Numbered migrations, applied in order; a migration never changes once released. */
export const migrations: readonly { readonly version: number; readonly sql: string }[] = [
  { version: 1, sql: initial },
  { version: 2, sql: data },
];
