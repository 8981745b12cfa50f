/** What config data holds: tag definitions, devices, alarm rules. On its own, so the dashboard can name it. */
export type ConfigKind = 'tag' | 'device' | 'alarm-rule';
export const CONFIG_KINDS: readonly ConfigKind[] = ['tag', 'device', 'alarm-rule'];

/** One item's identity across kinds. */
export function itemKey(item: { readonly kind: ConfigKind; readonly key: string }): string {
  return `${item.kind}\u0000${item.key}`;
}
