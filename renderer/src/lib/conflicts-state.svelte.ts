/**
 * The conflict set (docs/rules.md "Partitions 3"): config changes a node made on its side of a split that the
 * pair did not keep. The node lists each with what the pair holds now under the same kind and key, so the
 * operator can tell what re-applying would change; re-applying or discarding goes to the active node.
 */
import type { ConfigKind, ConflictView } from '../../../node-core/dto.ts';
import { toProblem, type ApiProblem, type DashboardApi } from './api-client.ts';
import type { ActionNotice } from './action-notice.ts';
import { failed, type Loadable } from './loadable.ts';

export class ConflictsState {
  list = $state.raw<Loadable<ConflictView[]>>({ kind: 'loading' });
  /** Id of the conflict a re-apply or discard is out for. */
  busy = $state<string | null>(null);
  notice = $state.raw<ActionNotice | null>(null);

  readonly #api: DashboardApi;
  readonly #now: () => number;
  #loads = 0;
  /** Set once the list was asked for: only then does a changed count fetch it again. */
  #wanted = false;
  #count: number | null = null;

  constructor(api: DashboardApi, now: () => number) {
    this.#api = api;
    this.#now = now;
  }

  async load(): Promise<void> {
    this.#wanted = true;
    const request = ++this.#loads;
    try {
      const conflicts = await this.#api.conflicts();
      if (request === this.#loads) this.list = { kind: 'loaded', value: conflicts, at: this.#now() };
    } catch (error) {
      if (request === this.#loads) this.list = failed(this.list, toProblem(error));
    }
  }

  /** The status's count of conflicts: a change (made here, on the peer, or by a healed split) is fetched. */
  countChanged(count: number): void {
    const changed = this.#count !== null && this.#count !== count;
    this.#count = count;
    if (changed && this.#wanted) void this.load();
  }

  reapply(conflict: ConflictView): Promise<boolean> {
    return this.#resolve(conflict, 'reapply');
  }

  discard(conflict: ConflictView): Promise<boolean> {
    return this.#resolve(conflict, 'discard');
  }

  dismissNotice(): void {
    this.notice = null;
  }

  async #resolve(conflict: ConflictView, verb: 'reapply' | 'discard'): Promise<boolean> {
    if (this.busy) return false;
    this.busy = conflict.id;
    this.notice = null;
    const what = changeLabel(conflict);
    try {
      if (verb === 'reapply') await this.#api.reapplyConflict(conflict.id);
      else await this.#api.discardConflict(conflict.id);
      this.notice = {
        tone: 'success',
        message:
          verb === 'reapply'
            ? `Re-applied: ${what}. Both nodes hold it now.`
            : `Discarded: ${what}. It is gone from both nodes.`,
      };
      await this.load();
      return true;
    } catch (error) {
      const problem = toProblem(error);
      this.notice = { tone: 'error', message: resolveProblemText(verb, what, problem), problem };
      if (problem.status === 404) await this.load();
      return false;
    } finally {
      this.busy = null;
    }
  }
}

const KIND_LABELS: Readonly<Record<ConfigKind, string>> = {
  tag: 'tag',
  device: 'device',
  'alarm-rule': 'alarm rule',
  user: 'operator account',
  'opcua-client': 'OPC UA client certificate',
};

export function kindLabel(kind: ConfigKind): string {
  return KIND_LABELS[kind];
}

/** A change as the operator reads it: tag “pump.speed” set, alarm rule “boiler.hot” deleted. */
export function changeLabel(conflict: Pick<ConflictView, 'op' | 'kind' | 'key'>): string {
  return `${kindLabel(conflict.kind)} “${conflict.key}” ${conflict.op === 'put' ? 'set' : 'deleted'}`;
}

function resolveProblemText(verb: 'reapply' | 'discard', what: string, problem: ApiProblem): string {
  const action = verb === 'reapply' ? 're-applied' : 'discarded';
  switch (problem.status) {
    case 0:
      return `No answer from the node: ${problem.message}. Nothing is lost either way: once the node answers, the list shows whether it was ${action}.`;
    case 307:
      return `Not ${action}: ${problem.message}. Conflicts are resolved on the running node's dashboard.`;
    case 404:
      return `This conflict is no longer in the set: it was resolved already, here or on the peer.`;
    default:
      return `Not ${action}: ${what}: ${problem.message} (HTTP ${problem.status})`;
  }
}
