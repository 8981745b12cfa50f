/** Alarm evaluation and acknowledgement; only the active node evaluates, so one alarm notifies once. */
import type { ConfigStore } from './config-store.ts';
import { AlarmStore, type AlarmState } from './alarm-store.ts';
import { evaluateAlarm, type AlarmRule } from './alarm-rule.ts';
import type { TagValue } from './runtime-store.ts';
import type { Version } from './version.ts';

export interface AlarmView extends Omit<
  AlarmState,
  'version' | 'occurrence' | 'activatedAt' | 'clearedAt' | 'ackedAt'
> {
  readonly rule: AlarmRule;
  readonly activatedAt: string | null;
  readonly clearedAt: string | null;
  readonly ackedAt: string | null;
}

export class AlarmService {
  readonly store: AlarmStore;
  readonly #config: ConfigStore;

  constructor(store: AlarmStore, config: ConfigStore) {
    this.store = store;
    this.#config = config;
  }

  /** New states for the rules on these tags whose active flag changed; stored before they are returned. */
  evaluate(values: readonly TagValue[], now: number, version: () => Version): AlarmState[] {
    const rules = this.#config.list<AlarmRule>('alarm-rule');
    if (rules.length === 0) return [];
    const byTag = new Map(values.map((v) => [v.name, v]));
    const changed: AlarmState[] = [];
    for (const { key, definition: rule } of rules) {
      const value = byTag.get(rule.tag);
      if (!value) continue;
      const current = this.store.get(key);
      const wasActive = current?.active ?? false;
      const active = value.quality === 'good' && evaluateAlarm(rule, value.value, wasActive);
      if (active === wasActive) continue;
      if (active) {
        const raised = version();
        changed.push({
          id: key,
          active,
          activatedAt: now,
          occurrence: raised.hlc,
          clearedAt: null,
          acked: false,
          ackedBy: null,
          ackedAt: null,
          version: raised,
        });
      } else {
        changed.push({ ...(current as AlarmState), active, clearedAt: now, version: version() });
      }
    }
    return this.store.merge(changed);
  }

  /** Acknowledges the current occurrence; returns null when there is nothing to acknowledge. */
  acknowledge(id: string, by: string, now: number, version: () => Version): AlarmState | null {
    const current = this.store.get(id);
    if (!current || current.activatedAt === null) return null;
    if (current.acked) return current;
    const [acked] = this.store.merge([
      { ...current, acked: true, ackedBy: by, ackedAt: now, version: version() },
    ]);
    return acked ?? current;
  }

  list(): AlarmView[] {
    return this.#config.list<AlarmRule>('alarm-rule').map(({ key, definition: rule }) => {
      const s = this.store.get(key);
      const iso = (t: number | null | undefined): string | null =>
        t == null ? null : new Date(t).toISOString();
      return {
        id: key,
        rule,
        active: s?.active ?? false,
        acked: s?.acked ?? false,
        ackedBy: s?.ackedBy ?? null,
        activatedAt: iso(s?.activatedAt),
        clearedAt: iso(s?.clearedAt),
        ackedAt: iso(s?.ackedAt),
      };
    });
  }
}
