/**
 * The pair's operator accounts (docs/auth.md): kept as config items of kind `user` (key: the name; value:
 * the password hash and when the account was made), so they are replicated, merged by key and acknowledged
 * like every other config change, and an operator added on one node signs in on the other with the same
 * password. What an API answers of them never holds the hash (`publicAccount`).
 */
import { z } from 'zod';
import type { ConfigKind } from '../data/index.ts';
import { USER_NAME } from './operator-login.ts';
import type { UserLookup } from './operator-login.ts';

export const ACCOUNT_KIND = 'user' satisfies ConfigKind;

/** An account as the config item holds it. */
const accountSchema = z
  .object({
    passwordHash: z.string().min(1).max(512),
    /** When the account was made: a name removed and made again is another account (its sessions end). */
    createdAt: z.number().int().min(0),
  })
  .strict();
export type AccountDefinition = z.infer<typeof accountSchema>;

export interface Account extends AccountDefinition {
  readonly name: string;
}

/** What the accounts read of the config store (node-core/data's ConfigStore). */
export interface AccountSource {
  item<T>(kind: ConfigKind, key: string): T | undefined;
  list<T>(kind: ConfigKind): { key: string; definition: T }[];
}

export class PairAccounts implements UserLookup {
  readonly #config: AccountSource;

  constructor(config: AccountSource) {
    this.#config = config;
  }

  /**
   * Read on every request made with a session token (is its user still there?): from the config store's
   * kept items, no database read. An item that is not an account (written by hand) is no account.
   */
  get(name: string): Account | undefined {
    if (!USER_NAME.test(name)) return undefined;
    const parsed = accountSchema.safeParse(this.#config.item(ACCOUNT_KIND, name));
    return parsed.success ? { name, ...parsed.data } : undefined;
  }

  /** Every account by name, without the password hashes (nothing that lists accounts needs them). */
  list(): { name: string; createdAt: number }[] {
    const accounts: { name: string; createdAt: number }[] = [];
    for (const item of this.#config.list<unknown>(ACCOUNT_KIND)) {
      const parsed = accountSchema.safeParse(item.definition);
      if (parsed.success && USER_NAME.test(item.key))
        accounts.push({ name: item.key, createdAt: parsed.data.createdAt });
    }
    return accounts;
  }
}

/**
 * What may be shown of an account item to an API caller: the config item without its password hash (the
 * conflict set lists items of every kind).
 */
export function publicAccount(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const rest: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  delete rest['passwordHash'];
  return rest;
}
