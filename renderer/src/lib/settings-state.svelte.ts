/**
 * The settings screen's data: this node's settings (`GET /api/settings`) and saving a change
 * (`PUT /api/settings`). Saved settings take effect when the node restarts; until then they are `pending`.
 */
import type { NodeSettings, SettingsSaved, SettingsView } from '../../../node-core/dto.ts';
import { toProblem, type ApiProblem, type DashboardApi } from './api-client.ts';
import { failed, type Loadable } from './loadable.ts';

export type SaveOutcome =
  | { readonly kind: 'saved'; readonly answer: SettingsSaved }
  | { readonly kind: 'failed'; readonly problem: ApiProblem };

export class SettingsState {
  view = $state.raw<Loadable<SettingsView>>({ kind: 'loading' });
  saving = $state(false);
  /** The last save's outcome, shown until the next save. */
  outcome = $state.raw<SaveOutcome | null>(null);

  readonly #api: Pick<DashboardApi, 'settings' | 'saveSettings'>;
  readonly #now: () => number;

  constructor(api: Pick<DashboardApi, 'settings' | 'saveSettings'>, now: () => number = () => Date.now()) {
    this.#api = api;
    this.#now = now;
  }

  async load(): Promise<void> {
    try {
      this.view = { kind: 'loaded', value: await this.#api.settings(), at: this.#now() };
    } catch (error) {
      this.view = failed(this.view, toProblem(error));
    }
  }

  /** Saves all settings; true when the node took them. The node's answer becomes the new pending view. */
  async save(settings: NodeSettings): Promise<boolean> {
    if (this.saving) return false;
    this.saving = true;
    this.outcome = null;
    try {
      const answer = await this.#api.saveSettings(settings);
      this.outcome = { kind: 'saved', answer };
      const view = this.view.kind === 'loaded' ? this.view.value : null;
      if (view) {
        this.view = {
          kind: 'loaded',
          value: { ...view, pending: answer.restartRequired ? answer.settings : null },
          at: this.#now(),
        };
      }
      return true;
    } catch (error) {
      this.outcome = { kind: 'failed', problem: toProblem(error) };
      return false;
    } finally {
      this.saving = false;
    }
  }
}
