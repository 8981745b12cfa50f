/**
 * What config data holds: tag definitions, devices, alarm rules, and the pair's operator accounts (`user`:
 * a name and its password hash, node-core/auth/pair-accounts.ts), so that one sign-in serves both nodes.
 * On its own, so the dashboard can name it.
 */
export type ConfigKind = 'tag' | 'device' | 'alarm-rule' | 'user';
export const CONFIG_KINDS: readonly ConfigKind[] = ['tag', 'device', 'alarm-rule', 'user'];

/** One item's identity across kinds. */
export function itemKey(item: { readonly kind: ConfigKind; readonly key: string }): string {
  return `${item.kind}\u0000${item.key}`;
}
