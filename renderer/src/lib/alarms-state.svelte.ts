/**
 * Alarm states (`GET /api/alarms`, then every live `alarms` message) and acknowledgement. The operator's
 * name, typed once, is remembered in this browser's localStorage and sent as `by`.
 */
import type { AlarmView } from '../../../node-core/dto.ts';
import { toProblem, type ApiProblem, type DashboardApi } from './api-client.ts';
import type { ActionNotice } from './action-notice.ts';
import { failed, valueOf, type Loadable } from './loadable.ts';

export type AlarmPriority = AlarmView['rule']['priority'];

/** Where an alarm stands, as the words of the screen. */
export type AlarmCondition = 'active-unacked' | 'active-acked' | 'cleared-unacked' | 'normal';

export const OPERATOR_STORAGE_KEY = 'tandem.operator-name';

export interface AlarmsOptions {
  readonly now?: () => number;
  readonly uid?: () => string;
  /** Where the operator's name is remembered; null keeps it for this page only. */
  readonly storage?: Pick<Storage, 'getItem' | 'setItem'> | null;
}

export class AlarmsState {
  list = $state.raw<Loadable<AlarmView[]>>({ kind: 'loading' });
  operator = $state('');
  /** Id of the alarm an acknowledgement is out for. */
  busy = $state<string | null>(null);
  notice = $state.raw<ActionNotice | null>(null);

  /** Unacknowledged active first, then acknowledged active, then cleared unacknowledged, then the rest. */
  readonly sorted: AlarmView[] = $derived(sortAlarms(valueOf(this.list) ?? []));

  /** Active alarms nobody has acknowledged yet (the navigation's count). */
  readonly unacknowledged = $derived(
    (valueOf(this.list) ?? []).filter((a) => conditionOf(a) === 'active-unacked').length,
  );

  readonly #api: DashboardApi;
  readonly #now: () => number;
  readonly #uid: () => string;
  readonly #storage: Pick<Storage, 'getItem' | 'setItem'> | null;
  /** Acknowledgements sent without an answer: a retry of the same alarm reuses the uid. */
  readonly #unanswered = new Map<string, string>();
  #loads = 0;

  constructor(api: DashboardApi, options: AlarmsOptions = {}) {
    this.#api = api;
    this.#now = options.now ?? (() => Date.now());
    this.#uid = options.uid ?? (() => crypto.randomUUID());
    this.#storage = options.storage === undefined ? browserStorage() : options.storage;
    try {
      this.operator = this.#storage?.getItem(OPERATOR_STORAGE_KEY) ?? '';
    } catch {
      this.operator = '';
    }
  }

  async load(): Promise<void> {
    const request = ++this.#loads;
    try {
      const alarms = await this.#api.alarms();
      if (request === this.#loads) this.list = { kind: 'loaded', value: alarms, at: this.#now() };
    } catch (error) {
      if (request === this.#loads) this.list = failed(this.list, toProblem(error));
    }
  }

  /** A live `alarms` message holds every alarm: it replaces the list (and any answer still out). */
  applyLive(alarms: readonly AlarmView[]): void {
    this.#loads += 1;
    this.list = { kind: 'loaded', value: [...alarms], at: this.#now() };
  }

  setOperator(name: string): void {
    this.operator = name;
    try {
      this.#storage?.setItem(OPERATOR_STORAGE_KEY, name.trim());
    } catch {
      // Storage disabled: the name holds for this page.
    }
  }

  /** Acknowledges as the operator; false (with a notice saying why) when it did not happen. */
  async acknowledge(id: string): Promise<boolean> {
    const by = this.operator.trim();
    if (by === '') {
      this.notice = {
        tone: 'error',
        message: 'Type your name in “Operator name” first: every acknowledgement records who made it.',
        problem: { status: 0, code: 'NO_OPERATOR', message: 'no operator name' },
      };
      return false;
    }
    if (this.busy) return false;
    const uid = this.#unanswered.get(id) ?? this.#uid();
    this.#unanswered.set(id, uid);
    this.busy = id;
    this.notice = null;
    try {
      const answer = await this.#api.ackAlarm(id, by, uid);
      this.#unanswered.delete(id);
      this.notice = answer.executed
        ? { tone: 'success', message: `Alarm ${id} acknowledged by ${by}.` }
        : { tone: 'success', message: `Alarm ${id} was already acknowledged by this request; not repeated.` };
      await this.load();
      return true;
    } catch (error) {
      const problem = toProblem(error);
      if (problem.status !== 0) this.#unanswered.delete(id);
      this.notice = { tone: 'error', message: ackProblemText(id, problem), problem };
      return false;
    } finally {
      this.busy = null;
    }
  }

  dismissNotice(): void {
    this.notice = null;
  }
}

function browserStorage(): Pick<Storage, 'getItem' | 'setItem'> | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export function conditionOf(alarm: AlarmView): AlarmCondition {
  if (alarm.active) return alarm.acked ? 'active-acked' : 'active-unacked';
  return alarm.activatedAt !== null && !alarm.acked ? 'cleared-unacked' : 'normal';
}

/** Whether there is an occurrence to acknowledge. */
export function canAcknowledge(alarm: AlarmView): boolean {
  const condition = conditionOf(alarm);
  return condition === 'active-unacked' || condition === 'cleared-unacked';
}

const CONDITION_ORDER: Record<AlarmCondition, number> = {
  'active-unacked': 0,
  'active-acked': 1,
  'cleared-unacked': 2,
  normal: 3,
};

const PRIORITY_ORDER: Record<AlarmPriority, number> = { critical: 0, high: 1, medium: 2, low: 3 };

export function sortAlarms(alarms: readonly AlarmView[]): AlarmView[] {
  return [...alarms].sort(
    (a, b) =>
      CONDITION_ORDER[conditionOf(a)] - CONDITION_ORDER[conditionOf(b)] ||
      PRIORITY_ORDER[a.rule.priority] - PRIORITY_ORDER[b.rule.priority] ||
      (Date.parse(b.activatedAt ?? '') || 0) - (Date.parse(a.activatedAt ?? '') || 0) ||
      a.id.localeCompare(b.id),
  );
}

function ackProblemText(id: string, problem: ApiProblem): string {
  switch (problem.status) {
    case 0:
      return `No answer from the node: ${problem.message}. Acknowledging again is safe: the same request is sent, and the node runs it at most once.`;
    case 400:
      return `Alarm ${id} was not acknowledged: ${problem.message}`;
    case 404:
      return `There is no alarm ${id} on the node any more.`;
    default:
      return `Alarm ${id} was not acknowledged: ${problem.message} (HTTP ${problem.status})`;
  }
}
