/**
 * Account changes on a node that does not run (`tandem-node user add|remove` before its first start, or
 * while it is stopped): written into its config log as changes of its own, with its node id and epoch. When
 * the node next links, such a change is one the peer has not seen: the active node merges it by key, exactly
 * as a change made during a split (docs/redundancy.md "Merge by key"); if the same account was changed on
 * the other node meanwhile, the pair keeps the active node's and the other waits in the conflict set.
 *
 * A running node is never written to this way: its config log lives in its memory too (the CLI goes through
 * its API then, see cli/user-command.ts).
 */
import { ConfigStore } from '../data/index.ts';
import { MetaStore, UserStore, type Db } from '../store/index.ts';
import { ACCOUNT_KIND, PairAccounts, type AccountDefinition } from './pair-accounts.ts';

export type OfflineAccountChange =
  | { readonly op: 'put'; readonly name: string; readonly definition: AccountDefinition }
  | { readonly op: 'delete'; readonly name: string };

export class OfflineAccounts {
  readonly #config: ConfigStore;
  readonly #meta: MetaStore;
  readonly accounts: PairAccounts;

  constructor(db: Db) {
    this.#meta = new MetaStore(db);
    this.#config = new ConfigStore(db, this.#meta);
    this.accounts = new PairAccounts(this.#config);
  }

  /** One change, logged and applied in one transaction. */
  change(change: OfflineAccountChange, now: number): void {
    this.#config.commitLocal(
      change.op,
      ACCOUNT_KIND,
      change.name,
      change.op === 'put' ? change.definition : null,
      this.#meta.epoch(),
      this.#meta.nodeId(),
      now,
    );
  }

  /**
   * The operators of a node of an earlier version (the `users` table, one node's own) become the pair's
   * accounts: each not yet an account is added to the config log, then the table is emptied. Answers how many
   * were moved. Run at start, before the node reads its config.
   */
  moveLegacyUsers(db: Db, now: number): number {
    const legacy = new UserStore(db);
    const names = legacy.list();
    if (names.length === 0) return 0;
    let moved = 0;
    for (const { name } of names) {
      const user = legacy.get(name);
      if (!user) continue;
      if (!this.accounts.get(name)) {
        this.change(
          { op: 'put', name, definition: { passwordHash: user.passwordHash, createdAt: user.createdAt } },
          now,
        );
        moved += 1;
      }
      legacy.remove(name);
    }
    return moved;
  }
}
