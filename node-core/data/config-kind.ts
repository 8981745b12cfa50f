/** What config data holds: tag definitions, devices, alarm rules. On its own, so the dashboard can name it. */
export type ConfigKind = 'tag' | 'device' | 'alarm-rule';
export const CONFIG_KINDS: readonly ConfigKind[] = ['tag', 'device', 'alarm-rule'];
