/** Temp databases for the unit specs (real SQLite files through the store's own openDatabase). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Db } from '../../node-core/store/index.ts';

export function tempDatabase(): { db: Db; dir: string; dispose: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-history-'));
  const db = openDatabase(dir);
  return {
    db,
    dir,
    dispose: () => {
      if (db.open) db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
